"""Validation runs of a version and their ordered steps."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from repository.models.versions import Version


class ValidationRun(models.Model):
    class State(models.TextChoices):
        RUNNING = "running", "Running"
        PASSED = "passed", "Passed"
        FAILED = "failed", "Failed"
        # Every step that ran passed, but one could not run here (no browser or sandbox).
        NOT_RUN = "not_run", "Not run"
        ERROR = "error", "Error on our side"

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="validation_runs")
    validator_release = models.CharField(max_length=120)
    state = models.CharField(max_length=16, choices=State.choices, default=State.RUNNING)
    attempts = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    # Renewed by every claim (start, retry, hand-over): the reaper re-queues only runs whose
    # last claim is old.
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The worker holding the run (its Celery hostname), blank while the run waits in a queue,
    # and its last heartbeat: a run held by a worker that stopped beating is queued again.
    held_by = models.CharField(max_length=200, blank=True, default="")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The work order out with an untrusted worker: its nonce (a result is recorded only with
    # it) and which step it is for.
    order_nonce = models.CharField(max_length=64, blank=True, default="", db_index=True)
    order = models.JSONField(default=dict, blank=True)
    # 0 for the run a deposit (or a new validator release) starts; each staff re-run under the
    # same release adds one, so older runs stay in the history.
    round = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_at"]
        # /metrics reads the last hour's finished runs (and their steps) at every scrape.
        indexes = [models.Index(fields=["finished_at"], name="run_finished")]
        constraints = [
            # One run per (version, validator release, round): a repeated task reuses the row.
            models.UniqueConstraint(
                fields=["version", "validator_release", "round"], name="one_run_per_round"
            ),
            # At most one open run per version: re-runs and new releases wait for it to end.
            models.UniqueConstraint(
                fields=["version"], condition=Q(state="running"), name="one_open_run"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["running", "passed", "failed", "not_run", "error"]),
                name="run_state_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} validation ({self.state})"


class ValidationStep(models.Model):
    class Status(models.TextChoices):
        PASSED = "passed", "Passed"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"
        ERROR = "error", "Error on our side"

    run = models.ForeignKey(ValidationRun, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(max_length=40)
    position = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices)
    duration_ms = models.PositiveIntegerField(default=0)
    messages = models.JSONField(default=list, blank=True)
    artefacts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "name"], name="one_step_per_name"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.status}"
