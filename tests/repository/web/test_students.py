"""Students' pages: each person sees what their role allows, told before any form."""

import re

import pytest
from django.urls import reverse

from repository.actions.contributions import propose_contribution
from repository.actions.deposits import deposit_package
from repository.errors import PermissionRefused
from repository.models import Contribution, Derivation, Resource, Version
from tests.factories import UserFactory, build_zip, manifest, validated
from tests.repository.web.pages import version_url


def menu(response) -> list[str]:
    """The link and button texts of the main menu, in order."""
    html = response.content.decode()
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S)
    assert nav is not None, "the page has no main menu"
    return [t.strip() for t in re.findall(r"<(?:a|button)[^>]*>([^<]*)<", nav.group(1))]


@pytest.fixture
def stranger(db):
    """Signed in, but a member of no institution."""
    return UserFactory.create(email="eve@example.org", username="eve@example.org", first_name="Eve")


@pytest.fixture
def fork_of(client):
    def fork(version: Version, person, **fields) -> Version:
        client.force_login(person)
        data = {"institution": person.memberships.get().institution.pk, "licence": "CC-BY-SA-4.0"}
        response = client.post(version_url(version, "version_fork"), {**data, **fields})
        assert response.status_code == 302, response.content.decode()[:2000]
        return Version.objects.exclude(pk=version.pk).get(
            pk=Derivation.objects.get(parent=version).child_id
        )

    return fork


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        (None, ["Remixbank", "Browse", "Licences", "Sign in", "Sign up"]),
        ("stranger", ["Remixbank", "Browse", "Licences", "Eve", "Sign out"]),
        ("student", ["Remixbank", "Browse", "Remix", "Licences", "Charlie", "Sign out"]),
        (
            "staff",
            ["Remixbank", "Browse", "Deposit", "Remix", "Review", "Licences", "Bob", "Sign out"],
        ),
        (
            "admin",
            ["Remixbank", "Browse", "Deposit", "Remix", "Review", "Licences", "Alice", "Sign out"],
        ),
        (
            "outsider",
            ["Remixbank", "Browse", "Deposit", "Remix", "Review", "Licences", "Dana", "Sign out"],
        ),
    ],
)
def test_menu_shows_each_persona_only_what_their_role_allows(
    request, client, northfield, persona, expected
):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    assert menu(client.get(reverse("home"))) == expected


def test_a_student_with_a_draft_is_offered_deposit_and_one_with_proposals_follows_them(
    client, published, student, fork_of
):
    fork_of(published, student)
    propose_contribution(
        base=published, by=student, description="A fix", edits={"index.html": b"<p>fixed</p>"}
    )
    client.force_login(student)
    items = menu(client.get(reverse("home")))
    assert "Deposit" in items
    assert "Your proposals" in items
    assert "Review" not in items


