"""axe-core in Chromium on the LTI pages: the picker, the teacher's course table, the data pages."""

import re

import pytest
import requests
from django.urls import reverse
from playwright.sync_api import Browser

from tests.browser.conftest import axe_source, browser  # noqa: F401 - the module's Chromium
from tests.browser.support import axe_violations, new_context
from tests.lti.test_ags import scenario, scored  # noqa: F401 - fixture
from tests.lti.test_course_table import (
    MEMBERS,
    learner_launches,
    names_on,
    place_solar,
    teacher_launches,
)
from tests.lti.test_deep_linking import open_picker

pytestmark = pytest.mark.django_db(transaction=True)


def test_lti_pages_have_no_serious_or_critical_axe_violations(
    browser: Browser,  # noqa: F811
    axe_source: str,  # noqa: F811
    lms,
    tool_site,
    registered,
    admin,
    published,
    scenario,  # noqa: F811
):
    names_on(registered, admin)
    lms.members = MEMBERS
    place_solar(lms, scenario)
    scored(learner_launches(lms), scenario, 0.8)
    teacher = teacher_launches(lms)
    course = re.search(r'action="(/lti/course/[^"]+)"', teacher.text)
    assert course
    picker = open_picker(lms, requests.Session())
    pages = {
        "picker": picker.url,
        "picker, combining": picker.url + "?combine=CC-BY-SA-4.0&kind=tool",
        "course table": tool_site + course.group(1),
        "learners' data page": tool_site + reverse("lti_learner_data"),
        "registration's data page": tool_site
        + reverse("lti_platform_data", args=["northfield", registered.pk]),
    }
    context = new_context(browser, tool_site, admin, bypass_csp=True)  # to inject axe
    page = context.new_page()
    found = {}
    for name, url in pages.items():
        response = page.goto(url)
        assert response is not None and response.status == 200, (name, url)
        problems = axe_violations(page, axe_source)
        if problems:
            found[name] = problems
    context.close()
    assert "Zoë Ångström" in requests.get(pages["course table"], timeout=30).text
    assert found == {}
