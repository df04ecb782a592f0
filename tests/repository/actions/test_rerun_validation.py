"""Staff re-run validation: a new run each time, earlier runs kept, the new verdict honest."""

import pytest

from repository.actions.deposits import deposit_package
from repository.actions.publishing import publish_version, withdraw_version
from repository.actions.validation import record_content_result, rerun_validation, validate_version
from repository.errors import InvalidTransition, PermissionRefused
from repository.models import OutboxMessage, ValidationRun, Version
from tests.factories import validated


@pytest.fixture
def not_run(package, northfield, staff) -> Version:
    version = deposit_package(package=package, institution=northfield, by=staff)
    validate_version(version.pk)  # this test's installation runs no content: not run
    version.refresh_from_db()
    assert version.state == Version.State.NOT_RUN
    return version


def test_a_rerun_once_a_validator_can_run_it_publishes_and_keeps_the_old_run(
    not_run, staff, settings
):
    settings.VALIDATION_RUN_CONTENT = True
    run = rerun_validation(not_run, by=staff)
    not_run.refresh_from_db()
    assert not_run.state == Version.State.VALIDATING
    assert (run.requested_by, run.state) == (staff, ValidationRun.State.RUNNING)
    queued = OutboxMessage.objects.filter(task="validate_version").order_by("-pk").first()
    assert queued is not None and queued.args == [not_run.pk]
    validate_version(not_run.pk, queues={"checks"})
    run.refresh_from_db()
    result = {"status": "passed", "messages": ["Loaded."], "release": "chromium-1"}
    record_content_result(run.order_nonce, result)
    not_run.refresh_from_db()
    assert not_run.state == Version.State.PUBLISHED  # its depositor asked for publish on pass
    states = list(not_run.validation_runs.values_list("state", flat=True))
    assert states == [ValidationRun.State.PASSED, ValidationRun.State.NOT_RUN]


def test_rerunning_the_same_release_twice_makes_a_new_round_each_time(not_run, staff):
    for expected_round in (1, 2):
        run = rerun_validation(not_run, by=staff)
        assert run.round == expected_round
        validate_version(not_run.pk)
    assert not_run.validation_runs.count() == 3
    not_run.refresh_from_db()
    assert not_run.state == Version.State.NOT_RUN  # still nothing here can run it


def test_a_published_version_stays_published_while_it_is_rerun(package, northfield, staff):
    version = deposit_package(package=package, institution=northfield, by=staff)
    validated(version.pk)
    version.refresh_from_db()
    assert version.state == Version.State.PUBLISHED
    rerun_validation(version, by=staff)
    validate_version(version.pk, revalidate=True)
    version.refresh_from_db()
    assert version.state == Version.State.PUBLISHED
    assert version.validation_runs.count() == 2


def test_only_staff_may_rerun_and_never_while_a_run_is_open(
    not_run, student, outsider, staff, package, northfield
):
    for someone in (student, outsider):
        with pytest.raises(PermissionRefused, match="Only staff of Northfield University"):
            rerun_validation(not_run, by=someone)
    assert not_run.validation_runs.count() == 1
    rerun_validation(not_run, by=staff)
    with pytest.raises(InvalidTransition, match="is being validated now"):
        rerun_validation(not_run, by=staff)
    fresh = deposit_package(package=package, institution=northfield, by=staff, changelog="x")
    with pytest.raises(InvalidTransition, match="is being validated now"):
        rerun_validation(fresh, by=staff)


def test_a_withdrawn_version_that_never_passed_is_not_published_again(not_run, staff):
    # As migration 0018 leaves a version withdrawn after a publication on a skipped run alone.
    Version.objects.filter(pk=not_run.pk).update(state=Version.State.WITHDRAWN)
    not_run.refresh_from_db()
    with pytest.raises(InvalidTransition, match="never passed validation"):
        publish_version(not_run, by=staff)
    not_run.refresh_from_db()
    assert not_run.state == Version.State.WITHDRAWN
    assert not Version.objects.visible_to(None).filter(state=Version.State.PUBLISHED).exists()


def test_a_withdrawn_version_that_passed_is_published_again(package, northfield, staff):
    version = deposit_package(package=package, institution=northfield, by=staff)
    validated(version.pk)
    version.refresh_from_db()
    withdraw_version(version, by=staff, reason="A typo in the instructions.")
    publish_version(version, by=staff)
    version.refresh_from_db()
    assert version.state == Version.State.PUBLISHED
