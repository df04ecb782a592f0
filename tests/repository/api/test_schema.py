"""The OpenAPI schema, its interactive docs (assets from this site), and schemathesis against it."""

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis import checks

from repository.actions.contributions import propose_contribution
from tests.repository.api.conftest import bearer


def test_schema_is_served_with_oauth2_scopes(client, db):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    flows = schema["components"]["securitySchemes"]["oauth2"]["flows"]
    assert set(flows) == {"authorizationCode", "clientCredentials"}
    publish = schema["paths"]["/api/v1/versions/{id}/publication/"]["post"]
    assert {"oauth2": ["review"]} in publish["security"]
    assert {} not in publish["security"]


def test_docs_load_their_assets_from_this_site(client, db):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()
    assert "/static/drf_spectacular_sidecar/" in html


def at_the_site(app: Callable[..., Iterable[bytes]]) -> Callable[..., Iterable[bytes]]:
    """The WSGI application as reached at the site's own address. schemathesis's client says
    `Host: localhost`, which is the content domain in development (CONTENT_ORIGIN), and the
    content domain never serves the main site."""
    host = urlsplit(django_settings.SITE_URL).netloc

    def wsgi(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        environ["HTTP_HOST"] = host
        return app(environ, start_response)

    return wsgi


# Loaded at collection: serving the schema touches no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", at_the_site(get_wsgi_application()))


@pytest.fixture
def wsgi_in_test_transaction(db):
    """As django.test.Client does: keep the test's connection, and its transaction, open
    across requests made through the real WSGI application."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(wsgi_in_test_transaction, published, draft, staff, student, make_token):
    # An open contribution, so the contribution operations meet one (ids start at 1).
    propose_contribution(
        base=published, by=student, description="Typo", edits={"notes.txt": b"fixed"}
    )
    return bearer(make_token(staff))["HTTP_AUTHORIZATION"]


@schema.parametrize()
@settings(
    # 25 generated cases per operation (about 35 operations): enough to reach each one's
    # parameters and bodies, bounded so the suite stays within CI's time.
    max_examples=25,
    derandomize=True,  # the same cases every run: CI must not depend on luck
    # A time bound per case, far above any real request here (tens of milliseconds), so a
    # request that hangs fails instead of stalling the suite.
    deadline=timedelta(seconds=10),
    phases=[Phase.explicit, Phase.generate],
    # The cases of one operation share the `seeded` rows and the test's transaction (what one
    # case changes the next may see), which is what this health check warns about; all the
    # others stay on.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_api_conforms_to_its_schema(case, seeded):
    # No server errors and responses as documented. Acceptance checks are left out: schema-valid
    # input may still be refused by the domain (a random zip is no package), and lenient
    # parameters (an unparsable page_size falls back to the default) are accepted on purpose.
    case.call_and_validate(
        headers={"Authorization": seeded},
        excluded_checks=[checks.positive_data_acceptance, checks.negative_data_rejection],
    )
