"""Abuse handling in Chromium: a visitor reports a tool, a site admin takes it down from the queue."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from repository.models import AdminAction, Report, Version
from tests.browser.support import axe_violations, new_context, published_inline, tool_zip

pytestmark = pytest.mark.django_db(transaction=True)


def test_report_then_takedown_from_the_queue_and_the_410_page_all_pass_axe(
    browser, site, axe_source, staff, northfield, tmp_path
):
    moderator = get_user_model().objects.create_user(
        "moderator@remixbank.example",
        email="moderator@remixbank.example",
        first_name="Morgan",
        password="remixbank-demo",
        is_staff=True,
    )
    tool = published_inline(tool_zip(tmp_path), northfield, staff)
    found: dict[str, list] = {}

    visitor = new_context(browser, site, bypass_csp=True)  # to inject axe's script
    page = visitor.new_page()
    page.goto(tool.get_absolute_url())
    page.get_by_role("link", name="Report this").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Report Sun path explorer")
    found["report-form"] = axe_violations(page, axe_source)
    page.get_by_role("button", name="Send the report").click()  # nothing chosen, nothing said
    expect(page.get_by_role("alert")).to_contain_text("Choose what is wrong")
    found["report-error"] = axe_violations(page, axe_source)
    assert not Report.objects.exists()
    page.get_by_label("It infringes copyright or breaks its licence").check()
    page.get_by_label("What should the admins know?").fill(
        "The sun sprite is Zoë Ortega's drawing (CC BY-ND 4.0), changed and uncredited."
    )
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("status")).to_contain_text("your report was sent")
    assert Report.objects.filter(version=tool, state=Report.State.OPEN).count() == 1

    admin = new_context(browser, site, moderator, bypass_csp=True)
    queue = admin.new_page()
    queue.goto("/moderation/")
    group = queue.locator(f"#reported-{tool.pk}")
    expect(group).to_contain_text("Zoë Ortega's drawing")
    expect(group).to_contain_text("1 open report")
    found["queue"] = axe_violations(queue, axe_source)
    group.get_by_label("Why take it down?").fill("Uses Zoë Ortega's drawing against its licence.")
    group.get_by_role("button", name="Take down v1 of Sun path explorer").click()
    expect(queue.get_by_role("status")).to_contain_text("was taken down")
    expect(queue.locator(f"#taken-down-{tool.pk}")).to_contain_text("against its licence")
    found["queue-after"] = axe_violations(queue, axe_source)
    queue.goto("/moderation/log/")
    expect(queue.locator("#audit-log")).to_contain_text("Took down")
    found["log"] = axe_violations(queue, axe_source)
    admin.close()

    response = page.goto(tool.get_absolute_url())
    assert response is not None and response.status == 410
    expect(page.get_by_role("note")).to_contain_text("against its licence")
    found["taken-down"] = axe_violations(page, axe_source)
    visitor.close()

    tool.refresh_from_db()
    assert tool.state == Version.State.TAKEN_DOWN
    assert AdminAction.objects.filter(kind=AdminAction.Kind.TAKE_DOWN, actor=moderator).exists()
    assert {name: problems for name, problems in found.items() if problems} == {}
