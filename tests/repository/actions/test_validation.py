"""Validation: the package step runs on the stored tree and decides passed or failed."""

import pytest
from django.utils import timezone

from repository.actions.deposits import deposit_package
from repository.actions.validation import stuck_versions, validate_version
from repository.errors import InvalidTransition
from repository.models import OutboxMessage, ValidationRun, Version
from repository.storage import blobs
from repository.validation import release
from repository.validation.release import CHECKS_RELEASE
from repository.validation.verdicts import Verdict, verdict_of
from tests.factories import validated


@pytest.fixture
def version(package, northfield, staff):
    return deposit_package(package=package, institution=northfield, by=staff, publish_on_pass=False)


def test_a_run_whose_run_step_cannot_run_here_is_not_run_never_passed(version):
    run = validate_version(version.pk)
    assert run is not None
    version.refresh_from_db()
    assert run.state == ValidationRun.State.NOT_RUN
    assert version.state == Version.State.NOT_RUN
    assert verdict_of(version) == Verdict.NOT_RUN
    steps = {s.name: s for s in run.steps.all()}
    assert list(steps) == ["package", "licence", "content", "run"]
    assert "hashes verified" in steps["package"].messages[0]
    assert steps["run"].status == "skipped"  # VALIDATION_RUN_CONTENT is off in this test
    with pytest.raises(InvalidTransition, match="only from passed"):
        version.publish()


def test_publish_on_pass_publishes_only_a_version_whose_every_step_ran(
    package, northfield, staff, settings
):
    from repository.actions.validation import record_content_result

    skipped = deposit_package(package=package, institution=northfield, by=staff)
    validate_version(skipped.pk)
    skipped.refresh_from_db()
    assert (skipped.state, skipped.published_at) == (Version.State.NOT_RUN, None)
    assert skipped.resource.latest_published is None
    settings.VALIDATION_RUN_CONTENT = True
    ran = deposit_package(package=package, institution=northfield, by=staff, changelog="again")
    validate_version(ran.pk, queues={"checks"})
    nonce = ValidationRun.objects.get(version=ran).order_nonce
    record_content_result(nonce, {"status": "passed", "messages": ["Loaded."], "release": "c-1"})
    ran.refresh_from_db()
    assert ran.state == Version.State.PUBLISHED
    assert ran.resource.latest_published == ran


def test_a_tampered_blob_fails_validation(version, blob_folder):
    sha = version.files.get(path="app.js").blob_id
    stored = next(p for p in blob_folder.rglob(sha))
    stored.write_bytes(b"alert('changed on disk')")
    run = validate_version(version.pk)
    assert run is not None
    version.refresh_from_db()
    assert version.state == Version.State.FAILED
    assert "does not match its hash" in run.steps.get(name="package").messages[0]


def test_repeated_validation_reuses_the_run(version):
    validate_version(version.pk)
    assert validate_version(version.pk) is None
    assert (
        ValidationRun.objects.filter(version=version, validator_release=CHECKS_RELEASE).count() == 1
    )


def test_a_run_that_keeps_dying_ends_in_error_after_three_attempts(version, settings):
    settings.VALIDATION_MAX_ATTEMPTS = 3
    ValidationRun.objects.create(version=version, validator_release=CHECKS_RELEASE, attempts=3)
    run = validate_version(version.pk)
    assert run is not None
    version.refresh_from_db()
    assert run.state == ValidationRun.State.ERROR
    # Our fault, not the deposit's: never "failed", never published.
    assert version.state == Version.State.UNFINISHED
    assert verdict_of(version) == Verdict.COULD_NOT_FINISH
    assert "after 3 attempts" in run.steps.get(name="validator").messages[0]


def test_failed_version_cannot_be_published(version):
    blobs.delete_blob(version.files.first().blob_id)
    validate_version(version.pk)
    version.refresh_from_db()
    with pytest.raises(InvalidTransition, match="only from passed"):
        version.publish()


def test_stuck_versions_are_found_for_requeue(version, settings):
    settings.VALIDATION_STUCK_AFTER_SECONDS = 0
    # Its message waits in the outbox (this test's transaction never commits): not stuck yet.
    assert stuck_versions() == []
    OutboxMessage.objects.update(sent_at=timezone.now())  # sent, then lost
    assert stuck_versions() == [version.pk]
    validate_version(version.pk)
    assert stuck_versions() == []


def test_new_validator_release_revalidates_published_versions_without_unpublishing(
    package, northfield, staff, blob_folder, monkeypatch
):
    from repository.actions import validation

    version = deposit_package(package=package, institution=northfield, by=staff)
    validated(version.pk)
    assert validation.versions_to_revalidate(10) == []
    monkeypatch.setattr(release, "CHECKS_RELEASE", "checks-next")
    assert validation.versions_to_revalidate(10) == [version.pk]
    # The stored file was damaged meanwhile: the new release catches it.
    sha = version.files.get(path="app.js").blob_id
    next(p for p in blob_folder.rglob(sha)).write_bytes(b"damaged")
    run = validate_version(version.pk, revalidate=True)
    assert run is not None
    version.refresh_from_db()
    assert run.validator_release == "checks-next"
    assert run.state == ValidationRun.State.FAILED
    assert version.state == Version.State.PUBLISHED  # still available, with a warning
    assert validation.regression(version) == run
    assert validation.versions_to_revalidate(10) == []


