"""A deposited tool in the try-it frame cannot read the main site's cookies or act as the user."""

import json
import re
import urllib.request

import pytest
from django.conf import settings

from repository.models import Derivation
from tests.browser.support import SHOTS, new_context, published_inline
from tests.factories import build_zip, manifest

pytestmark = pytest.mark.django_db(transaction=True)

PROBE = """
const out = {origin: String(self.origin)};
try { out.cookie = document.cookie; } catch (e) { out.cookie = "blocked: " + e.name; }
try { out.storage = String(localStorage.length); } catch (e) { out.storage = "blocked: " + e.name; }
fetch("%(api)s", {credentials: "include"})
  .then(r => r.text().then(t => { out.api = r.status + " " + t.slice(0, 200); }))
  .catch(e => { out.api = "blocked: " + e.name; })
  .then(() => fetch("%(forks)s", {method: "POST", mode: "no-cors", credentials: "include",
      headers: {"Content-Type": "application/x-www-form-urlencoded"}, body: "institution=northfield"}))
  .then(r => { out.post = r ? "sent: " + r.type : "none"; }, e => { out.post = "blocked: " + e.name; })
  .then(() => { const el = document.getElementById("result");
    el.textContent = JSON.stringify(out); el.setAttribute("data-done", "1"); });
"""


def test_tool_in_try_it_frame_cannot_read_cookies_or_call_the_api_as_the_user(
    browser, site, staff, northfield, tmp_path
):
    target = published_inline(build_zip(tmp_path / "target.zip"), northfield, staff)
    api = f"{site}/api/v1/versions/{target.pk}/"
    forks = f"{site}/api/v1/versions/{target.pk}/forks/"
    files = {
        "index.html": b'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Probe</title>'
        b'<script src="probe.js" defer></script></head><body><pre id="result">running</pre></body></html>',
        "probe.js": (PROBE % {"api": api, "forks": forks}).encode(),
    }
    probe = published_inline(
        build_zip(tmp_path / "probe.zip", files, manifest_data=manifest(title="Probe")),
        northfield,
        staff,
    )
    context = new_context(browser, site, staff)
    page = context.new_page()
    page.goto(probe.get_absolute_url())
    # The main site's own scripts do see its (non-HttpOnly) CSRF cookie; the session is HttpOnly.
    names = {c["name"] for c in context.cookies(site)}
    assert settings.SESSION_COOKIE_NAME in names
    page.get_by_role("link", name="Start the tool here").click()
    frame_element = page.locator("iframe.tool")
    assert frame_element.get_attribute("sandbox") == "allow-scripts"
    assert (frame_element.get_attribute("src") or "").startswith(settings.CONTENT_ORIGIN + "/v/")
    frame = page.frame_locator("iframe.tool")
    result = frame.locator("#result[data-done]")
    result.wait_for()
    out = json.loads(result.text_content() or "")
    page.screenshot(path=str(SHOTS / "remixbank-try-it.png"))
    context.close()

    assert out["origin"] == "null"  # an opaque origin: no cookies, no storage of anyone's
    assert out["cookie"].startswith("blocked") or "sessionid" not in out["cookie"]
    assert settings.SESSION_COOKIE_NAME not in out["cookie"]
    assert out["storage"].startswith("blocked")
    assert out["api"].startswith("blocked"), out["api"]
    assert not Derivation.objects.filter(parent=target).exists()


# urlopen only ever sees the live server's http:// URLs here (ruff S310 is about file: URLs).
def test_content_origin_serves_files_sandboxed_and_main_site_does_not(
    site, staff, northfield, tmp_path
):
    version = published_inline(build_zip(tmp_path / "p.zip"), northfield, staff)
    content_url = f"{settings.CONTENT_ORIGIN}/v/{version.pk}/index.html"
    with urllib.request.urlopen(content_url) as content:  # noqa: S310
        headers = content.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Content-Security-Policy"].startswith("sandbox allow-scripts")
    assert "X-Frame-Options" not in headers  # the try-it frame must be able to embed it
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{site}/v/{version.pk}/index.html").close()  # noqa: S310
    assert refused.value.code == 404
    refused.value.close()
    with urllib.request.urlopen(f"{site}/") as main:  # noqa: S310
        csp = main.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and f"frame-src {settings.CONTENT_ORIGIN}" in csp
    assert re.search(r"frame-ancestors 'none'", csp)
