"""A student's journey in Chromium: the menu, the deposit page's explanation, a fork into a draft."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from repository.models import Derivation, Resource, Version
from tests.browser.support import new_context, published_inline, tool_zip

pytestmark = pytest.mark.django_db(transaction=True)


def shots(tmp_path: Path) -> Path:
    """Where the pages' screenshots go: REMIXBANK_SHOTS to look at them, else the test's folder."""
    folder = Path(os.environ.get("REMIXBANK_SHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_a_student_is_shown_what_they_may_do_and_forks_into_a_draft_of_their_own(
    browser, site, staff, student, northfield, tmp_path
):
    tool = published_inline(tool_zip(tmp_path), northfield, staff)
    folder = shots(tmp_path)
    context = new_context(browser, site, student)
    page = context.new_page()

    page.goto("/")
    menu = page.get_by_role("navigation", name="Main")
    expect(menu.get_by_role("link", name="Remix", exact=True)).to_be_visible()
    expect(menu.get_by_role("link", name="Deposit", exact=True)).to_have_count(0)
    expect(menu.get_by_role("link", name="Review", exact=True)).to_have_count(0)

    response = page.goto("/deposit/")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("Depositing is for staff")
    expect(page.get_by_text("Fork a published work into a draft of your own")).to_be_visible()
    expect(page.locator("input[type=file]")).to_have_count(0)
    page.screenshot(path=str(folder / "student-deposit.png"), full_page=True)

    Resource.objects.filter(pk=tool.resource.pk).update(
        contribution_policy=Resource.ContributionPolicy.STAFF
    )
    page.goto(tool.get_absolute_url())
    expect(page.locator("#contribution-refusal")).to_have_text(
        "“Sun path explorer” accepts contributions only from staff of Northfield University; "
        "fork it into a draft of your own instead."
    )
    expect(page.get_by_role("link", name="Propose a change")).to_have_count(0)
    page.get_by_role("link", name="Fork", exact=True).click()
    expect(page.locator("#fork-draft")).to_contain_text("your fork is a draft of your own")
    page.screenshot(path=str(folder / "student-fork.png"), full_page=True)
    page.get_by_label("Title").fill("Sun path explorer, Charlie's edition")
    page.get_by_role("button", name="Fork").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Charlie's edition")
    expect(page.locator("#draft-note")).to_contain_text("This is your draft")
    expect(page.locator(".meta").first).to_contain_text("Learning tool by Charlie")
    fork = Version.objects.get(pk=Derivation.objects.get(parent=tool).child_id)
    assert (fork.created_by, fork.authors) == (student, ["Charlie"])
    expect(page.get_by_role("button", name="Publish this version")).to_have_count(0)
    page.screenshot(path=str(folder / "student-draft.png"), full_page=True)

    page.get_by_role("link", name="Deposit a new version").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deposit a new version of your draft")
    expect(page.get_by_label("Your draft")).to_have_value(str(fork.resource.pk))
    expect(page.get_by_label("Publish automatically when validation passes")).to_have_count(0)
    page.screenshot(path=str(folder / "student-deposit-draft.png"), full_page=True)
    context.close()