def test_revalidation_is_not_run_for_new_versions_by_accident(version):
    from repository.actions import validation

    run = validate_version(version.pk, revalidate=True)

    assert run is not None  # a new version is validated normally
    version.refresh_from_db()
    assert version.state == Version.State.NOT_RUN  # its run step cannot run in this test
    assert validation.regression(version) is None


def test_a_run_is_continued_whatever_release_its_content_worker_names(version, settings):
    from repository.actions.validation import record_content_result

    settings.VALIDATION_RUN_CONTENT = True
    validate_version(version.pk, queues={"checks"})  # checks done here, an order out for "run"
    run = ValidationRun.objects.get(version=version)
    assert run.state == ValidationRun.State.RUNNING
    assert run.order["step"] == "run" and run.order_nonce
    result = {"status": "passed", "messages": ["Loaded."], "release": "chromium-999"}
    finished = record_content_result(run.order_nonce, result)
    assert finished is not None
    assert finished.pk == run.pk
    assert finished.state == ValidationRun.State.PASSED
    assert finished.validator_release == f"{CHECKS_RELEASE}+chromium-999"
    assert ValidationRun.objects.filter(version=version).count() == 1


def test_a_result_without_the_orders_nonce_changes_nothing(version, settings):
    from repository.actions.validation import record_content_result

    settings.VALIDATION_RUN_CONTENT = True
    validate_version(version.pk, queues={"checks"})
    run = ValidationRun.objects.get(version=version)
    for nonce in ("", "forged-nonce", run.order_nonce[:-1]):
        assert record_content_result(nonce, {"status": "passed", "messages": ["ok"]}) is None
    assert not run.steps.filter(name="run").exists()
    version.refresh_from_db()
    assert version.state == Version.State.VALIDATING


def test_our_own_faults_give_the_attempt_back_and_send_a_new_order(version, settings):
    from repository.actions import validation

    settings.VALIDATION_RUN_CONTENT = True
    validate_version(version.pk, queues={"checks"})
    run = ValidationRun.objects.get(version=version)
    before, nonce = run.attempts, run.order_nonce
    validation.record_content_result(nonce, {"unavailable": "Chromium did not start"})
    run.refresh_from_db()
    assert run.attempts == before
    assert run.order_nonce not in {"", nonce}
    assert run.order["retries"] == 1
    assert validation.open_run_id(version.pk) == run.pk


def test_a_run_whose_worker_stops_beating_is_freed_and_its_late_result_ignored(version, settings):
    from repository.actions import validation

    settings.VALIDATION_RUN_CONTENT = True
    validate_version(version.pk, queues={"checks"})
    run = ValidationRun.objects.get(version=version)
    assert validation.record_content_progress(run.order_nonce, "sandbox@host-a")
    assert validation.release_lost_runs() == []  # beating
    settings.VALIDATION_HEARTBEAT_SECONDS = -1
    assert validation.release_lost_runs() == [(version.pk, False)]
    assert validation.release_lost_runs() == []  # freed once, until claimed again
    assert validation.record_content_result(run.order_nonce, {"status": "passed"}) is None


def test_a_stalled_revalidation_is_found_for_requeue(version, settings, monkeypatch):
    from repository.actions import validation

    validated(version.pk)  # passed
    monkeypatch.setattr(release, "CHECKS_RELEASE", "checks-next")
    settings.VALIDATION_RUN_CONTENT = True
    validate_version(version.pk, queues={"checks"}, revalidate=True)  # order lost on the way
    settings.VALIDATION_STUCK_AFTER_SECONDS = 0
    assert validation.stuck_revalidations() == [version.pk]


def test_a_repeated_message_while_the_order_is_out_and_beating_changes_nothing(version, settings):
    from repository.actions import validation

    settings.VALIDATION_RUN_CONTENT = True
    validate_version(version.pk, queues={"checks"})
    run = ValidationRun.objects.get(version=version)
    assert validation.record_content_progress(run.order_nonce, "sandbox@host-a")
    for _ in range(4):  # at-least-once delivery: duplicates are normal
        assert validate_version(version.pk, queues={"checks"}) is None
    again = ValidationRun.objects.get(pk=run.pk)
    assert (again.attempts, again.order_nonce) == (run.attempts, run.order_nonce)
    assert again.state == ValidationRun.State.RUNNING


