"""A tool that uses what real tools use passes validation by the real worker and works in try-it.

The same files, the same origin shape and the same headers in both places: what validation
passed is what the learner gets (issue: "works fine in the test environment", broken in class).
"""

import pytest

from repository.actions.deposits import deposit_package
from repository.models import ValidationRun, Version
from repository.validation import origins
from tests.browser.support import SHOTS, everyday_context, settled
from tests.factories import CREDIT_LINKS, build_zip, features_manifest, features_tool_files

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_tool_with_xhr_modules_worker_storage_frames_and_font_passes_and_works_in_try_it(
    browser, site, worker, staff, northfield, tmp_path
):
    package = build_zip(
        tmp_path / "atelier.zip", features_tool_files(), manifest_data=features_manifest()
    )
    version = settled(deposit_package(package=package, institution=northfield, by=staff))
    run = ValidationRun.objects.filter(version=version).latest("pk")
    messages = [m for step in run.steps.all() for m in step.messages]
    assert version.state == Version.State.PUBLISHED, messages
    assert run.steps.get(name="run").status == "passed", messages

    context = everyday_context(browser, site, tmp_path / "profile")  # a learner
    page = context.new_page()
    page.goto(version.get_absolute_url())
    page.get_by_role("link", name="Start the tool here").click()
    assert page.locator("iframe.tool").get_attribute("src") == origins.url_of(version)
    frame = page.frame_locator("iframe.tool")
    frame.locator("body[data-ready]").wait_for()
    shown = {
        name: frame.locator(f"#{name}").text_content()
        for name in ("json", "module", "worker", "storage", "frame-message", "frame-parent")
    }
    font = frame.locator("#font").text_content()
    words = frame.locator("#words").text_content()
    title = frame.locator("#title").text_content()
    credits = [
        frame.locator("footer a").nth(i).get_attribute("href") for i in range(len(CREDIT_LINKS))
    ]
    page.screenshot(path=str(SHOTS / "remixbank-try-it-features.png"))
    own_tab = context.new_page()
    own_tab.goto(origins.url_of(version))
    own_tab.locator("body[data-ready]").wait_for()
    # Chromium partitions the frame's storage by the embedding site, as Firefox and Safari do:
    # the tool opened in a tab of its own does not see the visit it counted in the frame.
    own_storage = own_tab.locator("#storage").text_content()
    context.close()

    assert shown == {
        "json": "5 mots",  # its own JSON, by XHR from its own origin
        "module": "Bonjour, élève",  # an ES module imported by another
        "worker": "6 fois 7 font 42",  # a web worker answered
        "storage": "visite 1",  # localStorage of its own origin
        "frame-message": "Cadre intérieur: élève",  # a nested frame's postMessage, decoded as UTF-8
        "frame-parent": "Atelier des mo",  # the nested frame scripted its (same-origin) parent
    }
    assert own_storage == "visite 1"
    assert font == "Atelier Mono"  # the web font it brings
    assert words == "élève, Straße, 中文, naïveté, façade"
    assert title == "Atelier des mots — élève, Straße, 中文"
    assert credits == list(CREDIT_LINKS)
