"""Withdrawing a version from its page: confirmation with a reason, the page that stays, publishing again."""

from django.urls import reverse

from repository.actions.forks import fork_version
from repository.models import Version


def withdraw_url(version: Version) -> str:
    resource = version.resource
    return reverse(
        "version_withdraw", args=[resource.institution.slug, resource.slug, version.number]
    )


def test_withdraw_asks_for_confirmation_and_a_reason(client, staff, published):
    client.force_login(staff)
    page = client.get(withdraw_url(published)).content.decode()
    assert "Why are you withdrawing it?" in page
    assert 'name="reason"' in page
    published.refresh_from_db()
    assert published.state == Version.State.PUBLISHED  # asking changes nothing


def test_withdrawing_without_a_reason_is_refused_and_changes_nothing(client, staff, published):
    client.force_login(staff)
    response = client.post(withdraw_url(published), {"reason": "  "}, follow=True)
    assert "Say why you withdraw this version" in response.content.decode()
    published.refresh_from_db()
    assert published.state == Version.State.PUBLISHED


def test_resource_of_a_withdrawn_work_still_answers_saying_who_when_why_and_where_to_go(
    client, staff, published, southbank, outsider
):
    fork = fork_version(published, into=southbank, by=outsider, title="Counter (Southbank)")
    Version.objects.filter(pk=fork.pk).update(state=Version.State.PUBLISHED)
    client.force_login(staff)
    client.post(withdraw_url(published), {"reason": "The counter double-counts taps."})
    client.logout()

    response = client.get(published.resource.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert "This work was withdrawn" in html
    assert "by Bob" in html
    assert "The counter double-counts taps." in html
    assert "Counter (Southbank) v1" in html  # the fork made of it, to use instead
    # A withdrawn work leaves listings and search.
    assert "Counter" not in client.get(reverse("home"), {"q": "counter"}).content.decode()


def test_staff_publish_a_withdrawn_version_again(client, staff, published):
    client.force_login(staff)
    client.post(withdraw_url(published), {"reason": "Checking the wording."})
    page = client.get(published.get_absolute_url()).content.decode()
    assert "Publish this version again" in page
    resource = published.resource
    client.post(reverse("version_publish", args=[resource.institution.slug, resource.slug, 1]))
    published.refresh_from_db()
    resource.refresh_from_db()
    assert published.state == Version.State.PUBLISHED
    assert published.withdrawal_reason == ""
    assert resource.latest_published_id == published.pk


def test_students_and_outsiders_cannot_withdraw(client, student, outsider, published):
    for person in (student, outsider):
        client.force_login(person)
        assert client.get(withdraw_url(published)).status_code == 404
        client.post(withdraw_url(published), {"reason": "mine now"})
    published.refresh_from_db()
    assert published.state == Version.State.PUBLISHED


def test_nothing_new_starts_from_a_withdrawn_version(staff, outsider, southbank, published):
    import pytest

    from repository.actions.contributions import propose_contribution
    from repository.actions.publishing import withdraw_version
    from repository.actions.remixes import Pick, remix_versions
    from repository.errors import PermissionRefused

    withdraw_version(published, by=staff, reason="Copyright complaint.")
    attempts = [
        lambda: fork_version(published, into=southbank, by=outsider),
        lambda: remix_versions(
            picks=[Pick(published)],
            into=southbank,
            by=outsider,
            title="R",
            entry_point="index.html",
        ),
        lambda: propose_contribution(
            base=published, by=staff, description="Fix", edits={"app.js": b"// fixed"}
        ),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionRefused, match=r"was withdrawn .*Copyright complaint"):
            attempt()
    assert Version.objects.count() == 1


def test_artefacts_of_unpublished_versions_are_never_kept_by_shared_caches(
    client, staff, published
):
    from repository.models import ValidationStep
    from repository.storage import blobs

    sha, _ = blobs.put_bytes(b"\x89PNG fake screenshot")
    step = ValidationStep.objects.filter(run__version=published).first()
    assert step is not None
    step.artefacts = {"screenshot": sha}
    step.save()
    resource = published.resource
    url = reverse(
        "version_artefact",
        args=[resource.institution.slug, resource.slug, 1, sha, "screenshot.png"],
    )
    assert client.get(url)["Cache-Control"].startswith("public")
    Version.objects.filter(pk=published.pk).update(state=Version.State.PASSED)
    client.force_login(staff)
    assert client.get(url)["Cache-Control"].startswith("private")
