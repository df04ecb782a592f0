"""Learners' attempts: their own controller code run against their variant of a scenario."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from repository.models.institutions import Institution
from repository.models.versions import Version


class Attempt(models.Model):
    """One run of a learner's controller on a published scenario version, and its result.

    Kept for good with the code exactly as submitted, so a learner can compare attempts and go
    back to one. `institution` is the pool the attempt counts against for the fair-share limits
    (the scenario's institution when the learner belongs to it, else their first one). Pages
    name an attempt by its random `public_id`, never by its sequential primary key.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Running"
        PASSED = "passed", "All checks passed"
        FAILED = "failed", "Some checks failed"
        ERROR = "error", "Your code stopped with an error"
        UNFINISHED = "unfinished", "Could not finish (our fault)"

    OPEN_STATES = (State.QUEUED, State.RUNNING)

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts"
    )
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="attempts")
    institution = models.ForeignKey(
        Institution, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The learner's opaque student id: their variant of the scenario.
    student_id = models.CharField(max_length=120)
    parameters = models.JSONField(default=dict)
    code = models.TextField()
    from_blocks = models.BooleanField(default=False)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    metrics = models.JSONField(default=dict)
    comparisons = models.JSONField(default=list)
    checks = models.JSONField(default=list)
    score = models.FloatField(null=True, blank=True)
    grade = models.CharField(max_length=60, blank=True, default="")
    error = models.TextField(blank=True, default="")
    error_line = models.PositiveIntegerField(null=True, blank=True)
    # Which of the sandbox's limits killed the learner's run ("timeout", "memory", "cpu"), if any.
    killed_by = models.CharField(max_length=16, blank=True, default="")
    files = models.JSONField(default=list)
    time_limit_s = models.FloatField()
    created_at = models.DateTimeField(default=timezone.now)
    # Sent to the attempts queue (None: waiting in our fair-share queue, in the database).
    dispatched_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The nonce of the work order out for it: only a result carrying it is recorded, once.
    order_nonce = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    state__in=["queued", "running", "passed", "failed", "error", "unfinished"]
                ),
                name="attempt_state_known",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=1),
                name="attempt_score_in_range",
            ),
        ]
        indexes = [
            models.Index(fields=["learner", "created_at"], name="attempt_learner_recent"),
            models.Index(fields=["version", "learner"], name="attempt_version_learner"),
            models.Index(fields=["institution", "created_at"], name="attempt_institution_recent"),
            models.Index(fields=["state", "dispatched_at"], name="attempt_waiting"),
            # /metrics reads the last hour's finished attempts at every scrape.
            models.Index(fields=["finished_at"], name="attempt_finished"),
        ]

    def __str__(self) -> str:
        return f"attempt on {self.version} ({self.state})"

    def get_absolute_url(self) -> str:
        resource = self.version.resource
        return reverse(
            "attempt",
            args=[resource.institution.slug, resource.slug, self.version.number, self.public_id],
        )

    @property
    def finished(self) -> bool:
        return self.state not in self.OPEN_STATES

    @property
    def error_summary(self) -> str:
        """The error's last line (e.g. "ZeroDivisionError: division by zero"), for tables."""
        lines = [line for line in self.error.splitlines() if line.strip()]
        return lines[-1].strip() if lines else ""

    @property
    def baseline(self) -> dict[str, object] | None:
        return self.comparisons[0] if self.comparisons else None
