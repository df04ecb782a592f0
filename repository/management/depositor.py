"""The institution and person a deposit command acts for, from its --institution and --user."""

from django.contrib.auth.models import User
from django.core.management.base import CommandError

from repository.models import Institution


def depositor(options: dict[str, object]) -> tuple[Institution, User]:
    """(institution, user) named by slug and e-mail; a CommandError naming what is not found."""
    institution = Institution.objects.filter(slug=options["institution"]).first()
    if institution is None:
        raise CommandError(f"No institution with slug {options['institution']!r}.")
    user = User.objects.filter(email=options["user"]).first()
    if user is None:
        raise CommandError(f"No user with e-mail {options['user']!r}.")
    return institution, user
