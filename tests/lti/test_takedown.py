"""An LTI launch of a taken-down version shows a clear page, never the tool."""

import pytest
import requests
from django.contrib.auth import get_user_model

from repository.models import LtiEvent, LtiLearner
from tests.lti.conftest import launch, pinned
from tests.lti.platform import INSTRUCTOR

pytestmark = pytest.mark.django_db(transaction=True)


def test_taken_down_version_is_refused_to_learner_and_teacher_with_the_reason(
    lms, registered, published
):
    from repository.actions.moderation import take_down_version

    moderator = get_user_model().objects.create_user(
        "moderator@remixbank.example", email="moderator@remixbank.example", is_staff=True
    )
    take_down_version(published, by=moderator, reason="Collects pupils' names for a third party")
    pinned(lms, published, name="learner")
    pinned(lms, published, name="teacher", roles=[INSTRUCTOR], user="teacher-1")
    learner = launch(requests.Session(), lms, "learner")
    assert learner.status_code == 410
    assert 'id="learner-note"' in learner.text and 'id="tool"' not in learner.text
    teacher = launch(requests.Session(), lms, "teacher")
    assert teacher.status_code == 410
    assert "taken down" in teacher.text and "third party" in teacher.text
    assert 'id="tool"' not in teacher.text
    assert not LtiLearner.objects.exists()
    events = LtiEvent.objects.filter(kind=LtiEvent.Kind.VERSION_UNAVAILABLE)
    assert events.count() == 2 and all("taken down" in e.message for e in events)
