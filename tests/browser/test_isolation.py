"""A deposited tool in the try-it frame runs on its version's own origin and reaches nothing else:
not the user's cookies, not the API as the user, not another version's storage, not the page
that embeds it."""

import http.client
import json
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from repository.models import Derivation
from repository.validation import origins, serving
from tests.browser.support import SHOTS, everyday_context, published_inline
from tests.factories import build_zip, manifest

pytestmark = pytest.mark.django_db(transaction=True)

# The other version keeps a secret in its own storage when it runs.
KEEPER = b"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Keeper</title></head>
<body><p id="kept">keeping</p><script>
localStorage.setItem("secret", "kept-by-the-other-version");
document.getElementById("kept").setAttribute("data-done", "1");
</script></body></html>"""

PROBE = """
const out = {origin: String(self.origin)};
try { out.cookie = document.cookie; } catch (e) { out.cookie = "blocked: " + e.name; }
try { out.ownStorage = localStorage.getItem("secret"); } catch (e) { out.ownStorage = "blocked: " + e.name; }
const report = () => { const el = document.getElementById("result");
  el.textContent = JSON.stringify(out); el.setAttribute("data-done", "1"); };
const other = document.createElement("iframe");
other.src = "%(other)s";
other.onload = () => {
  try { out.otherStorage = other.contentWindow.localStorage.getItem("secret"); }
  catch (e) { out.otherStorage = "blocked: " + e.name; }
  try { top.location.href = "%(away)s"; out.top = "navigated"; }
  catch (e) { out.top = "blocked: " + e.name; }
  fetch("%(api)s", {credentials: "include"})
    .then(r => r.text().then(t => { out.api = r.status + " " + t.slice(0, 200); }))
    .catch(e => { out.api = "blocked: " + e.name; })
    .then(() => fetch("%(forks)s", {method: "POST", credentials: "include",
        headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: "institution=northfield"}))
    .then(r => { out.post = r.status; }, e => { out.post = "blocked: " + e.name; })
    .then(() => fetch("%(forks)s", {method: "POST", mode: "no-cors", credentials: "include",
        headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: "institution=northfield"}))
    .then(r => { out.blindPost = "sent: " + r.type; }, e => { out.blindPost = "blocked: " + e.name; })
    .then(report);
};
document.body.appendChild(other);
"""


def test_tool_in_try_it_frame_reaches_neither_the_user_nor_other_versions(
    browser, site, staff, northfield, tmp_path
):
    target = published_inline(build_zip(tmp_path / "target.zip"), northfield, staff)
    keeper = published_inline(
        build_zip(
            tmp_path / "k.zip", {"index.html": KEEPER}, manifest_data=manifest(title="Keeper")
        ),
        northfield,
        staff,
    )
    script = PROBE % {
        "other": origins.url_of(keeper),
        "away": f"{site}/accounts/login/?from=tool",
        "api": f"{site}/api/v1/versions/{target.pk}/",
        "forks": f"{site}/api/v1/versions/{target.pk}/forks/",
    }
    files = {
        "index.html": b'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Probe</title>'
        b'<script src="probe.js" defer></script></head><body><pre id="result">running</pre></body></html>',
        "probe.js": script.encode(),
    }
    # A hostile tool declares what it reaches for, so it is published and runs in try-it.
    declared = [origins.origin_of(keeper) + "/", site + "/"]
    probe = published_inline(
        build_zip(
            tmp_path / "probe.zip",
            files,
            manifest_data=manifest(title="Probe", external_resources=declared),
        ),
        northfield,
        staff,
    )
    # An everyday profile, whose defaults give embedded frames storage (and would send
    # third-party cookies, were the site's not SameSite=Lax): the frame's own origin is all
    # that keeps the tool from the rest.
    context = everyday_context(browser, site, tmp_path / "profile", staff)
    page = context.new_page()
    # The user has used the other tool: its origin's storage holds its secret.
    page.goto(origins.url_of(keeper))
    page.locator("#kept[data-done]").wait_for()
    page.goto(probe.get_absolute_url())
    names = {c["name"] for c in context.cookies(site)}
    assert settings.SESSION_COOKIE_NAME in names
    page.get_by_role("link", name="Start the tool here").click()
    frame_element = page.locator("iframe.tool")
    assert frame_element.get_attribute("sandbox") == " ".join(serving.SANDBOX_FLAGS)
    assert frame_element.get_attribute("src") == origins.url_of(probe)
    result = page.frame_locator("iframe.tool").locator("#result[data-done]")
    result.wait_for()
    out = json.loads(result.text_content() or "")
    page.screenshot(path=str(SHOTS / "remixbank-try-it.png"))
    top_url = page.url
    context.close()

    # Its own origin, the version's: not the site's, not opaque.
    assert out["origin"] == origins.origin_of(probe)
    assert settings.SESSION_COOKIE_NAME not in out["cookie"]
    assert "csrftoken" not in out["cookie"]
    assert out["ownStorage"] is None  # the other version's secret is not in this origin's
    assert out["otherStorage"].startswith("blocked: SecurityError"), out["otherStorage"]
    assert out["top"].startswith("blocked"), out["top"]
    assert top_url.startswith(site + probe.get_absolute_url())  # still the version page
    assert out["api"].startswith("blocked"), out["api"]
    assert out["post"].startswith("blocked"), out["post"]
    assert not Derivation.objects.filter(parent=target).exists()  # the blind POST did nothing


def fetch(url: str, host: str | None = None) -> http.client.HTTPResponse:
    """GET `url` from the live server, sending `host` as the Host (no resolver knows *.localhost)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=10)
    connection.request("GET", parts.path or "/", headers={"Host": host or parts.netloc})
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_version_origin_serves_files_sandboxed_and_main_site_does_not(
    site, staff, northfield, tmp_path
):
    version = published_inline(build_zip(tmp_path / "p.zip"), northfield, staff)
    url = origins.url_of(version)
    content = fetch(url)
    assert content.status == 200
    assert content.headers["Content-Type"] == "text/html; charset=utf-8"
    assert content.headers["X-Content-Type-Options"] == "nosniff"
    assert content.headers["Content-Security-Policy"] == serving.CONTENT_CSP
    assert "X-Frame-Options" not in content.headers  # the try-it frame must be able to embed it
    assert fetch(f"{site}/index.html", host=urlsplit(url).netloc).status == 200
    assert fetch(f"{site}/v/{version.pk}/index.html").status == 404
    main = fetch(f"{site}/")
    csp = main.headers["Content-Security-Policy"]
    content_domain = urlsplit(settings.CONTENT_ORIGIN).netloc
    assert "script-src 'self'" in csp and f"frame-src http://*.{content_domain};" in csp
    assert "frame-ancestors 'none'" in csp
