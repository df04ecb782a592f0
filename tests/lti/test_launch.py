"""Core launch: login initiation, id_token checks, the pinned version in the VLE's frame."""

import re

import pytest
import requests

from repository.models import LtiEvent, LtiLearner, LtiResourceLink
from repository.validation import origins
from tests.lti.conftest import launch, pinned
from tests.lti.platform import INSTRUCTOR

pytestmark = pytest.mark.django_db(transaction=True)


def test_launch_shows_the_pinned_version_from_the_content_origin(lms, registered, published):
    pinned(lms, published)
    session = requests.Session()
    page = launch(session, lms, "link-1")
    assert page.status_code == 200, page.text
    assert "Wave Lab" in page.text
    frame = re.search(r'<iframe class="tool" id="tool"[^>]* src="([^"]+)"', page.text)
    assert frame, page.text
    assert frame.group(1) == origins.url_of(published)  # the version's own origin
    assert f"frame-ancestors http://localhost:{lms.port}" in page.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in page.headers
    learner = LtiLearner.objects.get()
    assert (learner.platform, learner.subject) == (registered, "learner-7f3a")
    link = LtiResourceLink.objects.get()
    assert (link.resource_link_id, link.version, link.deployment_id) == (
        "link-1",
        published,
        "deployment-1",
    )


def test_a_replayed_launch_is_refused_and_logged(lms, registered, published):
    pinned(lms, published)
    session = requests.Session()
    assert launch(session, lms, "link-1").status_code == 200
    form = lms.last_form
    again = session.post(
        form["launch_url"], data={"id_token": form["id_token"], "state": form["state"]}, timeout=30
    )
    assert again.status_code == 400
    assert "already used" in again.text
    event = LtiEvent.objects.get(kind=LtiEvent.Kind.LAUNCH_REFUSED)
    assert event.platform == registered and "already used" in event.message


def test_teacher_is_offered_a_newer_validated_version_learner_is_not(lms, registered, published):
    from tests.factories import stored_version
    from tests.lti.conftest import TOOL_FILES

    newer = stored_version(TOOL_FILES, resource=published.resource, changelog="Faster waves")
    pinned(lms, published, name="as-teacher", roles=[INSTRUCTOR], user="teacher-1")
    pinned(lms, published, name="as-learner")
    teacher = launch(requests.Session(), lms, "as-teacher")
    assert 'id="upgrade-offer"' in teacher.text
    assert f"from={published.number}&amp;to={newer.number}" in teacher.text
    assert f"v{newer.number}/#validation" in teacher.text
    learner = launch(requests.Session(), lms, "as-learner")
    assert learner.status_code == 200 and 'id="upgrade-offer"' not in learner.text
    assert origins.url_of(published) in learner.text  # still pinned
