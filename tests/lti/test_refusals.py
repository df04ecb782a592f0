"""Bad launches, each signed by the platform library as a misconfigured or hostile platform
would: refused with a message saying what to do, logged for the admin, nothing created."""

import time

import pytest
import requests

from repository.models import LtiEvent, LtiLaunchState, LtiLearner, LtiResourceLink
from tests.lti.conftest import launch, pinned
from tests.lti.platform import INSTRUCTOR, rsa_pem

pytestmark = pytest.mark.django_db(transaction=True)


def refused(page: requests.Response, words: str, registered=None) -> LtiEvent:
    assert page.status_code == 400, page.text
    assert words in page.text
    assert not LtiLearner.objects.exists() and not LtiResourceLink.objects.exists()
    event = LtiEvent.objects.get()
    assert words in event.message
    if registered is not None:
        assert event.platform == registered
    return event


def test_expired_token_is_refused(lms, registered, published):
    pinned(lms, published)
    lms.expires_in = -120
    refused(launch(requests.Session(), lms, "link-1"), "has expired", registered)


def test_token_signed_with_another_key_under_the_published_kid_is_refused(
    lms, registered, published
):
    pinned(lms, published)
    lms.rogue_key = rsa_pem()
    event = refused(
        launch(requests.Session(), lms, "link-1"), "signature does not match", registered
    )
    assert lms.url("/jwks") in event.message


def test_token_for_another_audience_is_refused(lms, registered, published):
    pinned(lms, published)
    lms.claim_overrides = {"aud": "someone-else", "azp": "someone-else"}
    refused(launch(requests.Session(), lms, "link-1"), "client id someone-else is registered")


def test_unregistered_deployment_is_refused(lms, registered, published):
    pinned(lms, published)
    lms.deployment_id = "deployment-9"
    event = refused(
        launch(requests.Session(), lms, "link-1"), "Deployment id deployment-9", registered
    )
    assert "Manage → LTI platforms" in event.message


def test_unknown_issuer_is_refused_at_login_initiation(lms, registered, published):
    pinned(lms, published)
    lms.issuer_override = "https://vle.elsewhere.example"
    page = launch(requests.Session(), lms, "link-1")
    assert not lms.last_form  # the platform was never asked to sign anything
    event = refused(page, "https://vle.elsewhere.example")
    assert event.kind == LtiEvent.Kind.LOGIN_REFUSED and event.platform is None


def test_unreachable_jwks_with_nothing_kept_is_refused_clearly(lms, registered, published):
    pinned(lms, published)
    lms.jwks_down = True
    event = refused(launch(requests.Session(), lms, "link-1"), "could not be read", registered)
    assert lms.url("/jwks") in event.message


def test_unreachable_jwks_uses_the_keys_kept_from_the_last_fetch(lms, registered, published):
    pinned(lms, published)
    assert launch(requests.Session(), lms, "link-1").status_code == 200
    kept = LtiLaunchState.objects.get(key__contains="jwks-")
    kept.value = {**kept.value, "fetched_at": time.time() - 7200}  # stale: a refetch is due
    kept.save()
    lms.jwks_down = True
    assert launch(requests.Session(), lms, "link-1").status_code == 200
    assert not LtiEvent.objects.exists()


def test_withdrawn_version_shows_a_page_for_the_learner_and_a_note_for_the_teacher(
    lms, registered, published, staff
):
    from repository.actions.publishing import withdraw_version

    withdraw_version(published, by=staff, reason="A unit error in the wave speed")
    pinned(lms, published, name="learner")
    pinned(lms, published, name="teacher", roles=[INSTRUCTOR], user="teacher-1")
    learner = launch(requests.Session(), lms, "learner")
    assert learner.status_code == 410
    assert 'id="learner-note"' in learner.text and "tell your teacher" in learner.text
    assert "unit error" not in learner.text and 'id="tool"' not in learner.text
    teacher = launch(requests.Session(), lms, "teacher")
    assert teacher.status_code == 410
    assert 'id="teacher-note"' in teacher.text and "A unit error in the wave speed" in teacher.text
    assert not LtiLearner.objects.exists()
    events = LtiEvent.objects.filter(kind=LtiEvent.Kind.VERSION_UNAVAILABLE)
    assert events.count() == 2 and all("withdrawn" in e.message for e in events)


def test_platform_key_set_inside_our_own_network_is_never_fetched(
    lms, registered, published, settings
):
    # A registration's JWKS URL is typed by an institution's admin: loopback, private and
    # cloud metadata addresses are refused unless the operators allow them (the test LMS is on
    # loopback, so this test takes the allowance back).
    pinned(lms, published)
    settings.LTI_PRIVATE_ADDRESSES = False
    event = refused(
        launch(requests.Session(), lms, "link-1"), "an address inside Remixbank", registered
    )
    assert "127.0.0.1" in event.message and "LTI_PRIVATE_ADDRESSES" in event.message
