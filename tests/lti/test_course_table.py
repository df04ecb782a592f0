"""The teacher's table of a course's attempts: the roster from the test LMS's Names and Roles
endpoint (lti1p3platform), scores, the choice of best or latest score, and refused scores."""

import re

import pytest
import requests

from repository import tasks
from repository.actions.lti import update_platform
from repository.models import LtiEvent, LtiResourceLink, LtiRosterMember, LtiScorePost
from tests.lti.conftest import launch
from tests.lti.platform import INSTRUCTOR, LEARNER, Placement
from tests.lti.test_ags import eager, scenario, scored  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db(transaction=True)

MEMBERS = [
    {
        "user_id": "learner-7f3a",
        "name": "Zoë Ångström",
        "email": "zoe@northfield.ac.uk",
        "picture": "https://vle.example/zoe.png",
        "roles": [LEARNER],
    },
    {"user_id": "learner-b2", "given_name": "Siân", "family_name": "O'Brien", "roles": [LEARNER]},
    {"user_id": "learner-gone", "name": "Left Early", "roles": [LEARNER], "status": "Inactive"},
    {"user_id": "teacher-1", "name": "Prof. Müller", "roles": [INSTRUCTOR]},
]


def names_on(registered, admin, on: bool = True) -> None:
    update_platform(
        registered,
        by=admin,
        deployment_ids=registered.deployment_ids,
        auth_login_url=registered.auth_login_url,
        auth_token_url=registered.auth_token_url,
        jwks_url=registered.jwks_url,
        nrps_enabled=on,
    )


def place_solar(lms, scenario, **fields) -> None:  # noqa: F811
    lms.place(
        Placement(
            name="solar",
            url=f"{lms.tool}/lti/versions/{scenario.pk}/",
            custom={"remixbank_version": str(scenario.pk)},
            lineitem="solar-item",
            names_and_roles=True,
            **fields,
        )
    )


def learner_launches(lms, subject: str = "learner-7f3a"):
    lms.placements["solar"].user = subject
    lms.placements["solar"].roles = [LEARNER]
    page = launch(requests.Session(), lms, "solar")
    assert page.status_code == 200, page.text
    link = re.search(r'id="program-it" href="([^"]+)"', page.text)
    assert link
    requests.get(lms.tool + link.group(1), allow_redirects=False, timeout=30)  # their account
    return LtiResourceLink.objects.get().learners.get(subject=subject)


def teacher_launches(lms) -> requests.Response:
    lms.placements["solar"].user = "teacher-1"
    lms.placements["solar"].roles = [INSTRUCTOR]
    page = launch(requests.Session(), lms, "solar")
    assert page.status_code == 200, page.text
    return page


def table(page: requests.Response) -> str:
    found = re.search(r'<table id="course-attempts">.*?</table>', page.text, re.S)
    assert found, page.text
    return found.group(0)


def test_the_roster_lists_every_learner_with_names_only_when_the_admin_turned_it_on(
    lms,
    registered,
    admin,
    scenario,  # noqa: F811
):
    names_on(registered, admin)
    lms.members = MEMBERS
    place_solar(lms, scenario)
    learner = learner_launches(lms)
    scored(learner, scenario, 0.8)
    shown = table(teacher_launches(lms))
    assert lms.roster_requests == [{"rlid": "solar"}]  # the library checked our token first
    assert "Zoë Ångström" in shown and "80%" in shown
    assert "Siân O&#x27;Brien" in shown and "no attempt yet" in shown
    assert "Left Early" not in shown and "Prof. Müller" not in shown
    kept = list(LtiRosterMember.objects.values_list("subject", "name"))
    assert sorted(kept) == [("learner-7f3a", "Zoë Ångström"), ("learner-b2", "Siân O'Brien")]
    # Turning Names and Roles off deletes the names, as the data page says.
    names_on(registered, admin, on=False)
    assert not LtiRosterMember.objects.exists()
    shown = table(teacher_launches(lms))
    assert "Zoë" not in shown and "learner-7f3a" in shown and "learner-b2" not in shown
    assert len(lms.roster_requests) == 1


def test_without_names_and_roles_the_vle_is_never_asked(lms, registered, scenario):  # noqa: F811
    lms.members = MEMBERS
    place_solar(lms, scenario)
    learner_launches(lms)
    shown = table(teacher_launches(lms))
    assert "learner-7f3a" in shown and "Zoë" not in shown
    assert lms.roster_requests == [] and lms.token_requests == 0


