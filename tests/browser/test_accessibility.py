"""axe-core finds no serious or critical WCAG violation on the main pages."""

import pytest

from repository.actions.contributions import propose_contribution
from repository.models import Membership
from tests.browser.support import (
    SHOTS,
    axe_violations,
    new_context,
    published_inline,
    scenario_zip,
    tool_zip,
)
from tests.factories import MembershipFactory, build_zip

pytestmark = pytest.mark.django_db(transaction=True)


def test_main_pages_have_no_serious_or_critical_axe_violations(
    browser, site, axe_source, admin, staff, student, outsider, northfield, southbank, tmp_path
):
    MembershipFactory(user=admin, institution=southbank, role=Membership.Role.STAFF)
    tool = published_inline(tool_zip(tmp_path), northfield, staff)
    scenario = published_inline(scenario_zip(tmp_path), southbank, outsider)
    propose_contribution(
        base=tool, by=student, description="Typo fix.", edits={"notes.txt": b"hello\n"}
    )
    pages = {
        "home": "/",
        "home-filtered": "/?kind=tool&combine=CC-BY-4.0",
        "version": tool.get_absolute_url(),
        "version-try": tool.get_absolute_url() + "?try=1",
        "scenario": scenario.get_absolute_url() + "?student=s1234",
        "deposit": "/deposit/",
        "remix": f"/remix/?sources={tool.pk},{scenario.pk}&q=sun",
        "review": "/review/",
        "institution": northfield.get_absolute_url(),
        "manage": f"/i/{northfield.slug}/manage/",
        "person": f"/people/{student.pk}/",
    }
    context = new_context(browser, site, admin, bypass_csp=True)  # to inject axe's script
    page = context.new_page()
    found = {}
    for name, path in pages.items():
        response = page.goto(path)
        assert response is not None and response.status == 200, (name, path)
        problems = axe_violations(page, axe_source)
        if problems:
            found[name] = problems
        if name in {"remix", "manage", "scenario"}:
            page.screenshot(path=str(SHOTS / f"remixbank-{name}.png"), full_page=True)
    context.close()
    assert found == {}


def test_skip_link_is_first_and_moves_focus_to_main(browser, site, tmp_path, staff, northfield):
    published_inline(build_zip(tmp_path / "p.zip"), northfield, staff)
    context = new_context(browser, site)
    page = context.new_page()
    page.goto("/")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent")
    assert focused == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    context.close()
