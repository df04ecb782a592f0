"""Contributions and reviews through the API: propose, list, review, merge (and its conflicts)."""

import pytest

from repository.actions import contributions as c
from repository.actions.deposits import deposit_package
from repository.models import Contribution, Resource, Version
from repository.storage import blobs
from tests.factories import build_zip, manifest, tool_files
from tests.repository.api.conftest import bearer


def propose(api, version, token, edits=None, description="Fix the counter"):
    return api.post(
        f"/api/v1/versions/{version.pk}/contributions/",
        {"description": description, "edits": edits or {"app.js": "// fixed\n"}},
        format="json",
        **bearer(token),
    )


def review(api, contribution, token, kind, body=""):
    return api.post(
        f"/api/v1/contributions/{contribution.pk}/reviews/",
        {"kind": kind, "body": body},
        format="json",
        **bearer(token),
    )


def merge(api, contribution, token, resolutions=None):
    return api.post(
        f"/api/v1/contributions/{contribution.pk}/merge/",
        {"resolutions": resolutions} if resolutions else {},
        format="json",
        **bearer(token),
    )


@pytest.fixture
def proposal(published, student) -> Contribution:
    return c.propose_contribution(
        base=published, by=student, description="Fix", edits={"app.js": b"// student\n"}
    )


@pytest.fixture
def approved(proposal, staff) -> Contribution:
    c.approve_contribution(proposal, by=staff)
    return proposal


def test_student_proposes_edits_and_the_checks_run(api, student, make_token, published):
    response = propose(api, published, make_token(student, "contribute"))
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == body["url"]
    assert body["state"] == "open" and body["check_state"] == "passed"
    assert body["author"] == "Charlie"
    assert body["base"]["id"] == published.pk
    assert {f["path"] for f in body["files"]} == {"index.html", "app.js"}
    contribution = Contribution.objects.get(pk=body["id"])
    sha = contribution.files.get(path="app.js").blob_id
    assert blobs.read_blob(sha) == b"// fixed\n"


def test_propose_a_whole_package_as_multipart(api, student, make_token, published, tmp_path):
    path = build_zip(
        tmp_path / "change.zip",
        tool_files(**{"extra.css": b"p{}"}),
        manifest_data=manifest(title="Sun path explorer"),
    )
    with path.open("rb") as handle:
        response = api.post(
            f"/api/v1/versions/{published.pk}/contributions/",
            {"package": handle, "description": "Add styles"},
            **bearer(make_token(student, "contribute")),
        )
    assert response.status_code == 201, response.content
    assert "extra.css" in {f["path"] for f in response.json()["files"]}


def test_edits_removing_a_missing_file_are_refused(api, student, make_token, published):
    response = propose(api, published, make_token(student, "contribute"), {"nope.txt": None})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "package_refused"


def test_a_read_scope_token_cannot_propose(api, student, make_token, published):
    response = propose(api, published, make_token(student, "read"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"
    assert not Contribution.objects.exists()


def test_the_resource_policy_decides_who_may_contribute(
    api, outsider, student, make_token, published
):
    response = propose(api, published, make_token(outsider, "contribute"))
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "permission_denied"
    assert "only from members of Northfield University" in error["message"]
    Resource.objects.filter(pk=published.resource_id).update(contribution_policy="staff")
    response = propose(api, published, make_token(student, "contribute"))
    assert response.status_code == 403
    assert "only from staff of Northfield University" in response.json()["error"]["message"]
    assert not Contribution.objects.exists()


def test_nobody_proposes_to_a_draft_they_cannot_see(api, outsider, make_token, draft):
    assert propose(api, draft, make_token(outsider, "contribute")).status_code == 404


def test_author_and_staff_see_contributions_and_outsiders_do_not(
    api, proposal, published, student, staff, outsider, make_token
):
    url = f"/api/v1/resources/{published.resource_id}/contributions/"
    for person in (student, staff):
        token = make_token(person, "read")
        assert [c["id"] for c in api.get(url, **bearer(token)).json()["results"]] == [proposal.pk]
        detail = api.get(f"/api/v1/contributions/{proposal.pk}/", **bearer(token))
        assert detail.status_code == 200
    outsider_token = make_token(outsider, "read")
    assert api.get(url, **bearer(outsider_token)).json()["results"] == []
    assert api.get("/api/v1/contributions/", **bearer(outsider_token)).json()["results"] == []
    detail = api.get(f"/api/v1/contributions/{proposal.pk}/", **bearer(outsider_token))
    assert detail.status_code == 404
    assert detail.json()["error"]["code"] == "not_found"


def test_another_student_does_not_see_a_fellow_students_contribution(
    api, proposal, published, northfield, make_token
):
    from tests.conftest import member

    other = member(northfield, "eve@northfield.ac.uk", "Eve", "student")
    url = f"/api/v1/resources/{published.resource_id}/contributions/"
    assert api.get(url, **bearer(make_token(other, "read"))).json()["results"] == []


def test_contribution_lists_need_sign_in_and_filter_by_state(
    api, proposal, published, staff, make_token
):
    assert api.get("/api/v1/contributions/").status_code == 401
    token = make_token(staff, "read")
    found = api.get("/api/v1/contributions/?state=open", **bearer(token)).json()["results"]
    assert [c["id"] for c in found] == [proposal.pk]
    assert api.get("/api/v1/contributions/?state=merged", **bearer(token)).json()["results"] == []
    bad = api.get("/api/v1/contributions/?state=nonsense", **bearer(token))
    assert bad.status_code == 400 and "state" in bad.json()["error"]["fields"]


def test_author_comments_with_a_contribute_token(api, proposal, student, make_token):
    response = review(api, proposal, make_token(student, "contribute"), "comment", "Ready")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["kind"], body["body"], body["author"]) == ("comment", "Ready", "Charlie")
    assert body["contribution"]["id"] == proposal.pk


def test_a_contribute_token_cannot_give_a_verdict(api, proposal, staff, make_token):
    response = review(api, proposal, make_token(staff, "contribute"), "approved")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"
    proposal.refresh_from_db()
    assert proposal.state == "open"


def test_a_student_review_token_cannot_approve(api, proposal, student, make_token):
    response = review(api, proposal, make_token(student, "review"), "approved")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_outsider_cannot_review_what_they_cannot_see(api, proposal, outsider, make_token):
    response = review(api, proposal, make_token(outsider, "review"), "comment", "Hi")
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("kind", "body", "state"),
    [
        ("approved", "", "approved"),
        ("changes_requested", "Rename it", "changes_requested"),
        ("rejected", "No", "rejected"),
    ],
)
def test_staff_give_verdicts(api, proposal, staff, make_token, kind, body, state):
    response = review(api, proposal, make_token(staff, "review"), kind, body)
    assert response.status_code == 201, response.content
    assert response.json()["contribution"]["state"] == state


