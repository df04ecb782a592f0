"""The content domain: each version's files on its own origin, sandboxed, never on the main origin."""

from urllib.parse import urlsplit

from repository.models import Version
from repository.validation import origins, serving
from tests.factories import stored_version


def host_of(url: str) -> str:
    return urlsplit(url).netloc


def get(client, url: str, **headers):
    response = client.get(urlsplit(url).path or "/", HTTP_HOST=host_of(url), **headers)
    if not response.streaming:
        return response, response.content
    body = b"".join(response.streaming_content)
    response.close()  # ends the request, as a server does, resetting the content origin's URLs
    return response, body


def test_published_version_is_served_on_its_own_origin_with_charset_and_sandbox(
    client, published, settings
):
    url = origins.url_of(published)
    assert url.startswith(f"http://v{published.pk}-") and host_of(url).endswith(
        "." + settings.CONTENT_HOST
    )
    response, body = get(client, url)
    assert response.status_code == 200
    assert body.startswith(b"<!doctype html>")
    assert response["Content-Type"] == "text/html; charset=utf-8"
    csp = response["Content-Security-Policy"]
    assert csp.startswith("sandbox allow-scripts allow-same-origin")
    assert "allow-top-navigation" not in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    # The origin's root is the entry point; a cached copy costs nothing the second time.
    root, _ = get(client, origins.origin_of(published) + "/")
    assert root.status_code == 200
    again, again_body = get(client, url, HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again_body == b""


def test_each_text_file_names_the_charset_it_decodes_in(client, db):
    version = stored_version(
        {
            "index.html": "<p>Élève, Straße, 中文</p>".encode(),
            "legacy.html": "<p>caf\xe9</p>".encode("cp1252"),
            "latin.html": b'<meta charset="iso-8859-1"><p>caf\xe9</p>',
            "data.json": '{"word": "ß"}'.encode(),
            "lib.mjs": b"export const x = 1;",
            "font.woff2": b"wOF2\x00\x01",
        }
    )
    origin = origins.origin_of(version)
    expected = {
        "index.html": "text/html; charset=utf-8",
        "legacy.html": "text/html; charset=windows-1252",
        "latin.html": "text/html; charset=iso-8859-1",
        "data.json": "application/json; charset=utf-8",
        "lib.mjs": "text/javascript; charset=utf-8",
        "font.woff2": "font/woff2",
    }
    for path, content_type in expected.items():
        response, _ = get(client, f"{origin}/{path}")
        assert response.status_code == 200, path
        assert response["Content-Type"] == content_type, path


def test_origins_differ_per_version_and_a_forged_token_is_refused(client, published):
    other = stored_version({"index.html": b"<p>other</p>"})
    assert origins.origin_of(other) != origins.origin_of(published)
    assert origins.origin_of(published) == origins.origin_of(published.pk)  # stable
    real = host_of(origins.origin_of(published))
    label, rest = real.split(".", 1)
    forged = f"v{other.pk}-{label.split('-', 1)[1]}.{rest}"  # published's token, other's id
    response = client.get("/index.html", HTTP_HOST=forged)
    assert response.status_code == 404
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Security-Policy"] == serving.CONTENT_CSP


def test_unpublished_version_is_only_on_its_preview_origin(client, db):
    draft = stored_version({"index.html": b"<p>draft</p>"}, state=Version.State.PASSED)
    assert origins.url_of(draft).startswith(f"http://p{draft.pk}-")
    preview, body = get(client, origins.url_of(draft))
    assert preview.status_code == 200 and body == b"<p>draft</p>"
    assert preview["Cache-Control"] == "no-store"
    public, body = get(client, origins.origin_of(draft) + "/index.html")
    assert public.status_code == 404
    assert b"not published" in body
    draft.state = Version.State.PUBLISHED
    draft.save(update_fields=["state"])
    moved, _ = get(client, origins.origin_of(draft, preview=True) + "/index.html")
    assert moved.status_code == 302
    assert moved["Location"] == origins.origin_of(draft) + "/index.html"


def test_folder_without_its_slash_redirects_to_the_folder(client, db):
    version = stored_version({"index.html": b"<p>x</p>", "docs/index.html": b"<p>docs</p>"})
    response, _ = get(client, origins.origin_of(version) + "/docs")
    assert response.status_code == 301 and response["Location"] == "/docs/"
    inside, body = get(client, origins.origin_of(version) + "/docs/")
    assert inside.status_code == 200 and body == b"<p>docs</p>"


def test_missing_file_says_so_in_plain_text(client, published):
    response, body = get(client, origins.origin_of(published) + "/nowhere.js")
    assert response.status_code == 404
    assert b"nowhere.js is not a file of this version" in body


def test_old_per_path_address_redirects_to_the_version_origin(client, published, settings):
    response = client.get(f"/v/{published.pk}/index.html", HTTP_HOST=settings.CONTENT_HOST)
    assert response.status_code == 301
    assert response["Location"] == origins.url_of(published)


def test_content_is_not_served_from_the_main_origin(client, published):
    assert client.get(f"/v/{published.pk}/index.html").status_code == 404


def test_content_domain_serves_nothing_of_the_main_site(client, published, settings):
    assert client.get("/admin/", HTTP_HOST=settings.CONTENT_HOST).status_code == 404
    response, body = get(client, origins.origin_of(published) + "/admin/")
    assert response.status_code == 404 and b"admin/index.html is not a file" in body


def test_withdrawn_version_is_no_longer_served_to_anyone_but_its_staff(client, published, staff):
    from repository.actions.publishing import withdraw_version

    public_url = origins.url_of(published)
    withdraw_version(published, by=staff, reason="It asks learners for their passwords.")
    published.refresh_from_db()
    response, body = get(client, public_url)
    assert response.status_code == 404 and b"no longer is" in body
    legacy = client.get(
        f"/v/{published.pk}/index.html", HTTP_HOST=urlsplit(public_url).netloc.split(".", 1)[1]
    )
    assert legacy.status_code == 404
    # Its page stays, without the tool: no address of it on either origin for the public.
    page = client.get(published.get_absolute_url()).content.decode()
    assert host_of(public_url) not in page
    assert host_of(origins.origin_of(published, preview=True)) not in page
    # Its staff can still look at it, on its preview origin.
    assert origins.url_of(published).startswith(f"http://p{published.pk}-")
    client.force_login(staff)
    assert (
        host_of(origins.url_of(published))
        in client.get(published.get_absolute_url()).content.decode()
    )
    preview, _ = get(client, origins.url_of(published))
    assert preview.status_code == 200 and preview["Cache-Control"] == "no-store"


def test_content_host_spelled_with_a_trailing_dot_or_default_port_is_never_the_main_site(
    client, published, settings
):
    settings.CONTENT_ORIGIN = "https://content.example"
    settings.CONTENT_HOST = "content.example"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, ".content.example"]
    label = host_of(origins.origin_of(published)).split(".", 1)[0]
    for host in ("content.example.", "content.example:443", "CONTENT.example.:443"):
        response = client.get("/admin/", HTTP_HOST=host, secure=True)
        assert response.status_code == 404, (
            host
        )  # the main site's admin would redirect to its login
    for host in (f"{label}.content.example.", f"{label}.content.example:443"):
        response, body = get(client, f"https://{host}/index.html")
        assert response.status_code == 200 and body.startswith(b"<!doctype html>"), host
        assert response["Content-Security-Policy"] == serving.CONTENT_CSP
    for host in (f"{label}.content.example:8443", "x.content.example."):
        response = client.get("/admin/", HTTP_HOST=host, secure=True)
        assert response.status_code == 404, host