@pytest.mark.parametrize(
    "result",
    [
        {"status": "passed", "ms": "x"},
        {"status": "passed", "messages": 5},
        {"status": "passed", "artefacts": [1, 2]},
        "passed",
        {"status": "passed", "ms": 10**12},
        {"status": "maybe"},
        {"status": "passed", "files": [{"name": 3}]},
    ],
)
def test_a_malformed_result_ends_the_run_as_our_fault_in_one_outcome(version, settings, result):
    from repository.actions import validation

    settings.VALIDATION_RUN_CONTENT = True
    validate_version(version.pk, queues={"checks"})
    run = ValidationRun.objects.get(version=version)
    ended = validation.record_content_result(run.order_nonce, result)
    assert ended is not None and ended.state == ValidationRun.State.ERROR
    step = ended.steps.get(name="run")
    assert step.status == "error"
    assert len(step.messages) == 1
    assert step.messages[0].startswith("The validator's worker sent a malformed result")
    assert ValidationRun.objects.get(pk=run.pk).order_nonce == ""


def test_an_order_our_side_cannot_run_is_retried_a_bounded_number_of_times(version, settings):
    from repository.actions import validation

    settings.VALIDATION_RUN_CONTENT = True
    settings.VALIDATION_ORDER_MAX_RETRIES = 2
    validate_version(version.pk, queues={"checks"})
    for _ in range(2):
        nonce = ValidationRun.objects.get(version=version).order_nonce
        run = validation.record_content_result(nonce, {"unavailable": "Chromium did not start"})
        assert run is not None and run.state == ValidationRun.State.RUNNING
    nonce = ValidationRun.objects.get(version=version).order_nonce
    ended = validation.record_content_result(nonce, {"unavailable": "Chromium did not start"})
    assert ended is not None and ended.state == ValidationRun.State.ERROR
    message = ended.steps.get(name="run").messages[0]
    assert "after 3 tries" in message and "our fault" in message


def test_an_order_our_side_cannot_run_past_the_runs_deadline_ends_it(version, settings):
    from repository.actions import validation

    settings.VALIDATION_RUN_CONTENT = True
    settings.VALIDATION_RUN_DEADLINE_SECONDS = -1
    validate_version(version.pk, queues={"checks"})
    nonce = ValidationRun.objects.get(version=version).order_nonce
    ended = validation.record_content_result(nonce, {"unavailable": "Chromium did not start"})
    assert ended is not None and ended.state == ValidationRun.State.ERROR


def test_the_reaper_ends_a_run_still_open_past_its_deadline_however_it_beats(version, settings):
    from repository import tasks
    from repository.actions import validation

    settings.VALIDATION_RUN_CONTENT = True
    validate_version(version.pk, queues={"checks"})
    run = ValidationRun.objects.get(version=version)
    assert validation.record_content_progress(run.order_nonce, "sandbox@host-a")
    assert validation.end_overdue_runs() == 0
    settings.VALIDATION_RUN_DEADLINE_SECONDS = -1
    assert tasks.reap_stuck_validations() >= 1
    ended = ValidationRun.objects.get(pk=run.pk)
    assert (ended.state, ended.order_nonce) == (ValidationRun.State.ERROR, "")
    assert "could not finish" in ended.steps.get(name="run").messages[0]
    assert validation.record_content_result(run.order_nonce, {"status": "passed"}) is None


def test_an_order_our_side_never_could_run_leaves_the_version_unfinished_not_failed(
    package, northfield, staff, settings, mailoutbox, django_capture_on_commit_callbacks
):
    from repository.actions import validation

    settings.VALIDATION_RUN_CONTENT = True
    settings.VALIDATION_ORDER_MAX_RETRIES = 0
    version = deposit_package(package=package, institution=northfield, by=staff)
    validate_version(version.pk, queues={"checks"})
    nonce = ValidationRun.objects.get(version=version).order_nonce
    with django_capture_on_commit_callbacks(execute=True):
        validation.record_content_result(nonce, {"unavailable": "Chromium did not start"})
    version.refresh_from_db()
    assert version.state == Version.State.UNFINISHED  # publish_on_pass was asked: not published
    assert version.published_at is None
    assert "could not finish (our fault)" in mailoutbox[-1].subject
    assert "not the deposit's" in mailoutbox[-1].body
    assert "Chromium did not start" in mailoutbox[-1].body


def test_a_not_run_version_is_validated_once_a_validator_that_can_run_it_comes(version, settings):
    from repository.actions import validation

    validate_version(version.pk)  # this installation runs no content: not run
    assert validation.versions_to_revalidate(10) == []  # nothing here could judge it better
    settings.VALIDATION_RUN_CONTENT = True  # a release with a browser: the periodic task finds it
    assert validation.versions_to_revalidate(10) == [version.pk]
    validate_version(version.pk, queues={"checks"}, revalidate=True)
    version.refresh_from_db()
    assert version.state == Version.State.VALIDATING
    run = ValidationRun.objects.get(version=version, state=ValidationRun.State.RUNNING)
    result = {"status": "passed", "messages": ["Loaded."], "release": "chromium-2"}
    validation.record_content_result(run.order_nonce, result)
    version.refresh_from_db()
    assert version.state == Version.State.PASSED
    states = list(version.validation_runs.values_list("state", flat=True))
    assert states == [ValidationRun.State.PASSED, ValidationRun.State.NOT_RUN]
