"""LTI 1.3: platforms (VLEs) registered by an institution, our signing keys, learners, launches."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from repository.models.institutions import Institution
from repository.models.versions import Version


class LtiToolKey(models.Model):
    """One of Remixbank's own RSA key pairs, signing what the tool sends to platforms.

    The newest active key signs; keys retired by a rotation stay in the JWKS for a while so
    platforms holding a message signed just before the rotation can still check it. The
    private key is stored encrypted (repository/lti/keys.py) and is never shown anywhere.
    """

    kid = models.CharField(max_length=100, unique=True)
    public_pem = models.TextField()
    private_pem_encrypted = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"LTI key {self.kid}"


class LtiPlatform(models.Model):
    """A platform registration: one VLE (issuer + client id) an institution connected.

    pylti1p3 looks registrations up by (issuer, client id), so that pair is unique across
    institutions: the same VLE registering Remixbank twice gets two client ids.
    """

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="lti_platforms"
    )
    name = models.CharField(max_length=100)
    issuer = models.URLField(max_length=500)
    client_id = models.CharField(max_length=200)
    deployment_ids = models.JSONField(default=list)
    auth_login_url = models.URLField(max_length=500)
    auth_token_url = models.URLField(max_length=500)
    jwks_url = models.URLField(max_length=500)
    # Names and Roles: when off (the default) no name or e-mail claim is ever stored.
    nrps_enabled = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["institution", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "client_id"], name="lti_platform_issuer_client_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.issuer}) of {self.institution}"


class LtiLearner(models.Model):
    """Someone a platform launched: known only by the platform's `sub` claim, nothing else."""

    platform = models.ForeignKey(LtiPlatform, on_delete=models.CASCADE, related_name="learners")
    subject = models.CharField(max_length=255)
    # An account of their own, made when they first open a scenario to program it: attempts
    # belong to a user. It has no name, e-mail or password and belongs to no institution.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lti_learner",
    )
    first_launch_at = models.DateTimeField(auto_now_add=True)
    last_launch_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "subject"], name="lti_learner_subject_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"LTI learner {self.subject} of {self.platform_id}"


class LtiResourceLink(models.Model):
    """A placement in a course (the platform's resource link id) and the version it is pinned to."""

    class ScoreChoice(models.TextChoices):
        BEST = "best", "Best score"
        LATEST = "latest", "Latest score"

    platform = models.ForeignKey(LtiPlatform, on_delete=models.CASCADE, related_name="links")
    deployment_id = models.CharField(max_length=255)
    resource_link_id = models.CharField(max_length=255)
    version = models.ForeignKey(Version, on_delete=models.PROTECT, related_name="lti_links")
    # AGS: the line item the platform gave this link, if any (scores go there).
    lineitem_url = models.URLField(max_length=1000, blank=True)
    ags_scopes = models.JSONField(default=list, blank=True)
    # Which of a learner's attempts the gradebook gets; the teacher chooses.
    score_choice = models.CharField(
        max_length=10, choices=ScoreChoice.choices, default=ScoreChoice.BEST
    )
    # Names and Roles: the course's membership address, when the platform offers one.
    memberships_url = models.URLField(max_length=1000, blank=True)
    roster_fetched_at = models.DateTimeField(null=True, blank=True)
    roster_error = models.TextField(blank=True)
    # The learners launched from this link: the teacher's table lists them, and only them.
    learners = models.ManyToManyField(LtiLearner, related_name="links", blank=True)
    first_launch_at = models.DateTimeField(auto_now_add=True)
    last_launch_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "deployment_id", "resource_link_id"],
                name="lti_link_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"LTI link {self.resource_link_id} → {self.version_id}"


class LtiRosterMember(models.Model):
    """A learner of a link's course as the platform's Names and Roles service listed them.

    Kept only while the registration has Names and Roles on (turning it off deletes them):
    the subject and the display name, nothing else of what the service returns.
    """

    link = models.ForeignKey(LtiResourceLink, on_delete=models.CASCADE, related_name="roster")
    subject = models.CharField(max_length=255)
    name = models.CharField(max_length=200, blank=True)
    fetched_at = models.DateTimeField()

    class Meta:
        ordering = ["name", "subject"]
        constraints = [
            models.UniqueConstraint(fields=["link", "subject"], name="lti_roster_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.subject} in link {self.link_id}"


class LtiEvent(models.Model):
    """A refused launch or a failed call, kept for the institution's admin to read."""

    class Kind(models.TextChoices):
        LOGIN_REFUSED = "login_refused", "Login initiation refused"
        LAUNCH_REFUSED = "launch_refused", "Launch refused"
        VERSION_UNAVAILABLE = "version_unavailable", "Launch of a version not in circulation"
        DEEP_LINK_REFUSED = "deep_link_refused", "Deep linking refused"
        SCORE_FAILED = "score_failed", "Score not accepted by the platform"
        ROSTER_FAILED = "roster_failed", "Names and Roles not read from the platform"

    # Null when the message named an issuer nobody registered.
    platform = models.ForeignKey(
        LtiPlatform, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    issuer = models.CharField(max_length=500, blank=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.message[:60]}"


class LtiLaunchState(models.Model):
    """pylti1p3's launch data storage: OIDC state, nonces and validated launches, with expiry.

    In the database rather than a per-process cache, so a login initiation answered by one
    web worker and the launch answered by another agree; a nonce row is deleted when used.
    """

    key = models.CharField(max_length=255, unique=True)
    value = models.JSONField()
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=~Q(key=""), name="lti_state_key_not_empty"),
        ]

    def __str__(self) -> str:
        return self.key


class LtiScorePost(models.Model):
    """A score to send to a platform's line item (AGS), with what happened when we tried."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Accepted by the platform"
        FAILED = "failed", "Not accepted (retrying)"
        GAVE_UP = "gave_up", "Not accepted after every retry"

    link = models.ForeignKey(LtiResourceLink, on_delete=models.CASCADE, related_name="scores")
    learner = models.ForeignKey(LtiLearner, on_delete=models.CASCADE, related_name="scores")
    score_given = models.FloatField()
    score_maximum = models.FloatField()
    activity_progress = models.CharField(max_length=20, default="Completed")
    grading_progress = models.CharField(max_length=20, default="FullyGraded")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    tries = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score_given__gte=0) & Q(score_maximum__gt=0),
                name="lti_score_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"score {self.score_given}/{self.score_maximum} for {self.learner_id}"
