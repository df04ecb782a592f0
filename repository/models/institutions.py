"""Institutions, their members and invitations."""

import secrets
from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.urls import reverse

# Roles that make a member staff of their institution: they deposit, publish and review there.
STAFF_ROLES = ("admin", "staff")


class InstitutionQuerySet(models.QuerySet["Institution"]):
    def where(self, user: object, *, roles: Iterable[str] = STAFF_ROLES) -> "InstitutionQuerySet":
        """The institutions where `user` holds one of `roles` (staff or admin unless told).

        The one way to ask "staff of which institutions?": querysets, forms and views use it
        (often as a subquery), so the rule is written once. Nobody's for an anonymous visitor.
        """
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(memberships__user=user, memberships__role__in=list(roles))


class Institution(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    # Lower-case domains whose verified addresses may join as students without an invitation.
    email_domains = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("institution", args=[self.slug])

    def accepts_domain(self, email: str) -> bool:
        domain = email.rsplit("@", 1)[-1].lower()
        return domain in {d.lower() for d in self.email_domains}


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", "Admin"
        STAFF = "staff", "Staff"
        STUDENT = "student", "Student"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.STUDENT)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["institution", "role", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "institution"], name="one_membership_each"),
            models.CheckConstraint(
                condition=models.Q(role__in=["admin", "staff", "student"]),
                name="membership_role_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) at {self.institution}"

    @property
    def is_staff_or_admin(self) -> bool:
        return self.role in STAFF_ROLES


def new_invitation_token() -> str:
    return secrets.token_urlsafe(24)


class Invitation(models.Model):
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Membership.Role.choices)
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.institution} as {self.role}"
