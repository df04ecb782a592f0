"""The three journeys end to end in Chromium, with a live Celery worker validating each version."""

import re

import pytest
from playwright.sync_api import expect

from repository.actions.deposits import deposit_package
from repository.models import Contribution, Derivation, Version
from tests.browser.support import (
    SHOTS,
    new_context,
    page_weight,
    scenario_zip,
    settled,
    tool_zip,
    verdict_shown,
)

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
VERDICT = 90_000


def published_by_worker(package, institution, by) -> Version:
    return settled(deposit_package(package=package, institution=institution, by=by))


def test_staff_deposits_a_tool_and_publishes_it_after_validation_passes(
    browser, site, worker, staff, northfield, tmp_path
):
    context = new_context(browser, site, staff)
    page = context.new_page()
    page.goto("/deposit/")
    page.get_by_label("Institution").select_option(label="Northfield University")
    page.get_by_label("Package").set_input_files(tool_zip(tmp_path))
    page.get_by_label("Publish automatically when validation passes").uncheck()
    page.get_by_role("button", name="Deposit").click()
    page.wait_for_url(re.compile(r"/i/northfield/[\w-]+/v1/$"))
    # The page follows the worker step by step, then reloads with the verdict.
    expect(page.locator("#steps li").first).to_be_visible()
    verdict_shown(page, "Validation passed", timeout=VERDICT)
    expect(page.locator("#steps")).to_contain_text("run: Passed")
    page.get_by_role("button", name="Publish this version").click()
    expect(page.locator("#version-state")).to_have_text("Published")
    version = Version.objects.get(resource__institution=northfield)
    assert version.state == Version.State.PUBLISHED
    page.screenshot(path=str(SHOTS / "remixbank-version.png"), full_page=True)
    page.goto("/")
    expect(page.get_by_role("img", name=re.compile("Screenshot of the tool"))).to_be_visible()
    page.screenshot(path=str(SHOTS / "remixbank-home.png"), full_page=True)
    context.close()


def test_staff_of_another_institution_forks_the_tool_and_remixes_it_with_a_scenario(
    browser, site, worker, staff, outsider, northfield, southbank, tmp_path
):
    tool = published_by_worker(tool_zip(tmp_path), northfield, staff)
    scenario = published_by_worker(scenario_zip(tmp_path), southbank, outsider)
    assert (tool.state, scenario.state) == ("published", "published")
    context = new_context(browser, site, outsider)
    page = context.new_page()

    page.goto(tool.get_absolute_url())
    page.get_by_role("main").get_by_role("link", name="Fork", exact=True).click()
    page.get_by_label("Institution").select_option(label="Southbank College")
    page.get_by_label("Title").fill("Sun path explorer (Southbank)")
    page.get_by_role("button", name="Fork").click()
    page.wait_for_url(re.compile(r"/i/southbank/[\w-]+/v1/$"))
    verdict_shown(page, "Validation passed", timeout=VERDICT)
    fork = Version.objects.get(resource__title="Sun path explorer (Southbank)")
    assert Derivation.objects.filter(child=fork, parent=tool, kind="fork").exists()

    page.get_by_role("main").get_by_role("link", name="Remix", exact=True).click()
    page.get_by_label("Find another work to add").fill("Solar tracker")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("link", name=re.compile(r"^Add Solar tracker")).click()
    licence = page.locator("#licence-title + div")
    expect(licence).to_contain_text("CC BY-SA 4.0")
    expect(page.get_by_text("Why not others?")).to_be_visible()
    page.screenshot(path=str(SHOTS / "remixbank-remix-builder.png"), full_page=True)
    groups = page.locator("fieldset")
    groups.nth(0).get_by_label("Everything").check()
    groups.nth(0).get_by_label(re.compile("^Place the files")).fill("tool/")
    groups.nth(1).get_by_label("hill_tracker.json").check()
    groups.nth(1).get_by_label(re.compile("^Place the files")).fill("scenario/")
    page.get_by_label("Remix: one new work").check()
    page.get_by_label("Institution").select_option(label="Southbank College")
    page.get_by_label("Title").fill("Sun and tracker lab")
    page.get_by_label("Entry point").fill("tool/index.html")
    page.get_by_role("button", name="Make it").click()
    page.wait_for_url(re.compile(r"/i/southbank/[\w-]+/v1/$"))
    expect(page.locator("h1")).to_contain_text("Sun and tracker lab")
    expect(page.get_by_text("Derived from")).to_contain_text("Solar tracker on a hill")
    verdict_shown(page, "Validation passed", timeout=VERDICT)
    remix = Version.objects.get(resource__title="Sun and tracker lab")
    assert set(remix.parent_edges.values_list("parent", "kind")) == {
        (fork.pk, "remix"),
        (scenario.pk, "remix"),
    }
    assert remix.licence == "CC-BY-SA-4.0"
    context.close()


def test_student_contributes_a_change_that_staff_review_and_merge(
    browser, site, worker, staff, student, northfield, tmp_path
):
    tool = published_by_worker(tool_zip(tmp_path), northfield, staff)
    context = new_context(browser, site, student)
    page = context.new_page()
    page.goto(tool.get_absolute_url())
    page.get_by_role("link", name="Propose a change").click()
    page.get_by_role("link", name="index.html", exact=True).click()
    editor = page.get_by_label("Content")
    text = editor.input_value()
    assert "Move the sliders." in text
    editor.fill(text.replace("Move the sliders.", "Move the sliders and watch the curve."))
    page.get_by_label("Description").fill("Say what to watch for.")
    page.get_by_role("button", name="Propose").click()
    page.wait_for_url(re.compile(r"/contributions/\d+/$"))
    expect(page.get_by_text("Checks passed")).to_be_visible()
    context.close()

    context = new_context(browser, site, staff)
    page = context.new_page()
    page.goto("/review/")
    expect(page.get_by_role("heading", name=re.compile("to Sun path explorer"))).to_be_visible()
    page.screenshot(path=str(SHOTS / "remixbank-review-queue.png"), full_page=True)
    page.get_by_role("link", name=re.compile(r"^Review #\d+")).click()
    expect(page.locator("pre.diff")).to_contain_text("watch the curve")
    page.get_by_label("Comment").fill("Thank you, Charlie.")
    page.get_by_role("button", name="Approve and merge").click()
    page.wait_for_url(re.compile(r"/v2/$"))
    # The merged version is validated by the worker like any deposit, then published on a pass.
    verdict_shown(page, "Validation passed", timeout=VERDICT)
    merged = Contribution.objects.get().merged_version
    assert merged is not None and merged.number == 2
    assert settled(merged).state == Version.State.PUBLISHED
    assert merged.validation_runs.get().state == "passed"
    expect(page.get_by_text("Contributors:")).to_contain_text("Charlie")
    page.goto(f"/people/{student.pk}/")
    expect(page.get_by_role("main")).to_contain_text("Say what to watch for.")
    context.close()


def test_resource_page_is_under_100_kb_on_first_visit(
    browser, site, worker, staff, northfield, tmp_path
):
    tool = published_by_worker(tool_zip(tmp_path), northfield, staff)
    assert "screenshot" in str(tool.validation_runs.get().steps.get(name="run").artefacts)
    weight = page_weight(browser, site, tool.resource.get_absolute_url())
    print(f"resource page: {weight['bytes']} bytes, {weight['load_ms']:.0f} ms, {weight['urls']}")
    assert weight["bytes"] < 100 * 1024
