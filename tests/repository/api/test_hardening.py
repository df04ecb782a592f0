"""Hardening found in review: client applications have no owner, docs need no inline script."""

import re

from oauth2_provider.models import get_application_model

from repository.actions.api_clients import register_api_client


def test_api_client_application_has_no_owner_and_the_toolkits_pages_are_not_mounted(
    client, admin, northfield
):
    api_client, _ = register_api_client(institution=northfield, name="VLE", by=admin)
    assert get_application_model().objects.get(pk=api_client.application_id).user is None
    client.force_login(admin)
    assert client.get("/o/applications/").status_code == 404
    assert client.get(f"/o/applications/{api_client.application_id}/update/").status_code == 404


def test_api_docs_load_without_inline_scripts(client, db):
    html = client.get("/api/v1/docs/").content.decode()
    inline = [m for m in re.findall(r"<script([^>]*)>", html) if "src=" not in m]
    assert inline == []
