"""Reports of public versions by anyone, and the log of what site admins did about them."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from repository.models.versions import Version


class Report(models.Model):
    """Someone's report that a public version should not be there; no personal data is kept.

    `source_key` is a hash of the reporter's address salted with the day (see
    repository/actions/moderation.py): enough to throttle a flood, not to tell who reported.
    """

    class Category(models.TextChoices):
        COPYRIGHT = "copyright", "It infringes copyright or breaks its licence"
        HARMFUL = "harmful", "It is harmful, abusive or unsuitable for learners"
        PERSONAL_DATA = "personal_data", "It shows someone's personal data"
        MALICIOUS = "malicious", "Its code is malicious or deceptive (e.g. phishing, tracking)"
        SPAM = "spam", "It is spam or advertising"
        OTHER = "other", "Something else"

    class State(models.TextChoices):
        OPEN = "open", "Open"
        DISMISSED = "dismissed", "Dismissed"
        UPHELD = "upheld", "Upheld: the version was taken down"

    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="reports")
    category = models.CharField(max_length=20, choices=Category.choices)
    details = models.TextField()
    source_key = models.CharField(max_length=64, blank=True, db_index=True)
    state = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["open", "dismissed", "upheld"]), name="report_state_known"
            ),
        ]

    def __str__(self) -> str:
        return f"Report {self.pk} of {self.version_id} ({self.category})"


class AdminAction(models.Model):
    """One thing a site admin (or staff, for re-runs) did: who, what, to which version, when, why.

    Rows are only ever inserted. `actor_name` keeps who it was if their account goes.
    """

    class Kind(models.TextChoices):
        TAKE_DOWN = "take_down", "Took down"
        RESTORE = "restore", "Restored"
        DISMISS = "dismiss", "Dismissed a report"
        RERUN_VALIDATION = "rerun_validation", "Re-ran validation"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=300)
    version = models.ForeignKey(
        Version, on_delete=models.PROTECT, null=True, related_name="admin_actions"
    )
    report = models.ForeignKey(Report, on_delete=models.PROTECT, null=True, related_name="+")
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.actor_name} {self.get_kind_display().lower()} {self.version_id}"
