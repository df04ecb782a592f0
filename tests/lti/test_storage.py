"""pylti1p3's launch storage in our database: single-use nonces, expiry, the periodic clean-up."""

from datetime import timedelta

from django.utils import timezone

from repository import tasks
from repository.lti.storage import DatabaseLaunchStorage
from repository.models import LtiLaunchState


def test_a_value_can_be_consumed_once_and_not_after_it_expired(db):
    store = DatabaseLaunchStorage()
    store.set_value("lti1p3-nonce-abc", True, 300)
    assert store.check_value("lti1p3-nonce-abc")
    assert store.consume("lti1p3-nonce-abc") is True
    assert store.consume("lti1p3-nonce-abc") is False
    store.set_value("lti1p3-nonce-old", True, 300)
    LtiLaunchState.objects.filter(key="lti1p3-nonce-old").update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert store.get_value("lti1p3-nonce-old") is None
    assert store.consume("lti1p3-nonce-old") is False


def test_the_periodic_task_deletes_only_expired_rows(db):
    store = DatabaseLaunchStorage()
    store.set_value("lti1p3-state-live", {"a": 1}, 300)
    store.set_value("lti1p3-state-gone", {"a": 2}, 300)
    LtiLaunchState.objects.filter(key="lti1p3-state-gone").update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert tasks.clear_lti_state() == 1
    assert list(LtiLaunchState.objects.values_list("key", flat=True)) == ["lti1p3-state-live"]
