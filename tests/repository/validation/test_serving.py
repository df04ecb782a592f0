"""How a version's files are named, typed and headed on its origin (plain logic, no browser)."""

import codecs

import pytest

from repository.validation import serving

KEY = b"test-key"


def test_origin_is_stable_per_version_and_differs_between_versions_and_kinds():
    first = serving.version_origin("v", 7, content_origin="https://c.example.net", key=KEY)
    assert first == serving.version_origin("v", 7, content_origin="https://c.example.net", key=KEY)
    assert first.startswith("https://v7-") and first.endswith(".c.example.net")
    assert first != serving.version_origin("v", 8, content_origin="https://c.example.net", key=KEY)
    assert first != serving.version_origin("p", 7, content_origin="https://c.example.net", key=KEY)
    assert first != serving.version_origin("v", 7, content_origin="https://c.example.net", key=b"x")


def test_only_a_genuine_version_host_is_recognised():
    origin = serving.version_origin("p", 12, content_origin="http://localhost:8001", key=KEY)
    host = origin.split("//", 1)[1]
    assert serving.version_of_host(host, content_host="localhost:8001", key=KEY) == ("p", 12)
    label = host.split(".", 1)[0]
    token = label.split("-", 1)[1]
    for forged in (
        f"p13-{token}.localhost:8001",  # another id with this token
        f"v12-{token}.localhost:8001",  # the preview's token on the published name
        f"p012-{token}.localhost:8001",  # the same id spelled otherwise
        f"{label}.localhost:8002",  # another port
        f"{label}.evil.localhost:8001",  # deeper under the domain
        "localhost:8001",
    ):
        assert serving.version_of_host(forged, content_host="localhost:8001", key=KEY) is None


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("js/app.mjs", "text/javascript"),
        ("worker.js", "text/javascript"),
        ("fonts/a.woff2", "font/woff2"),
        ("data/x.JSON", "application/json"),
        ("a.wasm", "application/wasm"),
        ("README", "application/octet-stream"),
        ("v1.2/readme", "application/octet-stream"),
    ],
)
def test_types_come_from_the_name_the_same_on_every_machine(path, kind):
    assert serving.content_type(path) == kind


@pytest.mark.parametrize(
    ("kind", "body", "charset"),
    [
        ("text/html", "élève".encode(), "utf-8"),
        ("text/html", codecs.BOM_UTF16_LE + "é".encode("utf-16-le"), "utf-16le"),
        ("text/html", b'<meta charset="ISO-8859-15"><p>\xa4</p>', "iso-8859-15"),
        ("text/html", b'<meta charset="no-such-thing"><p>\xe9</p>', "windows-1252"),
        ("text/css", b'@charset "iso-8859-1";\nbody{content:"\xe9"}', "iso-8859-1"),
        ("text/javascript", b"const s = '\xe9';", "windows-1252"),
        ("application/json", None, "utf-8"),  # too large to read first
        ("image/png", b"\x89PNG", None),
        ("font/ttf", b"\x00\x01", None),
    ],
)
def test_each_text_type_names_its_charset(kind, body, charset):
    assert serving.charset_of(kind, body) == charset


def test_request_paths_map_to_package_paths():
    assert serving.file_path("/", "index.html") == "index.html"
    assert serving.file_path("", "app/start.html") == "app/start.html"
    assert serving.file_path("/docs/", "index.html") == "docs/index.html"
    assert serving.file_path("/a/b.js", "index.html") == "a/b.js"
    assert serving.folder_redirect_headers("docs")["Location"] == "/docs/"
    assert serving.folder_redirect_headers("é t")["Location"] == "/%C3%A9%20t/"


def test_headers_sandbox_the_file_in_its_own_origin_and_never_let_it_navigate_the_top():
    headers = serving.response_headers(
        "index.html", b"<p>x</p>", size=8, etag="abc", immutable=True
    )
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    csp = headers["Content-Security-Policy"]
    assert csp.startswith("sandbox ") and "allow-same-origin" in csp and "allow-scripts" in csp
    assert "allow-top-navigation" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["ETag"] == '"abc"'
    preview = serving.response_headers("a.png", None, size=1, etag="d", immutable=False)
    assert preview["Content-Type"] == "image/png" and preview["Cache-Control"] == "no-store"
