"""LTI tests: Remixbank on a live server, launched by the test LMS of tests/lti/platform.py."""

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests

from repository.actions.lti import register_platform
from repository.models import LtiPlatform, Version
from tests.factories import stored_version, tool_files
from tests.lti.platform import Harness, Placement

# A tool worth launching: its own JSON over XHR, an ES module, non-ASCII text, credits.
TOOL_FILES = tool_files(
    **{
        "data/levels.json": '{"levels": ["Début", "Fortgeschritten", "上級"]}'.encode(),
        "modules/greeting.mjs": b"export const greet = (n) => `Bonjour ${n}`;\n",
        "CREDITS.md": b"Icons: [Feather](https://feathericons.com/) (MIT).\n",
    }
)


@pytest.fixture
def tool_site(settings, live_server) -> str:
    """Remixbank's URL as the LMS sees it; the content domain is the same server reached as
    content.localhost (each version at v<id>-<token>.content.localhost)."""
    port = urlsplit(live_server.url).port
    main = f"http://localhost:{port}"
    settings.SITE_URL = main
    settings.CONTENT_ORIGIN = f"http://content.localhost:{port}"
    settings.CONTENT_HOST = f"content.localhost:{port}"
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", ".content.localhost"]
    settings.CSRF_TRUSTED_ORIGINS = [main]
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.LTI_PRIVATE_ADDRESSES = True  # the test LMS is on loopback
    return main


@pytest.fixture
def lms(tool_site: str) -> Iterator[Harness]:
    with Harness(tool=tool_site) as harness:
        yield harness


@pytest.fixture
def registered(lms: Harness, admin: Any) -> LtiPlatform:
    fields = lms.registration_fields()
    return register_platform(
        institution=admin.memberships.get().institution,
        by=admin,
        name="Physics VLE",
        issuer=fields["issuer"],
        client_id=fields["client_id"],
        deployment_ids=fields["deployment_ids"].splitlines(),
        auth_login_url=fields["auth_login_url"],
        auth_token_url=fields["auth_token_url"],
        jwks_url=fields["jwks_url"],
    )


@pytest.fixture
def published(northfield: Any) -> Version:
    return stored_version(
        TOOL_FILES,
        resource__institution=northfield,
        resource__title="Wave Lab",
        authors=["Zoë Ångström"],
    )


def pinned(lms: Harness, version: Version, name: str = "link-1", **fields: Any) -> Placement:
    placement = Placement(
        name=name,
        url=f"{lms.tool}/lti/versions/{version.pk}/",
        custom={"remixbank_version": str(version.pk)},
        title="Wave Lab",
        **fields,
    )
    lms.place(placement)
    return placement


def launch(session: requests.Session, lms: Harness, name: str) -> requests.Response:
    """The LMS's launch of placement `name`, driven by an HTTP client: login initiation, the
    tool's redirect to the LMS's auth endpoint, and the form post of the id_token back."""
    lms.last_form = {}
    started = session.get(lms.start_url(name), timeout=30)
    if not lms.last_form:  # refused before the platform signed anything
        return started
    form = lms.last_form
    return session.post(
        form["launch_url"], data={"id_token": form["id_token"], "state": form["state"]}, timeout=30
    )
