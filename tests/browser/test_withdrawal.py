"""Withdrawing in Chromium: staff confirm with a reason; a visitor still finds the work, and why it went."""

import pytest
from playwright.sync_api import expect

from repository.models import Version
from tests.browser.support import new_context, published_inline, tool_zip

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_withdraw_with_a_reason_and_visitors_see_the_withdrawn_work(
    browser, site, staff, northfield, tmp_path
):
    tool = published_inline(tool_zip(tmp_path), northfield, staff)
    context = new_context(browser, site, staff)
    page = context.new_page()
    page.goto(tool.get_absolute_url())
    page.get_by_role("link", name="Withdraw this version…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Withdraw Sun path explorer")
    page.get_by_role("button", name="Withdraw v1").click()  # the reason is required
    tool.refresh_from_db()
    assert tool.state == Version.State.PUBLISHED
    page.get_by_label("Why are you withdrawing it?").fill("The elevation is off by a degree.")
    page.get_by_role("button", name="Withdraw v1").click()
    expect(page.get_by_role("button", name="Publish this version again")).to_be_visible()
    context.close()

    visitor = new_context(browser, site)
    page = visitor.new_page()
    response = page.goto(tool.resource.get_absolute_url())
    assert response is not None and response.status == 200
    notice = page.get_by_role("note")
    expect(notice).to_contain_text("This work was withdrawn")
    expect(notice).to_contain_text("The elevation is off by a degree.")
    page.screenshot(path=str(tmp_path / "withdrawn.png"), full_page=True)
    visitor.close()
