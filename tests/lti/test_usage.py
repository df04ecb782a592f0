"""An LTI launch from a real LMS counts as a request of the pinned version, one session per learner."""

import pytest
import requests

from repository.models import UsageEvent
from tests.lti.conftest import launch, pinned
from tests.repository.usage.conftest import FIREFOX

pytestmark = pytest.mark.django_db(transaction=True)


def test_each_launch_is_counted_with_the_learner_as_its_session(lms, registered, published):
    pinned(lms, published)
    for _ in range(2):
        browser = requests.Session()
        browser.headers["User-Agent"] = FIREFOX
        assert launch(browser, lms, "link-1").status_code == 200
    events = list(UsageEvent.objects.filter(kind="lti"))
    assert [e.version_id for e in events] == [published.pk, published.pk]
    # Two browsers, one learner: one session that day (the opaque subject, hashed).
    assert len({e.session for e in events}) == 1
    assert "learner-7f3a" not in events[0].session


def test_a_launch_by_a_script_is_not_counted(lms, registered, published):
    pinned(lms, published)
    assert launch(requests.Session(), lms, "link-1").status_code == 200
    assert not UsageEvent.objects.exists()
