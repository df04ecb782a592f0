"""Registering a platform from the manage page, the tool configuration, our keys and JWKS."""

import io
import json

from django.core.management import call_command
from django.urls import reverse

from repository.lti import keys
from repository.models import LtiPlatform, LtiToolKey

FIELDS = {
    "name": "Moodle",
    "issuer": "https://moodle.northfield.ac.uk",
    "client_id": "Abc123",
    "deployment_ids": "1\n2\n",
    "auth_login_url": "https://moodle.northfield.ac.uk/mod/lti/auth.php",
    "auth_token_url": "https://moodle.northfield.ac.uk/mod/lti/token.php",
    "jwks_url": "https://moodle.northfield.ac.uk/mod/lti/certs.php",
}


def test_admin_registers_a_platform_and_gets_the_tool_configuration(client, admin, settings):
    settings.SITE_URL = "https://remixbank.example"
    client.force_login(admin)
    response = client.post(reverse("lti_platforms", args=["northfield"]), FIELDS, follow=True)
    assert response.status_code == 200
    platform = LtiPlatform.objects.get()
    assert (platform.issuer, platform.client_id, platform.deployment_ids) == (
        FIELDS["issuer"],
        "Abc123",
        ["1", "2"],
    )
    assert platform.institution.slug == "northfield" and platform.created_by == admin
    page = client.get(reverse("lti_platforms", args=["northfield"])).content.decode()
    for url in (
        "https://remixbank.example/lti/login/",
        "https://remixbank.example/lti/launch/",
        "https://remixbank.example/lti/jwks.json",
        "https://remixbank.example/lti/deep-link/",
    ):
        assert url in page
    assert (
        "&quot;oidc_initiation_url&quot;: &quot;https://remixbank.example/lti/login/&quot;" in page
    )
    assert "Content Selection URL" in page  # Moodle's words


def test_the_same_issuer_and_client_id_twice_is_refused_with_what_to_do(client, admin):
    client.force_login(admin)
    client.post(reverse("lti_platforms", args=["northfield"]), FIELDS)
    again = client.post(reverse("lti_platforms", args=["northfield"]), FIELDS)
    assert again.status_code == 200
    assert "already registered" in again.content.decode()
    assert LtiPlatform.objects.count() == 1


def test_a_registration_without_deployment_ids_is_refused_and_nothing_stored(client, admin):
    client.force_login(admin)
    response = client.post(
        reverse("lti_platforms", args=["northfield"]), {**FIELDS, "deployment_ids": " \n"}
    )
    assert "at least one deployment id" in response.content.decode()
    assert not LtiPlatform.objects.exists()


def test_staff_who_are_not_admins_cannot_see_or_register_platforms(client, staff):
    client.force_login(staff)
    assert client.get(reverse("lti_platforms", args=["northfield"])).status_code == 404
    assert client.post(reverse("lti_platforms", args=["northfield"]), FIELDS).status_code == 404
    assert not LtiPlatform.objects.exists()


def test_jwks_serves_current_and_previous_public_keys_never_private_ones(client, db):
    first = keys.signing_key()
    call_command("rotate_lti_key", stdout=io.StringIO())
    second = keys.signing_key()
    call_command("rotate_lti_key", stdout=io.StringIO())
    third = keys.signing_key()
    body = client.get(reverse("lti_jwks")).json()
    assert [k["kid"] for k in body["keys"]] == [third.kid, second.kid]
    assert first.kid not in json.dumps(body)
    for key in body["keys"]:
        assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)
    stored = LtiToolKey.objects.get(pk=third.pk)
    assert "PRIVATE KEY" not in stored.private_pem_encrypted
    assert keys.private_pem(stored).startswith("-----BEGIN PRIVATE KEY-----")
