"""The new pages without a browser: facets, combine-with, status JSON, variants, admin, review."""

import json

import pytest
from django.urls import reverse

from repository.actions.contributions import propose_contribution
from repository.actions.deposits import deposit_package
from repository.actions.validation import validate_version
from repository.models import ApiClient, Membership
from tests.factories import build_zip, manifest
from tests.web.support import scenario_zip


def publish(tmp_path, institution, by, name="p", **fields):  # type: ignore[no-untyped-def]
    package = build_zip(tmp_path / f"{name}.zip", manifest_data=manifest(**fields))
    version = deposit_package(package=package, institution=institution, by=by)
    validate_version(version.pk)
    version.refresh_from_db()
    return version


@pytest.fixture
def catalogue(tmp_path, northfield, southbank, staff, outsider):  # type: ignore[no-untyped-def]
    return [
        publish(tmp_path, northfield, staff, "a", title="Optics bench", subjects=["physics"]),
        publish(tmp_path, northfield, staff, "b", title="Fractions", license="CC-BY-NC-4.0"),
        publish(tmp_path, southbank, outsider, "c", title="Levers", level="primary"),
    ]


def titles(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [c["resource"].title for c in response.context["cards"]]


def test_facets_filter_and_count_with_the_other_facets_applied(client, catalogue):
    response = client.get(reverse("home"), {"institution": "northfield"})
    assert titles(response) == ["Fractions", "Optics bench"]
    institution = next(f for f in response.context["facets"] if f.name == "institution")
    assert {v.value: v.count for v in institution.values} == {"northfield": 2, "southbank": 1}
    assert titles(client.get(reverse("home"), {"subject": "physics"})) == ["Optics bench"]
    assert titles(client.get(reverse("home"), {"level": "primary"})) == ["Levers"]
    assert titles(client.get(reverse("home"), {"licence": "CC-BY-NC-4.0"})) == ["Fractions"]
    assert titles(client.get(reverse("home"), {"state": "published", "q": "lev"})) == ["Levers"]


def test_combine_with_keeps_only_works_whose_licences_can_be_remixed_together(client, catalogue):
    # CC BY-SA and CC BY-NC have no licence in common for an adaptation.
    assert titles(client.get(reverse("home"), {"combine": "CC-BY-SA-4.0"})) == [
        "Levers",
        "Optics bench",
    ]
    assert "Fractions" in titles(client.get(reverse("home"), {"combine": "CC-BY-4.0"}))
    assert len(titles(client.get(reverse("home"), {"combine": "no-such-licence"}))) == 3


def test_home_query_count_does_not_grow_with_results(
    client, catalogue, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        client.get(reverse("home"))


def test_status_json_reports_steps_and_verdict(client, catalogue):
    version = catalogue[0]
    url = reverse(
        "version_status", args=[version.resource.institution.slug, version.resource.slug, 1]
    )
    data = client.get(url).json()
    assert data["settled"] is True and data["state"] == "published"
    assert [s["name"] for s in data["steps"]] == ["package", "licence", "content", "run"]
    assert data["badge"]["text"] == "Validation passed"


def test_variant_download_applies_the_students_parameters(client, tmp_path, southbank, outsider):
    version = deposit_package(package=scenario_zip(tmp_path), institution=southbank, by=outsider)
    validate_version(version.pk)
    args = [southbank.slug, version.resource.slug, version.number]
    page = client.get(reverse("version", args=args), {"student": "s1"})
    params = dict(page.context["variant"]["parameters"])
    data = json.loads(
        b"".join(client.get(reverse("version_variant", args=args), {"student": "s1"}))
    )
    assert data["parameters"]["hill"]["slope_deg"] == params["hill.slope_deg"]
    assert "variants" not in data
    assert client.get(reverse("version_variant", args=args)).status_code == 404


def test_admin_changes_roles_and_removes_members_but_keeps_one_admin(
    client, northfield, admin, staff, student
):
    client.force_login(admin)
    manage = reverse("institution_manage", args=[northfield.slug])
    assert client.get(manage).status_code == 200
    m = Membership.objects.get(user=student)
    client.post(reverse("institution_member", args=[northfield.slug, m.pk]), {"role": "staff"})
    assert Membership.objects.get(user=student).role == "staff"
    own = Membership.objects.get(user=admin)
    client.post(reverse("institution_member", args=[northfield.slug, own.pk]), {"role": "staff"})
    assert Membership.objects.get(user=admin).role == "admin"  # the last admin stays
    client.post(reverse("institution_member", args=[northfield.slug, m.pk]), {"action": "remove"})
    assert not Membership.objects.filter(user=student).exists()


def test_only_admins_reach_the_admin_page(client, northfield, staff, outsider):
    client.force_login(staff)
    assert client.get(reverse("institution_manage", args=[northfield.slug])).status_code == 404
    m = Membership.objects.get(user=staff)
    client.force_login(outsider)
    response = client.post(
        reverse("institution_member", args=[northfield.slug, m.pk]), {"action": "remove"}
    )
    assert response.status_code == 404
    assert Membership.objects.filter(user=staff).exists()


def test_admin_registers_an_api_client_sees_its_secret_once_and_revokes_it(
    client, northfield, admin
):
    client.force_login(admin)
    response = client.post(
        reverse("institution_client_register", args=[northfield.slug]), {"name": "Moodle"}
    )
    secret = response.context["new_secret"]
    assert secret and secret in response.content.decode()
    assert response["Cache-Control"].startswith("max-age=0")
    api_client = ApiClient.objects.get(institution=northfield)
    assert (
        secret
        not in client.get(reverse("institution_manage", args=[northfield.slug])).content.decode()
    )
    client.post(reverse("institution_client_revoke", args=[northfield.slug, api_client.pk]))
    assert not ApiClient.objects.filter(pk=api_client.pk).exists()


def test_admin_invites_from_the_admin_page(client, northfield, admin, mailoutbox):
    client.force_login(admin)
    client.post(
        reverse("institution_invite", args=[northfield.slug]),
        {"email": "new@northfield.ac.uk", "role": "staff"},
    )
    page = client.get(reverse("institution_manage", args=[northfield.slug]))
    assert "new@northfield.ac.uk" in page.content.decode()


def test_review_queue_lists_open_contributions_for_staff_only(
    client, catalogue, staff, student, outsider
):
    contribution = propose_contribution(
        base=catalogue[0], by=student, description="Fix a typo.", edits={"a.txt": b"x\n"}
    )
    client.force_login(staff)
    items = client.get(reverse("review_queue")).context["items"]
    assert [i["contribution"] for i in items] == [contribution]
    assert items[0]["added"] == 1
    client.force_login(outsider)
    assert client.get(reverse("review_queue")).context["items"] == []
