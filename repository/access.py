"""Who may do what: role checks shared by every action."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from repository.errors import LicenceRefused, PermissionRefused
from repository.models import (
    ApiClient,
    Contribution,
    Institution,
    Membership,
    Resource,
    VariantRun,
    Version,
)
from repository.models.institutions import STAFF_ROLES

AnyUser = User | AnonymousUser


def role_in(user: AnyUser, institution: Institution) -> str | None:
    if not user.is_authenticated:
        return None
    return (
        Membership.objects.filter(user=user, institution=institution)
        .values_list("role", flat=True)
        .first()
    )


def is_staff_of(user: AnyUser, institution: Institution) -> bool:
    return role_in(user, institution) in STAFF_ROLES


def is_admin_of(user: AnyUser, institution: Institution) -> bool:
    return role_in(user, institution) == Membership.Role.ADMIN


def require_staff(user: AnyUser, institution: Institution, doing: str) -> None:
    if not is_staff_of(user, institution):
        raise PermissionRefused(
            f"Only staff of {institution.name} may {doing}; ask one of its admins for a staff role."
        )


def require_admin(user: AnyUser, institution: Institution, doing: str) -> None:
    if not is_admin_of(user, institution):
        raise PermissionRefused(f"Only admins of {institution.name} may {doing}.")


def require_member(user: AnyUser, institution: Institution, doing: str) -> None:
    if role_in(user, institution) is None:
        raise PermissionRefused(
            f"Only members of {institution.name} may {doing}; join it by invitation or "
            "with a verified address at one of its domains."
        )


def can_view(user: AnyUser, version: Version) -> bool:
    return Version.objects.visible_to(user).filter(pk=version.pk).exists()


def variant_runs_visible_to(user: AnyUser) -> QuerySet[VariantRun]:
    """The variant runs `user` may see: their own, and as staff those of their learners.

    A run shows who asked for it and for which student id, so it is never public. Staff see
    the runs of every member of their institution, and every run of their institution's
    scenarios. Every page and file of a run is reached through this queryset.
    """
    if not user.is_authenticated:
        return VariantRun.objects.none()
    staff_of = Institution.objects.where(user)
    learners = Membership.objects.filter(institution__in=staff_of).values("user")
    return VariantRun.objects.filter(
        Q(requested_by=user)
        | Q(requested_by__in=learners)
        | Q(version__resource__institution__in=staff_of)
    )


def people_visible_to(user: AnyUser) -> QuerySet[Any]:
    """The people whose page `user` may open; anyone else's page is a 404 like a missing id.

    Public: people with public work, i.e. a published (or withdrawn) version they made or a
    merged contribution in one. Also visible: one's own page, and to a member of an
    institution its other members (its page lists them to members already). Never an API
    client's service user: it is a credential, not a person, and names the client.
    """
    public_states = [Version.State.PUBLISHED, Version.State.WITHDRAWN]
    credited = Version.objects.filter(state__in=public_states).values("created_by")
    contributed = Contribution.objects.filter(
        state=Contribution.State.MERGED, merged_version__state__in=public_states
    ).values("author")
    visible = Q(pk__in=credited) | Q(pk__in=contributed)
    if user.is_authenticated:
        fellow_members = Membership.objects.filter(
            institution__in=Membership.objects.filter(user=user).values("institution")
        ).values("user")
        visible |= Q(pk=user.pk) | Q(pk__in=fellow_members)
    services = ApiClient.objects.values("service_user")
    return get_user_model().objects.filter(visible).exclude(pk__in=services)


def can_publish(user: AnyUser, resource: Resource) -> bool:
    return is_staff_of(user, resource.institution)


def require_adaptable(version: Version) -> None:
    """Refuse to adapt a collection: its works keep their own licences, which must each decide.

    A collection carries a licence for the arrangement only; forking or remixing it as one work
    would put every collected work (ND and ShareAlike ones included) under that licence.
    """
    if version.items.exists():
        titles = ", ".join(
            f"{i.item.resource.title} v{i.item.number}"
            for i in version.items.select_related("item__resource")
        )
        raise LicenceRefused(
            f"“{version.resource.title}” is a collection: each work in it keeps its own licence. "
            f"Fork or remix the works themselves ({titles})."
        )
