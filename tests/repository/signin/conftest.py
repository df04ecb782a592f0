"""Sign-in tests: Remixbank on a live server at 127.0.0.1, and real identity providers beside it."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from repository.actions.signin import configure_oidc, configure_saml
from repository.models import OidcProvider, SamlProvider
from tests.repository.signin.providers import OidcProviderProcess, oidc_provider
from tests.repository.signin.saml_idp import SamlIdp, saml_idp


@pytest.fixture
def main_site(settings, live_server) -> str:
    """The main site's URL (localhost is the content domain in development)."""
    port = urlsplit(live_server.url).port
    url = f"http://127.0.0.1:{port}"
    settings.SITE_URL = url
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost", ".localhost"]
    settings.CSRF_TRUSTED_ORIGINS = [url]
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SIGNIN_PRIVATE_ADDRESSES = True  # the identity providers are on loopback
    return url


@pytest.fixture(scope="module")
def op(live_server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProviderProcess]:
    """One provider for the module (its own database keeps its users and client between tests)."""
    port = urlsplit(live_server.url).port
    redirect = f"http://127.0.0.1:{port}/accounts/oidc-callback/"
    with oidc_provider(tmp_path_factory.mktemp("op"), redirect_uri=redirect) as running:
        yield running


def configure(op: OidcProviderProcess, admin: Any, **fields: Any) -> OidcProvider:
    values: dict[str, Any] = {
        "issuer": op.issuer,
        "client_id": op.client_id,
        "client_secret": op.client_secret,
        "staff_domains": ["staff.northfield.ac.uk"],
        "student_domains": ["students.northfield.ac.uk"],
        **fields,
    }
    return configure_oidc(institution=admin.memberships.get().institution, by=admin, **values)


@pytest.fixture
def idp(main_site: str, tmp_path: Path) -> Iterator[SamlIdp]:
    sp_metadata = requests.get(f"{main_site}/accounts/saml/metadata/", timeout=30)
    assert sp_metadata.status_code == 200, sp_metadata.text
    with saml_idp(tmp_path, sp_metadata=sp_metadata.text) as running:
        yield running


def configure_saml_idp(idp: SamlIdp, admin: Any, **fields: Any) -> SamlProvider:
    values: dict[str, Any] = {
        "entity_id": idp.entity_id,
        "metadata_url": f"{idp.url}/metadata",
        "metadata_certificate": idp.federation_cert.read_text(),
        **fields,
    }
    return configure_saml(institution=admin.memberships.get().institution, by=admin, **values)