def test_a_roster_the_vle_refuses_is_said_and_logged(lms, registered, admin, scenario):  # noqa: F811
    names_on(registered, admin)
    place_solar(lms, scenario)
    learner_launches(lms)
    lms.members_fail = True
    page = teacher_launches(lms)
    assert "could not be read from the VLE just now" in page.text and "503" in page.text
    assert "learner-7f3a" in table(page)
    event = LtiEvent.objects.get(kind=LtiEvent.Kind.ROSTER_FAILED)
    assert event.platform == registered and "503" in event.message


def test_the_teacher_chooses_the_latest_score_and_the_gradebook_follows(
    lms,
    registered,
    scenario,  # noqa: F811
    eager,  # noqa: F811
):
    place_solar(lms, scenario)
    learner = learner_launches(lms)
    tasks.attempt_scored(scored(learner, scenario, 0.8).pk)
    tasks.attempt_scored(scored(learner, scenario, 0.55).pk)
    assert [s["scoreGiven"] for s in lms.scores["solar-item"]] == [80.0, 80.0]  # best
    page = teacher_launches(lms)
    action = re.search(r'<form method="post" action="([^"]+)" id="score-choice"', page.text)
    assert action
    course_url = lms.tool + action.group(1)
    wrong = requests.post(course_url, data={"score_choice": "average"}, timeout=30)
    assert wrong.status_code == 400 and "choose the best or the latest" in wrong.text
    assert LtiResourceLink.objects.get().score_choice == "best"
    chosen = requests.post(course_url, data={"score_choice": "latest"}, timeout=30)
    assert chosen.status_code == 200 and "1 sent again under the new choice" in chosen.text
    assert lms.scores["solar-item"][-1]["scoreGiven"] == 55.0
    tasks.attempt_scored(scored(learner, scenario, 0.6).pk)
    assert lms.scores["solar-item"][-1]["scoreGiven"] == 60.0


def test_a_score_given_up_on_can_be_sent_again_by_the_teacher(
    lms,
    registered,
    scenario,  # noqa: F811
    eager,  # noqa: F811
):
    place_solar(lms, scenario)
    learner = learner_launches(lms)
    lms.scores_fail = 99
    tasks.attempt_scored(scored(learner, scenario, 0.7).pk)
    post = LtiScorePost.objects.get()
    assert post.state == LtiScorePost.State.GAVE_UP
    page = teacher_launches(lms)
    assert "Not accepted after every retry" in page.text and "Send again" in page.text
    found = re.search(r'action="(/lti/course/[^"]+)"', page.text)
    assert found
    course_url = lms.tool + found.group(1)
    lms.scores_fail = 0
    again = requests.post(course_url, data={"action": "send-again", "post": post.pk}, timeout=30)
    assert again.status_code == 200 and "Sent again" in again.text
    post.refresh_from_db()
    assert post.state == LtiScorePost.State.SENT
    assert [s["scoreGiven"] for s in lms.scores["solar-item"]] == [70.0]
    twice = requests.post(course_url, data={"action": "send-again", "post": post.pk}, timeout=30)
    assert twice.status_code == 400 and "already sent" in twice.text


INSTITUTION_INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor"


def test_a_learner_who_teaches_elsewhere_gets_no_table_and_their_score_reaches_the_gradebook(
    lms,
    registered,
    admin,
    scenario,  # noqa: F811
    eager,  # noqa: F811
):
    # Canvas sends institution/person#Instructor to anyone who teaches any course; in this one
    # the doctoral student is a learner and must not see their classmates' names and marks.
    names_on(registered, admin)
    lms.members = MEMBERS
    place_solar(lms, scenario)
    classmate = learner_launches(lms)
    tasks.attempt_scored(scored(classmate, scenario, 0.8).pk)
    lms.placements["solar"].user = "learner-b2"
    lms.placements["solar"].roles = [LEARNER, INSTITUTION_INSTRUCTOR]
    page = launch(requests.Session(), lms, "solar")
    assert page.status_code == 200, page.text
    assert 'id="course-attempts"' not in page.text and "/lti/course/" not in page.text
    assert "Zoë Ångström" not in page.text and "80%" not in page.text
    assert lms.roster_requests == []
    link = LtiResourceLink.objects.get()
    student = link.learners.get(subject="learner-b2")  # counted as the course's learner
    program = re.search(r'id="program-it" href="([^"]+)"', page.text)
    assert program
    requests.get(lms.tool + program.group(1), allow_redirects=False, timeout=30)
    student.refresh_from_db()
    tasks.attempt_scored(scored(student, scenario, 0.65).pk)
    assert [s["scoreGiven"] for s in lms.scores["solar-item"]] == [80.0, 65.0]
