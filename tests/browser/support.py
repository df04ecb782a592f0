"""Helpers for the browser tests: signed-in contexts, packages, verdicts, axe, page weight."""

import json
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import Browser, BrowserContext, Page, expect

from repository.actions.deposits import deposit_package
from repository.management.commands.load_demo import (
    DEMO_DIR,
    SCENARIO_DIR,
    scenario_manifest,
    zip_folder,
)
from repository.models import Institution, Version
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.factories import validated
from tests.worker import wait_for

SHOTS = Path(tempfile.gettempdir())


def tool_zip(folder: Path, changelog: str | None = None) -> Path:
    """The demo tool; with `changelog`, a package that differs from it (a new version)."""
    manifest = None
    if changelog is not None:
        manifest = {**json.loads((DEMO_DIR / "sun-path-explorer" / "remixbank.json").read_text())}
        manifest["changelog"] = changelog
    return zip_folder(DEMO_DIR / "sun-path-explorer", folder / "sun-path-explorer.zip", manifest)


def scenario_zip(folder: Path) -> Path:
    return zip_folder(SCENARIO_DIR, folder / "scenario.zip", scenario_manifest())


def published_inline(package: Path, institution: Institution, by: Any) -> Version:
    """Deposit, and validate here too: whichever of this process and a live worker claims the
    run first finishes it (claims are serialised by a row lock), so the fixture needs no wait
    for a queue."""
    version = deposit_package(package=package, institution=institution, by=by)
    validated(version.pk)

    def published() -> bool:
        version.refresh_from_db()
        return version.state == Version.State.PUBLISHED

    assert wait_for(published, timeout=120), version.state
    return version


def new_context(browser: Browser, site: str, user: Any = None, **options: Any) -> BrowserContext:
    """A fresh browser profile (no cache, no cookies), signed in as `user` if given.

    Off the record, as an incognito window: Chromium then blocks third-party cookies and the
    storage of embedded frames from other sites (the try-it frame's localStorage among them).
    """
    context = browser.new_context(base_url=site, **options)
    return signed_in(context, site, user)


# Chrome as shipped lets a frame embedded from another site keep storage of its own,
# partitioned by the embedding site (as Firefox and Safari do); this Chromium build turns on the
# third-party-cookie phase-out, which denies such a frame localStorage altogether.
EVERYDAY_ARGS = [*CHROMIUM_ARGS, "--disable-features=TrackingProtection3pcd"]


def everyday_context(
    browser: Browser, site: str, profile: Path, user: Any = None, **options: Any
) -> BrowserContext:
    """A learner's everyday browser: a profile on disk (in `profile`) with Chrome's shipped
    cookie settings, in which the try-it frame (another site) keeps its own storage."""
    context = browser.browser_type.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        args=EVERYDAY_ARGS,
        headless=True,
        base_url=site,
        **options,
    )
    return signed_in(context, site, user)


def signed_in(context: BrowserContext, site: str, user: Any = None) -> BrowserContext:
    context.set_default_timeout(15_000)
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
        context.add_cookies(
            [
                {
                    "name": django_settings.SESSION_COOKIE_NAME,
                    "value": cookie.value,
                    "url": site,
                    "httpOnly": True,
                    "sameSite": "Lax",
                }
            ]
        )
    return context


def settled(version: Version, timeout: float = 90) -> Version:
    """Wait until the worker has given `version` a verdict."""

    def done() -> bool:
        version.refresh_from_db()
        return version.state not in {Version.State.UPLOADED, Version.State.VALIDATING}

    assert wait_for(done, timeout=timeout), f"{version} still {version.state}"
    return version


def verdict_shown(page: Page, badge: str, timeout: float = 90_000) -> None:
    """Wait until the version page shows `badge` and has reloaded with the verdict.

    The live page updates the badge first and reloads 600 ms later; a click made in between is
    lost to the reload, so a journey goes on only once the reloaded page has stopped polling.
    """
    expect(page.locator("#validation-badge")).to_have_text(badge, timeout=timeout)
    expect(page.locator("#validation:not([data-live])")).to_be_attached(timeout=timeout)
    page.wait_for_load_state()


def axe_violations(page: Page, source: str) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the page as it is now."""
    page.add_script_tag(content=source)
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result
        if v["impact"] in {"serious", "critical"}
    ]


def page_weight(browser: Browser, site: str, path: str, user: Any = None) -> dict[str, float]:
    """Bytes transferred (as the network reports them) and load time of a first visit."""
    context = new_context(browser, site, user)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    sizes: dict[str, float] = {}
    urls: dict[str, str] = {}
    cdp.on(
        "Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"])
    )
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    page.goto(path, wait_until="load")
    page.wait_for_load_state("networkidle")
    timing = json.loads(
        page.evaluate("() => JSON.stringify(performance.getEntriesByType('navigation')[0])")
    )
    context.close()
    return {
        "bytes": sum(sizes.values()),
        "requests": len(sizes),
        "load_ms": timing["loadEventEnd"] - timing["startTime"],
        "urls": sorted(urls.get(k, k) for k in sizes),
    }
