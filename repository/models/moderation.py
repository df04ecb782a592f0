"""Reports of public versions by anyone, and the audit log of what admins did."""

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
    """The audit log: one thing an admin did (a site admin, an institution's admin, or staff
    withdrawing or re-running), who, what, to which object, when, why, from which request.

    Rows are only ever inserted (repository/actions/audit.py). `actor_name` and `target_label`
    keep who it was and what it was about when the account or the object goes; `changes` holds
    each field changed as {"from": old, "to": new}, or {"changed": true} for a secret or a
    long text, whose value is never copied here.
    """

    class Kind(models.TextChoices):
        TAKE_DOWN = "take_down", "Took down"
        RESTORE = "restore", "Restored"
        DISMISS = "dismiss", "Dismissed a report"
        RERUN_VALIDATION = "rerun_validation", "Re-ran validation"
        WITHDRAW = "withdraw", "Withdrew"
        REPUBLISH = "republish", "Published again after withdrawal"
        INVITE = "invite", "Invited"
        CHANGE_ROLE = "change_role", "Changed the role of"
        REMOVE_MEMBER = "remove_member", "Removed from the institution"
        CONFIGURE_OIDC = "configure_oidc", "Set OpenID Connect sign-in"
        CONFIGURE_SAML = "configure_saml", "Set SAML sign-in"
        REGISTER_PLATFORM = "register_platform", "Registered an LTI platform"
        UPDATE_PLATFORM = "update_platform", "Changed an LTI platform"
        REMOVE_PLATFORM = "remove_platform", "Removed an LTI platform"
        REGISTER_API_CLIENT = "register_api_client", "Registered an API client"
        REVOKE_API_CLIENT = "revoke_api_client", "Revoked an API client"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    actor_name = models.CharField(max_length=300)
    institution = models.ForeignKey(
        "repository.Institution",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="admin_actions",
    )
    version = models.ForeignKey(
        Version, on_delete=models.PROTECT, null=True, related_name="admin_actions"
    )
    report = models.ForeignKey(Report, on_delete=models.PROTECT, null=True, related_name="+")
    #: The object acted on, by model name and key, kept as text: it may since have been deleted.
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    request_id = models.CharField(max_length=128, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["institution", "-at"], name="admin_action_inst_at")]

    def __str__(self) -> str:
        return f"{self.actor_name} {self.get_kind_display().lower()} {self.target_label}"

    def change_lines(self) -> list[str]:
        """Each change as a sentence for the log's pages."""
        lines = []
        for field, change in sorted(self.changes.items()):
            name = field.replace("_", " ")
            if "from" in change:
                lines.append(f"{name}: {shown(change['from'])} → {shown(change['to'])}")
            else:
                lines.append(f"{name}: changed")
        return lines


def shown(value: object) -> str:
    if value in (None, "", []):
        return "(none)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)
