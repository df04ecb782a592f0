"""An H5P activity and a SCORM package, validated by the real worker, play in try-it.

The version page's try-it frame opens the player on the version's origin, as the browser check
did: the H5P quiz answers, and the SCO finds its run-time, records the learner's answer and
reports it through the API the page shows the calls of.
"""

import pytest
from playwright.sync_api import expect

from repository.actions.deposits import deposit_package
from repository.models import Version
from repository.validation import origins
from tests.browser.support import SHOTS, everyday_context, settled
from tests.packages import h5p_package, scorm_package

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def published(version: Version) -> Version:
    version = settled(version, timeout=240)
    run = version.validation_runs.latest("pk")
    messages = [m for step in run.steps.all() for m in step.messages]
    assert version.state == Version.State.PUBLISHED, messages
    return version


def test_h5p_quiz_plays_in_try_it_on_the_version_page(
    browser, site, worker, staff, northfield, tmp_path
):
    version = published(
        deposit_package(
            package=h5p_package(tmp_path / "quiz.h5p"), institution=northfield, by=staff
        )
    )
    context = everyday_context(browser, site, tmp_path / "profile")  # a learner, signed out
    page = context.new_page()
    page.goto(version.get_absolute_url())
    page.get_by_role("link", name="Start the tool here").click()
    assert page.locator("iframe.tool").get_attribute("src") == origins.url_of(version)
    quiz = page.frame_locator("iframe.tool").frame_locator("iframe")  # h5p-standalone's frame
    expect(quiz.get_by_role("heading")).to_have_text(
        "Quelle planète est la plus proche du Soleil ?"
    )
    quiz.get_by_label("Vénus").check()
    quiz.get_by_role("button", name="Vérifier").click()
    expect(quiz.get_by_role("status")).to_have_text("Pas tout à fait : essayez encore.")
    quiz.get_by_label("Mercure").check()
    quiz.get_by_role("button", name="Vérifier").click()
    expect(quiz.get_by_role("status")).to_have_text("Bravo ! Mercure orbite à 0,39 ua.")
    expect(quiz.get_by_role("img", name="Mercure vue par MESSENGER")).to_be_visible()
    page.screenshot(path=str(SHOTS / "remixbank-try-it-h5p.png"))
    context.close()


@pytest.mark.parametrize(("edition", "finish"), [("1.2", "LMSFinish"), ("2004", "Terminate")])
def test_scorm_sco_runs_in_try_it_and_its_api_calls_are_shown(
    browser, site, worker, staff, northfield, tmp_path, edition, finish
):
    version = published(
        deposit_package(
            package=scorm_package(tmp_path / f"scorm-{edition}.zip", edition),
            institution=northfield,
            by=staff,
        )
    )
    context = everyday_context(browser, site, tmp_path / "profile")
    page = context.new_page()
    page.goto(version.get_absolute_url())
    calls = page.locator("#scorm-calls")
    calls.locator("summary").click()
    expect(calls.locator("tbody tr").first).to_contain_text(
        "LMSInitialize" if edition == "1.2" else "Initialize"
    )
    expect(calls.locator("tbody tr").last).to_contain_text(finish)
    page.get_by_role("link", name="Start the tool here").click()
    assert page.locator("iframe.tool").get_attribute("src") == origins.url_of(version)
    sco = page.frame_locator("iframe.tool").frame_locator("#sco")
    expect(sco.locator("#greeting")).to_have_text("Bonjour à vous !")  # it found the API
    sco.get_by_label("Le dioxygène").check()
    sco.get_by_role("button", name="Vérifier").click()
    expect(sco.locator("#feedback")).to_have_text("Exact !")
    player = next(f for f in page.frames if f.url == origins.url_of(version))
    made = player.evaluate("() => window.remixbankPlayer.calls.map(c => [c.call, c.args, c.error])")
    status = "cmi.core.lesson_status" if edition == "1.2" else "cmi.success_status"
    assert [c for c in made if c[1][:1] == [status]][-1] == [
        "LMSSetValue" if edition == "1.2" else "SetValue",
        [status, "passed"],
        "0",
    ]
    page.screenshot(path=str(SHOTS / f"remixbank-try-it-scorm-{edition}.png"))
    context.close()
