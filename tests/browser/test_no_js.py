"""Every journey's pages work with JavaScript off: plain forms, links and a refresh."""

import re

import pytest
from playwright.sync_api import expect

from repository.models import Version
from repository.validation.serving import SANDBOX_FLAGS
from tests.browser.support import new_context, published_inline, scenario_zip, tool_zip

pytestmark = pytest.mark.django_db(transaction=True)


def test_deposit_browse_try_and_variant_work_without_javascript(
    browser, site, staff, outsider, northfield, southbank, tmp_path
):
    tool = published_inline(tool_zip(tmp_path), northfield, staff)
    scenario = published_inline(scenario_zip(tmp_path), southbank, outsider)
    context = new_context(browser, site, staff, java_script_enabled=False)
    page = context.new_page()

    page.goto("/")
    page.get_by_role("link", name=re.compile(r"^Physics \(2\)")).click()
    page.get_by_role("link", name=re.compile(r"^Learning tool \(1\)")).click()
    expect(page.locator("#results-title")).to_have_text("1 result")
    page.get_by_label(re.compile("What may I combine")).select_option(label="CC BY-NC 4.0")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#results-title")).to_have_text("0 results")  # BY-SA and NC never mix

    page.goto(tool.get_absolute_url())
    page.get_by_role("link", name="Start the tool here").click()
    expect(page.locator("iframe.tool")).to_have_attribute("sandbox", " ".join(SANDBOX_FLAGS))

    page.goto(scenario.get_absolute_url())
    page.get_by_label("Student id").fill("s1234")
    page.get_by_role("button", name="Show the variant").click()
    expect(page.get_by_role("table", name="Parameters for s1234")).to_contain_text("hill.slope_deg")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download this variant's scenario").click()
    assert download.value.suggested_filename.endswith("-s1234.json")

    page.goto("/deposit/")
    page.get_by_label("Institution").select_option(label="Northfield University")
    page.get_by_label("Resource").select_option(label=tool.resource.title)
    page.get_by_label("Package").set_input_files(tool_zip(tmp_path, changelog="Clearer labels"))
    page.get_by_role("button", name="Deposit").click()
    page.wait_for_url(re.compile(r"/v2/$"))
    refresh = page.locator("noscript").first.inner_html()
    assert 'http-equiv="refresh"' in refresh
    assert Version.objects.filter(resource=tool.resource, number=2).exists()
    context.close()
