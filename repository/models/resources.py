"""Resources: a learning tool or a simulation scenario owned by an institution."""

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.db.models import Q
from django.urls import reverse

from repository.models.institutions import Institution


class ResourceQuerySet(models.QuerySet["Resource"]):
    def published(self) -> "ResourceQuerySet":
        return self.filter(latest_published__isnull=False)

    def with_a_page_for(self, user: object) -> "ResourceQuerySet":
        """What `visible_to` gives, plus resources whose every public version was withdrawn.

        A withdrawn work keeps its address (courses link to it), saying it was withdrawn; it
        no longer shows in listings and search, which use `visible_to`. So does a taken-down
        one, whose address answers 410 with the reason (repository/web/versions.py).
        """
        withdrawn = Resource.objects.filter(versions__state__in=["withdrawn", "taken_down"]).values(
            "pk"
        )
        return self.filter(Q(pk__in=self.visible_to(user).values("pk")) | Q(pk__in=withdrawn))

    def visible_to(self, user: object) -> "ResourceQuerySet":
        """Published resources for everyone; the rest for their institution's staff and authors."""
        if not isinstance(user, User):  # anonymous (or no one): public rows only
            return self.published()
        staff_of = Institution.objects.where(user)
        return self.filter(
            Q(latest_published__isnull=False)
            | Q(institution__in=staff_of)
            | Q(versions__created_by=user)
        ).distinct()


class Resource(models.Model):
    class Kind(models.TextChoices):
        TOOL = "tool", "Learning tool"
        SCENARIO = "scenario", "Simulation scenario"
        NOTEBOOK = "notebook", "Jupyter notebook"

    class ContributionPolicy(models.TextChoices):
        MEMBERS = "members", "Members of the institution, students included"
        STAFF = "staff", "Staff of the institution only"
        SIGNED_IN = "signed_in", "Anyone signed in"

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="resources")
    slug = models.SlugField(max_length=80)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    subjects = models.JSONField(default=list, blank=True)
    level = models.CharField(max_length=60, blank=True)
    language = models.CharField(max_length=20, blank=True)
    contribution_policy = models.CharField(
        max_length=16, choices=ContributionPolicy.choices, default=ContributionPolicy.MEMBERS
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    latest_published = models.ForeignKey(
        "repository.Version",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "slug"], name="resource_slug_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=["tool", "scenario", "notebook"]), name="resource_kind_known"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("resource", args=[self.institution.slug, self.slug])
