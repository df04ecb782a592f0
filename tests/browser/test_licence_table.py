"""The licence table by part, in Chromium: readable, linked, and free of serious axe violations."""

import pytest

from repository.actions.deposits import deposit_package
from tests.browser.support import axe_violations, new_context
from tests.factories import build_zip, multi_licence_tool

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_licence_table_of_a_multi_licence_tool_passes_axe(
    browser, site, axe_source, staff, northfield, tmp_path
):
    files, data = multi_licence_tool()
    package = build_zip(tmp_path / "orbits.zip", files, manifest_data=data)
    version = deposit_package(package=package, institution=northfield, by=staff)
    context = new_context(browser, site, staff, bypass_csp=True)  # to inject axe's script
    page = context.new_page()
    response = page.goto(version.get_absolute_url())
    assert response is not None and response.status == 200
    table = page.get_by_role("table", name="Licences by part")
    assert table.is_visible()
    sounds = table.get_by_role("row").filter(has_text="assets/sounds/*.mp3")
    assert sounds.get_by_role("link", name="CC BY-NC 3.0").get_attribute("href") == (
        "https://creativecommons.org/licenses/by-nc/3.0/"
    )
    assert page.get_by_role("link", name="p5.js").get_attribute("href") == (
        "https://github.com/processing/p5.js"
    )
    assert axe_violations(page, axe_source) == []
    context.close()
