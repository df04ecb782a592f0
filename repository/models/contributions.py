"""Contributions: proposed new trees against a version, reviewed by the resource's staff."""

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.db.models import Q
from django.urls import reverse

from repository.errors import InvalidTransition
from repository.models.blobs import Blob
from repository.models.institutions import Institution
from repository.models.resources import Resource
from repository.models.versions import Version


class ContributionQuerySet(models.QuerySet["Contribution"]):
    def visible_to(self, user: object) -> "ContributionQuerySet":
        """A contribution is seen by its author and the staff of the resource's institution."""
        if not isinstance(user, User):  # anonymous (or no one): public rows only
            return self.none()
        staff_of = Institution.objects.where(user)
        return self.filter(Q(author=user) | Q(resource__institution__in=staff_of))

    def open(self) -> "ContributionQuerySet":
        return self.filter(state__in=Contribution.OPEN_STATES)


class Contribution(models.Model):
    """A pull-request-like proposal: `files` is the whole proposed tree, `manifest` its manifest.

    The tree is checked when proposed (the deposit checks, repository/actions/contributions.py
    `check_contribution`); the version made at merge time runs the full validation pipeline.
    """

    class State(models.TextChoices):
        OPEN = "open", "Open"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved, waiting to be merged"
        MERGED = "merged", "Merged"
        REJECTED = "rejected", "Rejected"

    class CheckState(models.TextChoices):
        PENDING = "pending", "Checks not finished"
        PASSED = "passed", "Checks passed"
        FAILED = "failed", "Checks failed"

    OPEN_STATES = ("open", "changes_requested", "approved")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="contributions")
    base = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="contributions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="contributions"
    )
    description = models.TextField()
    manifest = models.JSONField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.OPEN)
    check_state = models.CharField(
        max_length=10, choices=CheckState.choices, default=CheckState.PENDING
    )
    check_messages = models.JSONField(default=list, blank=True)
    merged_version = models.OneToOneField(
        Version, on_delete=models.PROTECT, null=True, blank=True, related_name="merged_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ContributionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    state__in=["open", "changes_requested", "approved", "merged", "rejected"]
                ),
                name="contribution_state_known",
            ),
            models.CheckConstraint(
                condition=Q(check_state__in=["pending", "passed", "failed"]),
                name="contribution_check_state_known",
            ),
            # Merged exactly when a merged version is recorded.
            models.CheckConstraint(
                condition=Q(state="merged", merged_version__isnull=False)
                | (~Q(state="merged") & Q(merged_version__isnull=True)),
                name="contribution_merged_has_version",
            ),
        ]

    def __str__(self) -> str:
        return f"Contribution #{self.pk} to {self.resource}"

    def get_absolute_url(self) -> str:
        return reverse(
            "contribution",
            args=[self.resource.institution.slug, self.resource.slug, self.pk],
        )

    @property
    def licence(self) -> str:
        return str(self.manifest.get("license", ""))

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    def move(self, *, from_states: list[str], to: str, **changes: object) -> None:
        """Change state only if still in one of `from_states` (compare-and-swap, as Version.move).

        Raises InvalidTransition when the contribution is in another state.
        """
        updated = Contribution.objects.filter(pk=self.pk, state__in=from_states).update(
            state=to, **changes
        )
        if not updated:
            self.refresh_from_db(fields=["state"])
            raise InvalidTransition(
                f"Contribution #{self.pk} is {self.get_state_display().lower()}; it can become "
                f"{to.replace('_', ' ')} only when {' or '.join(s.replace('_', ' ') for s in from_states)}."
            )
        self.state = to
        for name, value in changes.items():
            setattr(self, name, value)


class ContributionFile(models.Model):
    """One path of a contribution's proposed tree (as VersionFile is for a version)."""

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="files")
    path = models.CharField(max_length=1024)
    # PROTECT like VersionFile: a proposal's blobs stay while the proposal exists.
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="contribution_uses")

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["contribution", "path"], name="contribution_path_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.path


class Review(models.Model):
    """One entry of a contribution's conversation: a comment or a reviewer's verdict."""

    class Kind(models.TextChoices):
        COMMENT = "comment", "Commented"
        CHANGES_REQUESTED = "changes_requested", "Requested changes"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        REVISED = "revised", "Revised the proposal"
        MERGED = "merged", "Merged"

    contribution = models.ForeignKey(Contribution, on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "comment",
                        "changes_requested",
                        "approved",
                        "rejected",
                        "revised",
                        "merged",
                    ]
                ),
                name="review_kind_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.contribution}"
