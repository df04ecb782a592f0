"""Chromium in the test LMS: a teacher adds a pinned tool through Deep Linking, a learner
launches it and uses it inside the VLE's frame."""

import pytest
from playwright.sync_api import Browser, expect

from repository.validation import origins
from tests.browser.conftest import browser  # noqa: F401 - the module's Chromium
from tests.lti.platform import INSTRUCTOR, Placement

pytestmark = pytest.mark.django_db(transaction=True)


def test_teacher_deep_links_a_tool_and_a_learner_uses_it_in_the_frame(
    browser: Browser,  # noqa: F811
    lms,
    registered,
    published,
):
    teacher = browser.new_context()
    teacher.set_default_timeout(20_000)
    page = teacher.new_page()
    course = lms.place(
        Placement(
            name="add-activity",
            url=f"{lms.tool}/lti/deep-link/",
            deep_linking=True,
            roles=[INSTRUCTOR],
            user="teacher-1",
        )
    )
    page.goto(course)
    frame = page.frame_locator("#lti-frame")
    expect(frame.get_by_role("heading", name="Add activities from Remixbank")).to_be_visible()
    expect(frame.locator("p.licence", has_text="CC BY 4.0: You may copy")).to_be_visible()
    # "What may I combine with this?" narrows the picker, and the launch stays in its address.
    frame.get_by_label("What may I combine with this?").select_option("CC-BY-SA-4.0")
    frame.get_by_role("button", name="Search").click()
    expect(frame.get_by_text("can be combined with CC BY-SA 4.0")).to_be_visible()
    frame.get_by_label("Wave Lab v1").check()
    frame.get_by_role("button", name="Add to course").click()
    expect(frame.get_by_role("heading", name="Added to Physics 101")).to_be_visible()
    assert not lms.deep_link_errors
    [item] = lms.deep_link_items
    assert item["custom"] == {"remixbank_version": str(published.pk)}
    teacher.close()

    learner = browser.new_context()
    learner.set_default_timeout(20_000)
    page = learner.new_page()
    page.goto(lms.place(Placement(name="wave-lab", url=item["url"], custom=item["custom"])))
    launched = page.frame_locator("#lti-frame")
    expect(launched.get_by_role("heading", name="Wave Lab v1")).to_be_visible()
    tool = launched.frame_locator("#tool")
    tool.get_by_role("button", name="Count").click()
    tool.get_by_role("button", name="Count").click()
    expect(tool.locator("#o")).to_have_text("2")
    # The version's own origin on the content domain, not the site.
    assert any(f.url == origins.url_of(published) for f in page.frames)
    learner.close()
