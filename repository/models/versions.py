"""Versions: immutable snapshots of a resource, with their file trees."""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

import licensing.parts
from repository.errors import InvalidTransition
from repository.models.blobs import Blob
from repository.models.institutions import Institution
from repository.models.resources import Resource


class VersionQuerySet(models.QuerySet["Version"]):
    def public(self) -> "VersionQuerySet":
        """The one predicate for "publicly visible" (`Version.is_public` is its row form).

        Withdrawn versions keep their page (a course may have pinned one) but say so; taken-down
        ones do not count: only their institution sees them (repository/actions/moderation.py).
        """
        return self.filter(state__in=Version.PUBLIC_STATES)

    def once_public(self) -> "VersionQuerySet":
        """Public versions and taken-down ones: what the outside world was told about.

        A taken-down version's address answers 410 with the reason, and OAI-PMH lists it as a
        deleted record, so harvesters drop it; nothing else about it is shown.
        """
        return self.filter(state__in=[*Version.PUBLIC_STATES, Version.State.TAKEN_DOWN])

    def visible_to(self, user: object) -> "VersionQuerySet":
        """Public versions for everyone; the rest for the institution's staff and the authors."""
        if not isinstance(user, User):  # anonymous (or no one): public rows only
            return self.public()
        staff_of = Institution.objects.where(user)
        return self.filter(
            Q(state__in=Version.PUBLIC_STATES)
            | Q(resource__institution__in=staff_of)
            | Q(created_by=user)
        )


class Version(models.Model):
    class State(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded, waiting for validation"
        VALIDATING = "validating", "Validating"
        PASSED = "passed", "Passed validation"
        FAILED = "failed", "Failed validation"
        # Neither is the deposit's fault and neither is ever published: a step could not run on
        # this installation (no browser or sandbox), or our validators could not finish. Both are
        # validated again when a validator release that can run them comes (or staff re-run it).
        NOT_RUN = "not_run", "Not yet validated"
        UNFINISHED = "unfinished", "Validation could not finish"
        PUBLISHED = "published", "Published"
        WITHDRAWN = "withdrawn", "Withdrawn"
        # By the site's moderators, after a report: hidden from everyone but its institution.
        TAKEN_DOWN = "taken_down", "Taken down"

    PUBLIC_STATES = (State.PUBLISHED, State.WITHDRAWN)

    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    licence = models.CharField(max_length=80, help_text="SPDX id of the version's licence")
    authors = models.JSONField(default=list)
    contributors = models.JSONField(default=list, blank=True)
    changelog = models.TextField(blank=True)
    manifest = models.JSONField()
    # Per-file licensing, decided when the version is made (licensing.parts.PackageParts.to_json:
    # {"license", "files": [{"path", "license", "copyright", "via", "pattern", "component"}],
    # "components": [...]}); versions are immutable, so it never changes. Read it with
    # `licence_parts`.
    parts = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.UPLOADED)
    publish_on_pass = models.BooleanField(default=False)
    file_count = models.PositiveIntegerField(default=0)
    total_size = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="versions"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    # Who withdrew a version, when and why: shown on its page (and its resource's) for good.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.TextField(blank=True)
    # A takedown (repository/actions/moderation.py) says why on the version's 410 page; restoring
    # puts back the state it had. Who took it down is in the moderation log, not here.
    taken_down_at = models.DateTimeField(null=True, blank=True)
    takedown_reason = models.TextField(blank=True)
    state_before_takedown = models.CharField(max_length=16, blank=True)

    objects = VersionQuerySet.as_manager()

    class Meta:
        ordering = ["resource", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "number"], name="version_number_unique"),
            models.CheckConstraint(
                condition=Q(
                    state__in=[
                        "uploaded",
                        "validating",
                        "passed",
                        "failed",
                        "not_run",
                        "unfinished",
                        "published",
                        "withdrawn",
                        "taken_down",
                    ]
                ),
                name="version_state_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} v{self.number}"

    def get_absolute_url(self) -> str:
        return reverse(
            "version", args=[self.resource.institution.slug, self.resource.slug, self.number]
        )

    @property
    def is_public(self) -> bool:
        return self.state in self.PUBLIC_STATES

    @property
    def licence_parts(self) -> "licensing.parts.PackageParts":
        """Each file's licence and the third-party components (all under `licence` if none)."""
        if self.parts:
            return licensing.parts.PackageParts.from_json(self.parts)
        paths = self.files.values_list("path", flat=True)
        return licensing.parts.uniform(self.licence, paths)

    @property
    def entry_point(self) -> str:
        return str(self.manifest.get("entry_point", "index.html"))

    def move(self, *, from_states: Iterable[str], to: str, **changes: object) -> None:
        """Change state only if the row is still in one of `from_states` (compare-and-swap).

        Raises InvalidTransition when another process moved it first or the move is not allowed.
        """
        allowed = list(from_states)
        updated = Version.objects.filter(pk=self.pk, state__in=allowed).update(state=to, **changes)
        if not updated:
            self.refresh_from_db(fields=["state"])
            raise InvalidTransition(
                f"Version {self.number} of “{self.resource.title}” is {self.get_state_display().lower()}; "
                f"it can move to {to} only from {', '.join(allowed)}."
            )
        self.state = to
        for name, value in changes.items():
            setattr(self, name, value)

    def publish(self) -> None:
        """Make a passed (or withdrawn, so once passed) version public.

        Raises InvalidTransition unless it passed validation.
        """
        self.move(
            from_states=[self.State.PASSED, self.State.WITHDRAWN],
            to=self.State.PUBLISHED,
            published_at=timezone.now(),
            withdrawn_at=None,
            withdrawn_by=None,
            withdrawal_reason="",
        )

    def withdraw(self, *, by: object, reason: str) -> None:
        """Take a published version out of circulation; its page stays, saying who, when, why."""
        self.move(
            from_states=[self.State.PUBLISHED],
            to=self.State.WITHDRAWN,
            withdrawn_at=timezone.now(),
            withdrawn_by=by,
            withdrawal_reason=reason,
        )

    def take_down(self, *, reason: str) -> None:
        """Hide a public version from everyone but its institution, remembering its state."""
        # Only from the state it is remembered in, so a withdrawal meanwhile is not lost.
        self.move(
            from_states=[self.state] if self.state in self.PUBLIC_STATES else self.PUBLIC_STATES,
            to=self.State.TAKEN_DOWN,
            taken_down_at=timezone.now(),
            takedown_reason=reason,
            state_before_takedown=self.state,
        )

    def restore(self) -> None:
        """Undo a takedown: the version is published (or withdrawn) again, as it was."""
        earlier = self.state_before_takedown or self.State.PUBLISHED
        self.move(
            from_states=[self.State.TAKEN_DOWN],
            to=earlier,
            taken_down_at=None,
            takedown_reason="",
            state_before_takedown="",
        )


class VersionFile(models.Model):
    """One path of a version's tree. Rows are only ever inserted, never changed."""

    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="files")
    path = models.CharField(max_length=1024)
    # PROTECT: a blob cannot be deleted while any version's tree points at it
    # (repository/management/commands/collect_blobs.py relies on this).
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="uses")

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["version", "path"], name="version_path_unique"),
        ]

    def __str__(self) -> str:
        return self.path
