"""Who may do what: role checks shared by every action."""

from functools import cached_property
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from repository.errors import LicenceRefused, PermissionRefused, TakenDown
from repository.lti.messages import INSTRUCTOR_ROLES
from repository.models import (
    AdminAction,
    ApiClient,
    Attempt,
    CollectionItem,
    Contribution,
    Institution,
    LtiResourceLink,
    Membership,
    Resource,
    VariantRun,
    Version,
    VersionFile,
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


def attempts_visible_to(user: AnyUser) -> QuerySet[Attempt]:
    """The attempts `user` may see: their own; as staff, their learners' and those on their scenarios.

    An attempt holds a learner's code and marks, so it is never public. A learner's token or
    session sees only their own; staff of an institution see the attempts of its members and
    every attempt on its scenarios (the scenario's owner). Every page, file, API answer and
    export of an attempt is reached through this queryset.
    """
    if not user.is_authenticated:
        return Attempt.objects.none()
    staff_of = Institution.objects.where(user)
    learners = Membership.objects.filter(institution__in=staff_of).values("user")
    return Attempt.objects.filter(
        Q(learner=user) | Q(learner__in=learners) | Q(version__resource__institution__in=staff_of)
    )


def course_attempts(link: LtiResourceLink) -> QuerySet[Attempt]:
    """The attempts a VLE's instructor sees in a launch of `link`: on its pinned version, by
    the learners launched from that link (not the same version's learners of other courses)."""
    return Attempt.objects.filter(version_id=link.version_id, learner__lti_learner__links=link)


def teaches_course(roles: object) -> bool:
    """Whether a launch's LTI roles make its user a teacher of the launch's course: they see
    its table of learners, names and scores and choose what its gradebook gets.

    Only a role in the course itself counts. An institution role (Canvas gives
    institution/person#Instructor to anyone teaching any course) is no word on this course,
    where its holder may be a learner among the others.
    """
    return isinstance(roles, list) and any(role in INSTRUCTOR_ROLES for role in roles)


def only_own_attempts(user: AnyUser) -> QuerySet[Attempt]:
    """A learner's own attempts and nothing else (what "my attempts" lists, whatever their role)."""
    if not user.is_authenticated:
        return Attempt.objects.none()
    return Attempt.objects.filter(learner=user)


def may_see_attempt_tables(user: AnyUser) -> bool:
    """Teachers (staff or admins of any institution) see tables of their learners' attempts."""
    return user.is_authenticated and Institution.objects.where(user).exists()


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


def can_rerun_validation(user: AnyUser, version: Version) -> bool:
    """Staff of the version's institution may have it validated again (e.g. after an outage)."""
    return is_staff_of(user, version.resource.institution)


def require_rerun_validation(user: AnyUser, version: Version) -> None:
    require_staff(user, version.resource.institution, "re-run validation")


def require_in_circulation(version: Version) -> None:
    """Refuse to build on a withdrawn or taken-down version: nothing new starts from it."""
    if version.state == Version.State.TAKEN_DOWN:
        raise PermissionRefused(
            f"{version.resource.title} v{version.number} was taken down by the site's "
            f"moderators (“{version.takedown_reason}”), so it cannot be forked, remixed, "
            "collected, run or changed."
        )
    if version.state != Version.State.WITHDRAWN:
        return
    newer = (
        Version.objects.filter(resource=version.resource_id, state=Version.State.PUBLISHED)
        .order_by("-number")
        .first()
    )
    why = f" (“{version.withdrawal_reason}”)" if version.withdrawal_reason else ""
    instead = (
        f" Use v{newer.number}, which is published, instead."
        if newer
        else " Ask its institution to publish it again, or pick another work."
    )
    raise PermissionRefused(
        f"{version.resource.title} v{version.number} was withdrawn{why}, so it cannot be "
        f"forked, remixed, collected, run or changed.{instead}"
    )


def require_adaptable(version: Version) -> None:
    """Refuse to adapt a collection: its works keep their own licences, which must each decide.

    A collection carries a licence for the arrangement only; forking or remixing it as one work
    would put every collected work (ND and ShareAlike ones included) under that licence.
    Also refuses a withdrawn version (see require_in_circulation).
    """
    require_in_circulation(version)
    if version.items.exists():
        titles = ", ".join(
            f"{i.item.resource.title} v{i.item.number}"
            for i in version.items.select_related("item__resource")
        )
        raise LicenceRefused(
            f"“{version.resource.title}” is a collection: each work in it keeps its own licence. "
            f"Fork or remix the works themselves ({titles})."
        )


def is_site_admin(user: AnyUser) -> bool:
    """Site admins (Django's staff flag) run the whole site: they moderate reported versions."""
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def require_site_admin(user: AnyUser, doing: str) -> None:
    if not is_site_admin(user):
        raise PermissionRefused(
            f"Only the site's admins may {doing}; to raise a problem with a version, use "
            "“Report this” on its page."
        )


def audit_log_for(user: AnyUser, institution: Institution | None = None) -> QuerySet[AdminAction]:
    """The audit log lines `user` may read: every line for a site admin; an institution's
    admins read the lines about their own institution (`institution`), less report dismissals,
    which belong to the site's moderation. Nobody else reads any."""
    lines = AdminAction.objects.select_related("version__resource__institution", "report")
    if institution is None:
        return lines if is_site_admin(user) else lines.none()
    lines = lines.filter(institution=institution)
    if is_site_admin(user):
        return lines
    if is_admin_of(user, institution):
        return lines.exclude(kind=AdminAction.Kind.DISMISS)
    return lines.none()


def refuse_if_taken_down(versions: QuerySet[Version]) -> None:
    """For a version someone may not see: raise TakenDown (a 410, saying why) if it was taken down.

    Its institution still sees it through `visible_to`; everyone else learns only that it was
    taken down, when and why, and nothing of its content.
    """
    found = versions.filter(state=Version.State.TAKEN_DOWN).select_related("resource").first()
    if found is None:
        return
    when = f" on {found.taken_down_at:%-d %B %Y}" if found.taken_down_at else ""
    raise TakenDown(
        f"{found.resource.title} v{found.number} was taken down by the site's admins{when}: "
        f"“{found.takedown_reason}”. Its files are no longer served.",
        title=f"{found.resource.title} v{found.number}",
        reason=found.takedown_reason,
    )


def withheld_folders(user: AnyUser, version: Version) -> list[str]:
    """The folders of a collection that hold a work taken down which `user` may not see.

    A collection holds its works' files byte for byte, so without this a takedown would stop
    the work's own address and leave every collection holding it serving the same files.
    """
    taken_down = CollectionItem.objects.filter(
        collection=version, item__state=Version.State.TAKEN_DOWN
    ).exclude(item__in=Version.objects.visible_to(user))
    return [f"{folder}/" for folder in taken_down.values_list("folder", flat=True)]


def served_files(user: AnyUser, version: Version) -> QuerySet[VersionFile]:
    """The files of `version` that may be served to `user`: all but a taken-down work's."""
    files = VersionFile.objects.filter(version=version)
    for folder in withheld_folders(user, version):
        files = files.exclude(path__startswith=folder)
    return files


def may_report(version: Version) -> bool:
    """Anyone, signed in or not, may report a public version (and only a public one)."""
    return version.is_public


# What a person may do, one function per capability. Menus, pages and actions all ask these, so
# nobody is shown a link or a form that ends in a refusal.


def member_of(user: AnyUser) -> QuerySet[Institution]:
    """Institutions where `user` holds any role (students included): they may fork into these."""
    return Institution.objects.where(user, roles=Membership.Role.values)


def drafts_of(user: AnyUser) -> QuerySet[Resource]:
    """The drafts `user` owns: resources they started that were never public.

    A student owns the forks (and remixes) they make until staff publish one: they may add
    versions to them and nobody else's. Once a version is public the resource is the
    institution's, and changes go through contributions like any other. Ownership lapses when
    they leave the institution.
    """
    if not isinstance(user, User):
        return Resource.objects.none()
    return (
        Resource.objects.filter(created_by=user, institution__in=member_of(user))
        .exclude(versions__state__in=[Version.State.PUBLISHED, Version.State.WITHDRAWN])
        .distinct()
    )


def drafts_to_publish(user: AnyUser) -> QuerySet[Version]:
    """Versions of members' drafts that passed validation, for staff of their institution.

    Drafts are proposed to staff by being there: each one's owner waits for staff to publish.
    """
    staff_of = Institution.objects.where(user)
    staff_members = Membership.objects.filter(
        institution__in=staff_of, role__in=STAFF_ROLES
    ).values("user")
    return Version.objects.filter(
        state=Version.State.PASSED, resource__institution__in=staff_of
    ).exclude(resource__created_by__in=staff_members)


def may_deposit_somewhere(user: AnyUser) -> bool:
    """Staff somewhere deposit new resources; anyone with a draft adds versions to it."""
    return Institution.objects.where(user).exists() or drafts_of(user).exists()


def may_deposit_to(user: AnyUser, institution: Institution, resource: Resource | None) -> bool:
    """Staff deposit anything in their institution; others only new versions of their drafts."""
    if is_staff_of(user, institution):
        return True
    return resource is not None and drafts_of(user).filter(pk=resource.pk).exists()


def require_deposit(user: AnyUser, institution: Institution, resource: Resource | None) -> None:
    if may_deposit_to(user, institution, resource):
        return
    raise PermissionRefused(deposit_refusal(institution, resource))


def deposit_refusal(institution: Institution, resource: Resource | None) -> str:
    if resource is None:
        return (
            f"Only staff of {institution.name} may deposit new resources there; you can fork "
            "a published work into a draft of your own and add versions to that."
        )
    return (
        f"Only staff of {institution.name} and the owner of a draft may add versions to "
        f"“{resource.title}”; propose a contribution to it instead."
    )


def may_publish_deposits(user: AnyUser, institution: Institution) -> bool:
    """Only staff publish: a draft's owner deposits versions that wait for staff."""
    return is_staff_of(user, institution)


def may_review_somewhere(user: AnyUser) -> bool:
    """Staff review contributions to their institution's resources (and publish drafts)."""
    return Institution.objects.where(user).exists()


def may_fork_somewhere(user: AnyUser) -> bool:
    """Members of an institution (students included) fork into it; a student's fork is a draft."""
    return member_of(user).exists()


# Remixing makes a new resource like a fork does, under the same rule.
may_remix_somewhere = may_fork_somewhere


def may_contribute(user: AnyUser, resource: Resource) -> bool:
    """Whether `resource.contribution_policy` lets `user` propose changes."""
    if not user.is_authenticated:
        return False
    policy = resource.contribution_policy
    if policy == Resource.ContributionPolicy.SIGNED_IN:
        return True
    if policy == Resource.ContributionPolicy.STAFF:
        return is_staff_of(user, resource.institution)
    return role_in(user, resource.institution) is not None


def contributors_of(resource: Resource) -> str:
    """Who may contribute to `resource`, in words that finish "only from …"."""
    audiences: dict[str, str] = {
        Resource.ContributionPolicy.STAFF: f"staff of {resource.institution.name}",
        Resource.ContributionPolicy.MEMBERS: (
            f"members of {resource.institution.name} (staff and students)"
        ),
        Resource.ContributionPolicy.SIGNED_IN: "anyone who is signed in",
    }
    return audiences[resource.contribution_policy]


def contribution_refusal(user: AnyUser, resource: Resource) -> str:
    """One sentence for someone who may not contribute: who may, and what they can do instead."""
    if not user.is_authenticated:
        instead = "sign in first"
    elif may_fork_somewhere(user):
        instead = "fork it into a draft of your own instead"
    else:
        instead = "download it or, once you belong to an institution, fork it instead"
    return f"“{resource.title}” accepts contributions only from {contributors_of(resource)}; {instead}."


class Capabilities:
    """What one person may do anywhere on the site, asked once per request and kept.

    Each answer is one query at most, made the first time a page or the menu asks.
    """

    def __init__(self, user: AnyUser) -> None:
        self.user = user

    @cached_property
    def deposit(self) -> bool:
        return may_deposit_somewhere(self.user)

    @cached_property
    def moderate(self) -> bool:
        return is_site_admin(self.user)

    @cached_property
    def review(self) -> bool:
        return may_review_somewhere(self.user)

    @cached_property
    def fork(self) -> bool:
        return may_fork_somewhere(self.user)

    @cached_property
    def remix(self) -> bool:
        return may_remix_somewhere(self.user)

    @cached_property
    def proposals(self) -> bool:
        """Whether they have proposals or drafts of their own to follow (on the review page)."""
        if not isinstance(self.user, User):
            return False
        return Contribution.objects.filter(author=self.user).exists() or self.deposit

    @cached_property
    def roles(self) -> list[Membership]:
        if not isinstance(self.user, User):
            return []
        return list(Membership.objects.filter(user=self.user).select_related("institution"))


def require_sign_in_admin(user: AnyUser, institution: Institution) -> None:
    """Only an institution's admins choose who may sign in as its staff and students."""
    require_admin(user, institution, "configure institutional sign-in")
