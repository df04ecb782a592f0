"""Usage statistics: raw events of the current day or two, and the daily counts kept for good."""

from django.db import models

from repository.models.institutions import Institution
from repository.models.resources import Resource
from repository.models.versions import Version


class UsageEvent(models.Model):
    """One use of a published version, kept only until the nightly aggregation counts it.

    `session` is a hash of the visitor's session (or address and browser within the hour) with
    the day's salt: it tells two sessions apart on that day and cannot be linked to anyone once
    the salt is gone (UsageSalt), nor to the same visitor on another day.
    """

    class Kind(models.TextChoices):
        VIEW = "view", "Page view"
        DOWNLOAD = "download", "Download"
        TRY = "try", "Try-it start"
        LTI_LAUNCH = "lti", "LTI launch"
        FORK = "fork", "Fork"
        ATTEMPT = "attempt", "Attempt"

    occurred_at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    # No foreign-key constraint or index: the insert is on the page's path and the version
    # is never deleted; the aggregation joins on it once a day.
    version = models.ForeignKey(
        Version, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    session = models.CharField(max_length=32)

    def __str__(self) -> str:
        return f"{self.kind} of version {self.version_id} at {self.occurred_at:%H:%M:%S}"


class UsageSalt(models.Model):
    """The secret mixed into the day's session hashes; deleted once its day is aggregated."""

    day = models.DateField(primary_key=True)
    salt = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"salt of {self.day}"  # never the salt itself


class UsageDay(models.Model):
    """A version's use on one day (UTC), by the COUNTER Release 5 rules.

    Each kind is counted after the double-click filter. Investigations are every use (a page
    view is one; a download, try-it start, LTI launch, fork or attempt is also a request);
    the unique counts are the sessions that investigated (or requested) the version that day.
    """

    day = models.DateField()
    version = models.ForeignKey(Version, on_delete=models.CASCADE, related_name="usage_days")
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="usage_days")
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="usage_days"
    )
    views = models.PositiveIntegerField(default=0)
    downloads = models.PositiveIntegerField(default=0)
    tries = models.PositiveIntegerField(default=0)
    lti_launches = models.PositiveIntegerField(default=0)
    forks = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    total_investigations = models.PositiveIntegerField(default=0)
    total_requests = models.PositiveIntegerField(default=0)
    unique_investigations = models.PositiveIntegerField(default=0)
    unique_requests = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "version"], name="usage_day_per_version")
        ]
        indexes = [
            models.Index(fields=["resource", "day"], name="usage_day_resource"),
            models.Index(fields=["institution", "day"], name="usage_day_institution"),
        ]

    def __str__(self) -> str:
        return f"version {self.version_id} on {self.day}: {self.total_requests} requests"
