"""Contributions: propose, check, review, merge (three-way when the resource moved on)."""

import pytest

from repository.actions import contributions as c
from repository.actions.deposits import deposit_package
from repository.errors import DomainError, InvalidTransition, PackageRefused, PermissionRefused
from repository.models import Blob, Contribution, Derivation, Resource, Version
from repository.storage import blobs
from repository.trees.merges import MergeConflict
from tests.factories import build_zip, manifest, tool_files
from tests.repository.remixing import published, validated


@pytest.fixture
def base(tmp_path, northfield, staff):
    return published(tmp_path, northfield, staff, files=tool_files(**{"README.txt": b"one\ntwo\n"}))


def text(version, path):
    return blobs.read_blob(version.files.get(path=path).blob_id).decode()


def test_student_proposes_an_edit_and_staff_merge_it_crediting_the_student(base, student, staff):
    proposal = c.propose_contribution(
        base=base, by=student, description="Fix typo", edits={"README.txt": b"one\n2\n"}
    )
    assert proposal.check_state == Contribution.CheckState.PASSED, proposal.check_messages
    c.approve_contribution(proposal, by=staff)
    merged = c.merge_contribution(proposal, by=staff)
    assert merged.number == 2 and merged.contributors == ["Charlie"]
    assert text(merged, "README.txt") == "one\n2\n"
    edge = Derivation.objects.get(child=merged)
    assert (edge.parent, edge.kind) == (base, Derivation.Kind.MERGE)
    proposal.refresh_from_db()
    assert (proposal.state, proposal.merged_version) == ("merged", merged)
    assert validated(merged).state == Version.State.PUBLISHED


def test_contribution_by_package_is_checked_like_a_deposit(tmp_path, base, student):
    bad = build_zip(tmp_path / "bad.zip", manifest_data=manifest(entry_point="missing.html"))
    with pytest.raises(PackageRefused, match="entry point"):
        c.propose_contribution(base=base, by=student, description="x", package=bad)
    ok = build_zip(tmp_path / "ok.zip", tool_files(**{"extra.css": b"p{}"}))
    proposal = c.propose_contribution(base=base, by=student, description="css", package=ok)
    assert proposal.check_state == "passed"
    assert set(proposal.files.values_list("path", flat=True)) == {
        "index.html",
        "app.js",
        "extra.css",
    }


def test_failed_checks_block_approval_and_merge(base, student, staff):
    proposal = c.propose_contribution(
        base=base,
        by=student,
        description="Load from a CDN",
        edits={"index.html": b'<script src="https://cdn.example/x.js"></script>'},
    )
    assert proposal.check_state == "failed"
    with pytest.raises(DomainError, match="failed its checks"):
        c.approve_contribution(proposal, by=staff)
    Contribution.objects.filter(pk=proposal.pk).update(state="approved", check_state="pending")
    proposal.refresh_from_db()
    with pytest.raises(DomainError, match="still being checked"):
        c.merge_contribution(proposal, by=staff)
    assert base.resource.versions.count() == 1


def test_contribution_policy_is_enforced(base, student, outsider):
    with pytest.raises(PermissionRefused, match="only from members of Northfield"):
        c.propose_contribution(base=base, by=outsider, description="x", edits={"a.txt": b"a"})
    Resource.objects.filter(pk=base.resource_id).update(contribution_policy="staff")
    base.resource.refresh_from_db()
    with pytest.raises(PermissionRefused, match="staff of Northfield"):
        c.propose_contribution(base=base, by=student, description="x", edits={"a.txt": b"a"})
    Resource.objects.filter(pk=base.resource_id).update(contribution_policy="signed_in")
    base.resource.refresh_from_db()
    assert c.propose_contribution(base=base, by=outsider, description="x", edits={"a.txt": b"a"})
    assert Contribution.objects.count() == 1


def test_a_proposal_that_changes_nothing_or_the_licence_is_refused_or_fails(base, student):
    with pytest.raises(PackageRefused, match="changes nothing"):
        c.propose_contribution(
            base=base, by=student, description="x", edits={"README.txt": b"one\ntwo\n"}
        )
    import json

    relicensed = json.dumps({**base.manifest, "license": "CC0-1.0"}).encode()
    proposal = c.propose_contribution(
        base=base, by=student, description="x", edits={"remixbank.json": relicensed}
    )
    assert proposal.check_state == "failed"
    assert "keeps the work's licence" in proposal.check_messages[0]


