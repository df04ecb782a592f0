"""One error shape for everything: validation, 401/403/404, throttling, domain errors."""

from repository.api.errors import api_exception_handler
from repository.errors import BlobCorrupted, RateLimited
from tests.repository.api.conftest import bearer


def assert_shape(body, code):
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]


def test_not_found(api, db):
    response = api.get("/api/v1/versions/999/")
    assert response.status_code == 404
    assert_shape(response.json(), "not_found")


def test_method_not_allowed(api, db):
    response = api.delete("/api/v1/licences/")
    assert response.status_code in (401, 405)
    assert_shape(response.json(), response.json()["error"]["code"])


def test_throttling_per_client(api, staff, make_token, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api.read": "2/minute", "api.write": "1/minute"},
    }
    token = make_token(staff, "read")
    for _ in range(2):
        assert api.get("/api/v1/licences/", **bearer(token)).status_code == 200
    response = api.get("/api/v1/licences/", **bearer(token))
    assert response.status_code == 429
    assert_shape(response.json(), "throttled")
    assert int(response["Retry-After"]) > 0
    # Another client has its own budget.
    assert api.get("/api/v1/licences/").status_code == 200


def test_server_side_domain_errors_keep_the_shape(db):
    response = api_exception_handler(BlobCorrupted("Stored file abc does not match."), {})
    assert response is not None
    assert response.status_code == 500
    assert_shape(response.data, "blob_corrupted")


def test_an_oversized_json_body_gets_the_error_shape(settings, staff, make_token):
    from rest_framework.test import APIClient

    from tests.repository.api.conftest import bearer

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = APIClient()
    client.credentials(**bearer(make_token(staff, "deposit")))
    response = client.post("/api/v1/remixes/", {"title": "x" * 5000}, format="json")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "request_too_large"


def test_a_domain_rate_limit_is_a_429_with_retry_after_in_the_shape(db):
    response = api_exception_handler(RateLimited("Try again in 12 seconds.", retry_after=12), {})
    assert response is not None
    assert response.status_code == 429
    assert response["Retry-After"] == "12"
    assert_shape(response.data, "rate_limited")
