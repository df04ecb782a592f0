"""JSON bodies nested too deep get a 400 in the error shape on every URL, before authentication."""

import re

import pytest
from django.test import Client

from tests.repository.api.conftest import bearer
from tests.repository.api.test_errors import assert_shape

DEEP = b"[" * 100_000 + b"]" * 100_000
HTTP_METHODS = {"get", "post", "put", "patch", "delete"}


def api_urls() -> list[tuple[str, str]]:
    """(method, URL) of every operation in the OpenAPI schema, and a POST to every path."""
    from django.test import Client

    schema = Client().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    operations = []
    for path, methods in schema.json()["paths"].items():
        url = re.sub(r"\{[^}]+\}", "1", path)
        operations += [(m, url) for m in {"post", *methods} if m in HTTP_METHODS]
    return operations


@pytest.fixture
def http() -> Client:
    # A 500 must show as a status, never as an exception re-raised into the test.
    return Client(raise_request_exception=False)


def test_every_api_operation_refuses_a_deep_body_anonymous_or_signed_in(
    db, http, staff, make_token
):
    token = make_token(staff)
    operations = api_urls()
    assert len(operations) > 40
    for method, url in operations:
        for headers in ({}, bearer(token)):
            response = http.generic(
                method.upper(), url, DEEP, content_type="application/json", **headers
            )
            assert response.status_code == 400, (method, url, response.status_code)
            assert_shape(response.json(), "json_too_deep")
            assert "more than 64 levels" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "url", ["/api/v1/licences/", "/api/v1/no-such-thing/", "/api/v1/versions/1/"]
)
@pytest.mark.parametrize("content_type", ["application/json", "*/*", "application/vnd.x+json"])
def test_reads_and_unknown_urls_refuse_it_whatever_json_type_is_claimed(
    db, http, url, content_type
):
    response = http.generic("GET", url, DEEP, content_type=content_type)
    assert response.status_code == 400
    assert_shape(response.json(), "json_too_deep")


def test_the_token_endpoint_answers_in_oauth2s_error_shape(db, http):
    response = http.post("/o/token/", DEEP, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert "nested more than 64 levels" in response.json()["error_description"]


def test_web_pages_refuse_it_too(db, http):
    response = http.post("/deposit/", DEEP, content_type="application/json")
    assert response.status_code == 400
    assert_shape(response.json(), "json_too_deep")


def test_the_limit_is_a_setting_and_shallow_json_reaches_the_view(api, staff, make_token, settings):
    settings.JSON_MAX_DEPTH = 2
    headers = bearer(make_token(staff, "deposit"))
    body: dict[str, object] = {"sources": [[[1]]], "title": "t"}
    refused = api.post("/api/v1/remixes/", body, format="json", **headers)
    assert refused.status_code == 400
    assert_shape(refused.json(), "json_too_deep")
    body = {"sources": [1], "title": "t"}
    reached = api.post("/api/v1/remixes/", body, format="json", **headers)
    assert reached.json()["error"]["code"] != "json_too_deep"


def test_a_large_shallow_body_still_gets_the_413_of_the_api(api, staff, make_token, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    headers = bearer(make_token(staff, "deposit"))
    response = api.post("/api/v1/remixes/", {"title": "[" * 5000}, format="json", **headers)
    assert response.status_code == 413
    assert_shape(response.json(), "request_too_large")


@pytest.mark.parametrize(
    ("charset", "body"),
    [
        # cp500 (EBCDIC) writes "[" as another byte, so the byte scan would see no nesting.
        ("cp500", "[" * 50_000 + "]" * 50_000),
        # In UTF-16 an escaped quote is "\\\x00\"\x00": the scan would lose track of strings.
        ("utf-16", '["\\"", ' + "[" * 50_000 + "]" * 50_000 + ', "x"]'),
    ],
)
def test_json_in_another_charset_is_refused_before_any_parser_decodes_it(db, http, charset, body):
    # The test client encodes the text in the declared charset, as a hostile client would.
    for url in ("/api/v1/licences/", "/api/v1/versions/1/publication/", "/o/token/"):
        response = http.post(url, body, content_type=f"application/json; charset={charset}")
        assert response.status_code == 415, (url, response.status_code)
        text = response.content.decode()
        assert "must be sent as UTF-8" in text
    refused = http.post(
        "/api/v1/licences/", body, content_type=f"application/json; charset={charset}"
    )
    assert_shape(refused.json(), "unsupported_charset")


def test_utf8_json_with_its_charset_still_reaches_the_view(api, staff, make_token):
    response = api.post(
        "/api/v1/remixes/",
        b'{"title": "x"}',
        content_type="application/json; charset=UTF-8",
        **bearer(make_token(staff, "deposit")),
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] != "unsupported_charset"