def test_only_staff_review_and_states_move_in_order(base, student, staff):
    proposal = c.propose_contribution(base=base, by=student, description="x", edits={"a.txt": b"a"})
    with pytest.raises(PermissionRefused):
        c.approve_contribution(proposal, by=student)
    c.request_changes(proposal, by=staff, body="Add a test")
    c.comment_on_contribution(proposal, by=student, body="Done soon")
    c.revise_contribution(proposal, by=student, edits={"b.txt": b"b"})
    assert proposal.state == "open"
    assert set(proposal.files.values_list("path", flat=True)) >= {"a.txt", "b.txt"}
    c.reject_contribution(proposal, by=staff, body="Not needed")
    with pytest.raises(InvalidTransition):
        c.approve_contribution(proposal, by=staff)
    assert [r.kind for r in proposal.reviews.all()] == [
        "changes_requested",
        "comment",
        "revised",
        "rejected",
    ]


def test_stale_merge_needs_the_conflict_resolved(tmp_path, base, student, staff, northfield):
    proposal = c.propose_contribution(
        base=base,
        by=student,
        description="x",
        edits={"README.txt": b"one\nTWO\n", "new.txt": b"new"},
    )
    c.approve_contribution(proposal, by=staff)
    # The resource moves on: staff change README.txt and app.js in v2.
    v2 = deposit_package(
        package=build_zip(
            tmp_path / "v2.zip", tool_files(**{"README.txt": b"one\nzwei\n"}, **{"app.js": b"//2"})
        ),
        institution=northfield,
        by=staff,
        resource=base.resource,
    )
    with pytest.raises(MergeConflict, match=r"README\.txt") as conflict:
        c.merge_contribution(proposal, by=staff)
    assert conflict.value.conflicts == ["README.txt"]
    assert base.resource.versions.count() == 2
    with pytest.raises(DomainError, match="conflict markers"):
        c.merge_contribution(proposal, by=staff, resolutions={"README.txt": b"<<<<<<< ours\n"})
    merged = c.merge_contribution(
        proposal, by=staff, resolutions={"README.txt": b"one\nTWO zwei\n"}
    )
    assert merged.number == 3
    assert text(merged, "README.txt") == "one\nTWO zwei\n"
    assert text(merged, "app.js") == "//2"  # ours kept
    assert text(merged, "new.txt") == "new"  # theirs added
    assert Derivation.objects.get(child=merged).parent == base
    assert v2.number == 2


def test_author_revises_from_the_web_after_changes_are_requested(client, base, student, staff):
    from django.urls import reverse

    proposal = c.propose_contribution(
        base=base, by=student, description="Fix", edits={"app.js": b"// first\n"}
    )
    c.request_changes(proposal, by=staff, body="Say why")
    client.force_login(student)
    page = client.get(proposal.get_absolute_url()).content.decode()
    url = reverse("contribution_revise", args=["northfield", base.resource.slug, proposal.pk])
    assert url in page
    response = client.post(
        url, {"description": "Explained", "path": "app.js", "content": "// second, explained\n"}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == Contribution.State.OPEN
    assert text_of(proposal, "app.js") == "// second, explained\n"


def text_of(contribution, path):
    return blobs.read_blob(contribution.files.get(path=path).blob_id).decode()


def test_a_manifest_edit_nested_too_deep_is_refused_on_the_web_form(client, base, student):
    from django.urls import reverse

    client.force_login(student)
    url = reverse("contribute", args=["northfield", base.resource.slug, base.number])
    deep = "[" * 100_000 + "]" * 100_000
    response = client.post(
        url, {"description": "Deep", "path": "remixbank.json", "content": deep}, follow=True
    )
    assert response.status_code == 200
    assert "nested more than 64 levels deep" in response.content.decode()
    assert not Contribution.objects.exists()


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("readme.TXT", "Entry 'readme.TXT' duplicates 'README.txt'"),
        ("notes\u202etxt.js", "bidirectional control character (U+202E)"),
        ("notes\n.txt", "control character (U+000A)"),
    ],
)
def test_an_edit_may_not_add_a_misleading_or_twin_name(base, student, path, message):
    blobs_before = Blob.objects.count()
    with pytest.raises(PackageRefused) as refused:
        c.propose_contribution(base=base, by=student, description="x", edits={path: b"new\n"})
    assert message in refused.value.message
    assert not Contribution.objects.exists()
    assert Blob.objects.count() == blobs_before


def test_an_edit_in_nfd_edits_the_nfc_file(tmp_path, northfield, staff, student):
    base = published(tmp_path, northfield, staff, files=tool_files(**{"caf\u00e9.txt": b"1\n"}))
    proposal = c.propose_contribution(
        base=base, by=student, description="x", edits={"cafe\u0301.txt": b"2\n"}
    )
    assert sorted(proposal.files.values_list("path", flat=True)) == [
        "app.js",
        "caf\u00e9.txt",
        "index.html",
    ]