def test_deposit_page_tells_a_student_who_may_deposit_and_shows_no_form(client, student):
    client.force_login(student)
    response = client.get(reverse("deposit"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "<h1>Depositing is for staff</h1>" in html
    assert "You are a student at Northfield University, so you cannot deposit" in html
    assert "Fork a published work into a draft of your own</strong> at Northfield" in html
    assert "Propose a change" in html
    assert 'type="file"' not in html
    assert "Depositing is for staff of an institution." not in html  # the old after-the-fact note


def test_deposit_page_tells_someone_without_an_institution_how_to_join(client, stranger):
    client.force_login(stranger)
    html = client.get(reverse("deposit")).content.decode()
    assert "You do not belong to an institution yet" in html
    assert "Join an institution" in html
    assert "Fork a published work" not in html
    assert 'type="file"' not in html


def test_a_refused_deposit_post_stores_nothing(client, student, package):
    client.force_login(student)
    with package.open("rb") as upload:
        response = client.post(reverse("deposit"), {"package": upload})
    assert response.status_code == 403
    assert not Version.objects.exists()


def test_contribution_page_says_who_may_contribute_before_any_form(client, published, student):
    Resource.objects.filter(pk=published.resource.pk).update(
        contribution_policy=Resource.ContributionPolicy.STAFF
    )
    client.force_login(student)
    response = client.get(version_url(published, "contribute"))
    html = response.content.decode()
    assert response.status_code == 403
    assert (
        "“Counter” accepts contributions only from staff of Northfield University; "
        "fork it into a draft of your own instead."
    ) in html
    assert 'name="description"' not in html
    assert "does not accept contributions" not in html


def test_another_institutions_member_is_told_to_fork_and_their_post_is_refused(
    client, published, outsider
):
    client.force_login(outsider)
    sentence = (
        "“Counter” accepts contributions only from members of Northfield University "
        "(staff and students); fork it into a draft of your own instead."
    )
    assert sentence in client.get(version_url(published)).content.decode()
    response = client.post(
        version_url(published, "contribute"),
        {"description": "x", "path": "index.html", "content": "<p>mine</p>"},
    )
    assert response.status_code == 403
    assert sentence in response.content.decode()
    assert not Contribution.objects.exists()


def test_version_page_buttons_follow_the_role(client, published, student, stranger):
    client.force_login(stranger)
    html = client.get(version_url(published)).content.decode()
    assert ">Fork</a>" not in html
    assert ">Remix</a>" not in html
    assert "Remix or collect" not in html
    client.force_login(student)
    html = client.get(version_url(published)).content.decode()
    assert ">Fork</a>" in html
    assert "Propose a change" in html
    assert "Deposit a new version" not in html


def test_fork_page_tells_someone_without_an_institution_before_any_form(
    client, published, stranger
):
    client.force_login(stranger)
    response = client.get(version_url(published, "version_fork"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "you do not belong to one yet" in html
    assert '<form method="post">' not in html


def test_a_students_fork_is_their_draft_credited_to_them(
    client, published, student, staff, fork_of
):
    client.force_login(student)
    page = client.get(version_url(published, "version_fork")).content.decode()
    assert "At Northfield University your fork is a draft of your own" in page
    fork = fork_of(published, student, title="Counter, Charlie's edition")
    assert fork.created_by == student
    assert fork.authors == ["Charlie"]
    assert fork.state != Version.State.PUBLISHED
    html = client.get(version_url(fork)).content.decode()
    assert "Learning tool by Charlie" in html
    assert "This is your draft" in html
    assert "Deposit a new version" in html
    assert "Ada Lovelace" in html  # the source's author, credited through the lineage
    client.force_login(staff)
    assert client.get(version_url(fork)).status_code == 200


def test_a_student_deposits_a_v2_to_their_draft_and_staff_publish_it(
    client, tmp_path, published, student, staff, fork_of
):
    fork = fork_of(published, student)
    validated(fork.pk)
    client.force_login(student)
    page = client.get(reverse("deposit") + f"?resource={fork.resource.pk}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Deposit a new version of your draft" in html
    assert 'name="publish_on_pass"' not in html
    assert 'name="institution"' not in html
    assert f'<option value="{fork.resource.pk}" selected>' in html
    assert f'<option value="{published.resource.pk}"' not in html  # staff's resource: not theirs
    package = build_zip(
        tmp_path / "v2.zip",
        {"index.html": b"<!doctype html><title>v2</title><p>Charlie's change</p>"},
        manifest_data=manifest(authors=["Charlie"]),
    )
    with package.open("rb") as upload:
        response = client.post(
            reverse("deposit"), {"resource": fork.resource.pk, "package": upload}
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    v2 = fork.resource.versions.get(number=2)
    assert (v2.created_by, v2.publish_on_pass) == (student, False)
    validated(v2.pk)
    v2.refresh_from_db()
    assert v2.state == Version.State.PASSED
    html = client.get(version_url(v2)).content.decode()
    assert "Publish this version" not in html
    client.post(version_url(v2, "version_publish"))
    v2.refresh_from_db()
    assert v2.state == Version.State.PASSED
    client.force_login(staff)
    client.post(version_url(v2, "version_publish"))
    v2.refresh_from_db()
    assert v2.state == Version.State.PUBLISHED


def test_a_published_draft_is_no_longer_the_students_to_deposit_to(
    tmp_path, published, student, staff, fork_of
):
    from repository.actions.publishing import publish_version

    fork = fork_of(published, student)
    validated(fork.pk)
    fork.refresh_from_db()
    publish_version(fork, by=staff)
    package = build_zip(tmp_path / "v2.zip", manifest_data=manifest(changelog="More"))
    with pytest.raises(PermissionRefused, match="propose a contribution to it instead"):
        deposit_package(
            package=package,
            institution=fork.resource.institution,
            by=student,
            resource=fork.resource,
        )


def test_a_student_cannot_deposit_to_staffs_resource_or_someone_elses_draft(
    tmp_path, published, student, northfield, fork_of
):
    from tests.conftest import member

    other = member(northfield, "finn@northfield.ac.uk", "Finn", "student")
    draft = fork_of(published, other)
    package = build_zip(tmp_path / "v2.zip", manifest_data=manifest(changelog="More"))
    for resource in (published.resource, draft.resource, None):
        with pytest.raises(PermissionRefused):
            deposit_package(package=package, institution=northfield, by=student, resource=resource)
    assert Version.objects.filter(created_by=student).count() == 0


def test_a_students_passed_draft_waits_on_staffs_review_page_and_on_theirs(
    client, published, student, staff, outsider, fork_of
):
    fork = fork_of(published, student, title="Charlie's counter")
    client.force_login(student)
    mine = client.get(reverse("review_queue")).content.decode()
    assert '<h2 id="my-drafts">Your drafts</h2>' in mine
    assert "Charlie&#x27;s counter</a> (Northfield University)" in mine
    client.force_login(staff)
    assert "Charlie&#x27;s counter v1" not in client.get(reverse("review_queue")).content.decode()
    validated(fork.pk)
    html = client.get(reverse("review_queue")).content.decode()
    assert "Charlie&#x27;s counter v1</a> by Charlie (Northfield University)" in html
    client.force_login(outsider)  # staff elsewhere: not theirs to publish
    assert "Charlie&#x27;s counter" not in client.get(reverse("review_queue")).content.decode()
