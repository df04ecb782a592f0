"""Per-student variant runs of a scenario, and each learner's opaque default student id."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from repository.models.versions import Version


class VariantRun(models.Model):
    """A run of a published scenario with one student's variant parameters, for one learner.

    Each learner's runs are their own (repository/access.py decides who else may see them), so
    the same variant asked for by two people is two runs. Pages name a run by its random
    `public_id`, never by its sequential primary key.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        PASSED = "passed", "All checks passed"
        FAILED = "failed", "Some checks failed"
        ERROR = "error", "Could not run"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="variant_runs")
    student_id = models.CharField(max_length=120)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    parameters = models.JSONField(default=dict)
    metrics = models.JSONField(default=dict)
    messages = models.JSONField(default=list)
    files = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the run was last put on the queue: the request rate limits count these.
    queued_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The nonce of the work order out for the run: only a result carrying it is recorded, once.
    order_nonce = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "requested_by", "student_id"], name="one_run_per_learner_variant"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["queued", "running", "passed", "failed", "error"]),
                name="variant_state_known",
            ),
        ]
        indexes = [models.Index(fields=["requested_by", "queued_at"], name="variant_run_requests")]

    def __str__(self) -> str:
        return f"{self.version} for {self.student_id} ({self.state})"

    def get_absolute_url(self) -> str:
        resource = self.version.resource
        return reverse(
            "version_variant_run",
            args=[resource.institution.slug, resource.slug, self.version.number, self.public_id],
        )

    @property
    def finished(self) -> bool:
        return self.state not in {self.State.QUEUED, self.State.RUNNING}


def new_student_key() -> str:
    return f"learner-{secrets.token_hex(6)}"


class StudentKey(models.Model):
    """A learner's opaque student id for variants, offered instead of anything that names them.

    Stored rather than derived from a secret, so a learner keeps the same variant when the
    site's keys are rotated.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="student_key"
    )
    value = models.CharField(max_length=32, unique=True, default=new_student_key)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.value
