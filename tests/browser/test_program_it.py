"""A learner programs the solar tracker in Chromium, in code and in blocks; the teacher sees it."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect

from repository.management.commands.load_demo import SCENARIO_DIR
from repository.models import Attempt
from tests.browser.support import new_context
from tests.factories import published_scenario
from tests.worker import celery_worker, purge

pytestmark = pytest.mark.django_db(transaction=True)

CODE = (SCENARIO_DIR / "difference_controller.py").read_text()


@pytest.fixture(scope="module")
def attempts_workers(django_db_setup, django_db_blocker, web_blobs: Path) -> Iterator[object]:
    """A trusted worker (dispatch, results) and an untrusted one on the attempts queue."""
    web_blobs.mkdir(parents=True, exist_ok=True)
    with django_db_blocker.unblock():
        purge("attempts", "checks", "results")
        with celery_worker(blob_dir=web_blobs, queues="checks,attempts") as worker:
            yield worker


def test_a_learner_runs_code_and_blocks_and_the_teacher_sees_the_table(
    browser, site, attempts_workers, northfield, staff, student, tmp_path
):
    scenario = published_scenario(tmp_path, northfield, staff)
    context = new_context(browser, site, student)
    page = context.new_page()
    page.goto(scenario.get_absolute_url())
    page.get_by_role("link", name="Program it").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Program it")
    expect(page.get_by_text("degrees per second").first).to_be_visible()
    editor = page.locator(".cm-content")
    expect(editor).to_be_visible()  # the vendored CodeMirror, served by the site
    expect(editor).to_contain_text("GAIN = 2.0")  # the starter controller
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(CODE)  # as a paste would
    page.get_by_role("button", name="Run").click()
    expect(page.locator("#score")).to_contain_text("Score", timeout=240_000)
    expect(page.get_by_role("img", name="Plot of your run: power")).to_be_visible()
    expect(page.get_by_role("cell", name="fixed panel")).to_have_count(0)
    expect(page.get_by_role("columnheader", name="fixed panel")).to_be_visible()
    first = Attempt.objects.get()
    assert first.state == Attempt.State.PASSED and first.score is not None and first.score > 0.9
    assert first.code == CODE

    page.get_by_role("link", name="Program it:").click()
    page.get_by_role("button", name="Use blocks instead").click()
    expect(page.locator(".blocklySvg")).to_be_visible(timeout=30_000)
    expect(editor).to_contain_text("def control(sensors, state):")
    expect(editor).to_contain_text("return (west - east) * 100")
    page.get_by_role("button", name="Run").click()
    expect(page.locator("#score")).to_contain_text("Score", timeout=240_000)
    blocks = Attempt.objects.filter(from_blocks=True).get()
    assert "west, east = sensors" in blocks.code
    expect(page.get_by_role("heading", name="The code (made from blocks)")).to_be_visible()
    context.close()

    teacher = new_context(browser, site, staff)
    table = teacher.new_page()
    table.goto(scenario.get_absolute_url() + "attempts/")
    row = table.locator("#attempts-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Charlie")
    expect(row.locator("td").nth(1)).to_have_text("2")
    teacher.close()