def test_changes_requested_needs_a_body_and_unknown_kinds_are_field_errors(
    api, proposal, staff, make_token
):
    token = make_token(staff, "review")
    response = review(api, proposal, token, "changes_requested")
    assert response.status_code == 400 and response.json()["error"]["code"] == "refused"
    response = review(api, proposal, token, "merged")
    assert response.status_code == 400 and "kind" in response.json()["error"]["fields"]


def test_staff_merge_an_approved_contribution(api, approved, staff, make_token, published):
    response = merge(api, approved, make_token(staff, "review"))
    assert response.status_code == 201, response.content
    version = response.json()["version"]
    assert version["number"] == 2 and version["contributors"] == ["Charlie"]
    approved.refresh_from_db()
    assert approved.state == "merged" and approved.merged_version_id == version["id"]


def test_a_student_cannot_merge(api, approved, student, make_token):
    response = merge(api, approved, make_token(student, "review"))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    approved.refresh_from_db()
    assert approved.state == "approved"


def test_merging_an_unapproved_contribution_is_refused(api, proposal, staff, make_token):
    response = merge(api, proposal, make_token(staff, "review"))
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invalid_transition"
    assert "approved" in response.json()["error"]["message"]


def test_stale_merge_answers_merge_conflict_with_the_paths(
    api, approved, staff, make_token, published, northfield, tmp_path
):
    deposit_package(  # the resource moves on: staff change app.js too
        package=build_zip(
            tmp_path / "v2.zip",
            tool_files(**{"app.js": b"// staff\n"}),
            manifest_data=manifest(title="Sun path explorer"),
        ),
        institution=northfield,
        by=staff,
        resource=published.resource,
    )
    token = make_token(staff, "review")
    response = merge(api, approved, token)
    assert response.status_code == 409, response.content
    error = response.json()["error"]
    assert error["code"] == "merge_conflict"
    assert error["conflicts"] == ["app.js"]
    assert "app.js" in error["message"]
    assert published.resource.versions.count() == 2

    bad = merge(api, approved, token, {"app.js": {"choice": "text"}})
    assert bad.status_code == 400 and "resolutions" in bad.json()["error"]["fields"]
    response = merge(api, approved, token, {"app.js": {"choice": "text", "text": "// both\n"}})
    assert response.status_code == 201, response.content
    merged = Version.objects.get(pk=response.json()["version"]["id"])
    assert merged.number == 3
    assert blobs.read_blob(merged.files.get(path="app.js").blob_id) == b"// both\n"


def test_author_revises_after_changes_are_requested(api, proposal, student, staff, make_token):
    c.request_changes(proposal, by=staff, body="Please comment the line")
    response = api.post(
        f"/api/v1/contributions/{proposal.pk}/revisions/",
        {"edits": {"app.js": "// student, commented\n"}, "description": "Commented"},
        format="json",
        **bearer(make_token(student, "contribute")),
    )
    assert response.status_code == 201
    proposal.refresh_from_db()
    assert proposal.state == Contribution.State.OPEN
    sha = proposal.files.get(path="app.js").blob_id
    assert blobs.read_blob(sha) == b"// student, commented\n"


def test_only_the_author_revises(api, proposal, staff, make_token):
    response = api.post(
        f"/api/v1/contributions/{proposal.pk}/revisions/",
        {"edits": {"app.js": "// not mine\n"}, "description": "x"},
        format="json",
        **bearer(make_token(staff, "contribute")),
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
