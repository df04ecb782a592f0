"""The sign-in settings page: only an institution's admins set its providers and role rules."""

import pytest

from repository.actions.signin import configure_oidc
from repository.errors import PermissionRefused
from repository.models import OidcProvider, SamlProvider

pytestmark = pytest.mark.django_db

OIDC_FORM = {
    "protocol": "oidc",
    "issuer": "https://login.microsoftonline.com/3f2a/v2.0",
    "client_id": "b5c1-remixbank",
    "client_secret": "s3cr3t-ñ",
    "staff_domains": "Staff.Northfield.ac.uk\n@northfield.ac.uk",
    "student_domains": "students.northfield.ac.uk",
    "role_claim": "groups",
    "staff_values": "Lehrende, teaching-staff",
    "student_values": "",
    "enabled": "on",
}


def test_admin_sets_the_oidc_provider_and_its_role_rules(client, admin):
    client.force_login(admin)
    page = client.get("/i/northfield/manage/sign-in/", HTTP_HOST="127.0.0.1")
    assert page.status_code == 200
    assert "/accounts/oidc-callback/" in page.content.decode()
    saved = client.post("/i/northfield/manage/sign-in/", OIDC_FORM, HTTP_HOST="127.0.0.1")
    assert saved.status_code == 302
    provider = OidcProvider.objects.get(institution__slug="northfield")
    assert provider.staff_domains == ["northfield.ac.uk", "staff.northfield.ac.uk"]
    assert provider.staff_values == ["Lehrende", "teaching-staff"]
    assert provider.client_secret == "s3cr3t-ñ"
    # Saving again with the secret left empty keeps the stored one.
    client.post(
        "/i/northfield/manage/sign-in/", {**OIDC_FORM, "client_secret": ""}, HTTP_HOST="127.0.0.1"
    )
    assert OidcProvider.objects.get(pk=provider.pk).client_secret == "s3cr3t-ñ"
    login = client.get("/accounts/login/", HTTP_HOST="127.0.0.1").content.decode()
    assert "Sign in with Northfield University" in login


def test_admin_uploads_saml_metadata_as_a_file(client, admin, tmp_path):
    client.force_login(admin)
    metadata = tmp_path / "idp.xml"
    metadata.write_text(
        '<EntityDescriptor entityID="https://idp.northfield.ac.uk/idp/shibboleth"/>'
    )
    with metadata.open("rb") as upload:
        saved = client.post(
            "/i/northfield/manage/sign-in/",
            {
                "protocol": "saml",
                "entity_id": "https://idp.northfield.ac.uk/idp/shibboleth",
                "metadata_certificate": "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
                "metadata_file": upload,
                "enabled": "on",
            },
            HTTP_HOST="127.0.0.1",
        )
    assert saved.status_code == 302
    provider = SamlProvider.objects.get(institution__slug="northfield")
    assert "idp.northfield.ac.uk" in provider.metadata_xml and provider.metadata_url == ""


def test_invalid_issuer_is_shown_on_the_form_and_nothing_is_saved(client, admin):
    client.force_login(admin)
    page = client.post(
        "/i/northfield/manage/sign-in/", {**OIDC_FORM, "issuer": "not a url"}, HTTP_HOST="127.0.0.1"
    )
    assert page.status_code == 200 and "Enter a valid URL." in page.content.decode()
    assert not OidcProvider.objects.exists()


def test_staff_and_other_institutions_admins_cannot_reach_the_settings(client, staff, outsider):
    for person in (staff, outsider):
        client.force_login(person)
        page = client.post("/i/northfield/manage/sign-in/", OIDC_FORM, HTTP_HOST="127.0.0.1")
        assert page.status_code == 404
    assert not OidcProvider.objects.exists()
    with pytest.raises(PermissionRefused, match="Only admins of Northfield University"):
        configure_oidc(
            institution=staff.memberships.get().institution,
            by=staff,
            issuer=OIDC_FORM["issuer"],
            client_id=OIDC_FORM["client_id"],
        )
