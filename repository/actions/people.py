"""People: sign-up, joining institutions by invitation or verified e-mail domain."""

from django.contrib.auth.models import User
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from repository.access import require_admin, require_staff
from repository.actions import audit
from repository.errors import DomainError, PermissionRefused
from repository.models import AdminAction, Institution, Invitation, Membership

EMAIL_SALT = "remixbank.verify-email"
EMAIL_LINK_MAX_AGE = 3 * 24 * 3600


@transaction.atomic
def sign_up(*, email: str, name: str, password: str, site_url: str) -> User:
    """Create a local account (it joins institutions once its address is verified).

    Sends the verification e-mail after commit. Raises DomainError when the address has an
    account already. The password is checked by the form (Django's validators) beforehand.
    """
    email = email.strip().lower()
    if User.objects.filter(username=email).exists():
        raise DomainError("An account with this address exists; sign in instead.")
    user = User.objects.create_user(
        username=email, email=email, password=password, first_name=name.strip()
    )
    transaction.on_commit(lambda: send_verification_email(user, site_url=site_url))
    return user


def email_verification_token(user: User) -> str:
    return signing.dumps({"user": user.pk, "email": user.email}, salt=EMAIL_SALT)


def send_verification_email(user: User, *, site_url: str) -> None:
    link = site_url + reverse("verify_email", args=[email_verification_token(user)])
    send_mail(
        "Confirm your Remixbank address",
        f"Open this link to confirm {user.email} and join your institution:\n{link}\n",
        None,
        [user.email],
    )


@transaction.atomic
def verify_email(token: str) -> list[Membership]:
    """Confirm a user's address and join every institution that accepts its domain as student.

    Raises DomainError when the link is damaged or older than three days.
    """
    from django.contrib.auth import get_user_model

    try:
        data = signing.loads(token, salt=EMAIL_SALT, max_age=EMAIL_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise DomainError(
            "This confirmation link has expired; sign in and ask for a new one."
        ) from None
    except signing.BadSignature:
        raise DomainError(
            "This confirmation link is damaged; copy the whole link from the e-mail."
        ) from None
    user = get_user_model().objects.get(pk=data["user"])
    if user.email != data["email"]:
        raise DomainError("Your address changed since this link was sent; ask for a new one.")
    joined = []
    for institution in Institution.objects.all():
        if institution.accepts_domain(user.email):
            membership, created = Membership.objects.get_or_create(
                user=user, institution=institution, defaults={"role": Membership.Role.STUDENT}
            )
            if created:
                joined.append(membership)
    return joined


@transaction.atomic
def invite(
    *, institution: Institution, email: str, role: str, by: User, site_url: str
) -> Invitation:
    """Invite someone to `institution`; only admins may invite staff or admins."""
    require_staff(by, institution, "invite people")
    admin = Membership.objects.filter(
        user=by, institution=institution, role=Membership.Role.ADMIN
    ).exists()
    if role != Membership.Role.STUDENT and not admin:
        raise PermissionRefused("Only admins may invite staff or admins.")
    invitation = Invitation.objects.create(
        institution=institution, email=email.lower(), role=role, invited_by=by
    )
    audit.record(
        AdminAction.Kind.INVITE,
        by=by,
        target=invitation,
        label=f"{invitation.email} as {role}",
        changes={"role": {"from": None, "to": role}},
    )
    link = site_url + reverse("accept_invitation", args=[invitation.token])
    transaction.on_commit(
        lambda: send_mail(
            f"Join {institution.name} on Remixbank",
            f"You are invited to join {institution.name} as {role}. Accept here:\n{link}\n",
            None,
            [invitation.email],
        )
    )
    return invitation


RANK: dict[str, int] = {
    Membership.Role.STUDENT: 0,
    Membership.Role.STAFF: 1,
    Membership.Role.ADMIN: 2,
}


@transaction.atomic
def accept_invitation(token: str, *, user: User) -> Membership:
    """Join the invitation's institution with its role; an existing member keeps a higher role.

    An invitation never lowers a role (staff may invite students, and must not be able to
    demote an admin by inviting them).
    """
    invitation = Invitation.objects.select_for_update().filter(token=token).first()
    if invitation is None or invitation.accepted_at is not None:
        raise DomainError("This invitation is unknown or was already used; ask for a new one.")
    if invitation.email != user.email.lower():
        raise PermissionRefused(
            f"This invitation is for {invitation.email}; sign in with that address."
        )
    membership, created = Membership.objects.select_for_update().get_or_create(
        user=user, institution=invitation.institution, defaults={"role": invitation.role}
    )
    if not created and RANK[invitation.role] > RANK[membership.role]:
        membership.role = invitation.role
        membership.save(update_fields=["role"])
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


@transaction.atomic
def change_role(membership: Membership, *, role: str, by: User) -> Membership:
    """Give a member another role. Raises PermissionRefused unless `by` is an admin, and
    DomainError when it would leave the institution without an admin."""
    require_admin(by, membership.institution, "change roles")
    if role not in Membership.Role.values:
        raise DomainError("Choose admin, staff or student.")
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.role == Membership.Role.ADMIN and role != Membership.Role.ADMIN:
        require_another_admin(locked)
    before = locked.role
    locked.role = role
    locked.save(update_fields=["role"])
    audit.record(
        AdminAction.Kind.CHANGE_ROLE,
        by=by,
        target=locked,
        label=member_label(locked),
        changes=audit.changes_between({"role": before}, {"role": role}),
    )
    return locked


@transaction.atomic
def remove_member(membership: Membership, *, by: User) -> None:
    """Remove someone from the institution; their versions and credits stay.

    Raises PermissionRefused unless `by` is an admin, DomainError for the last admin.
    """
    require_admin(by, membership.institution, "remove members")
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.role == Membership.Role.ADMIN:
        require_another_admin(locked)
    audit.record(
        AdminAction.Kind.REMOVE_MEMBER,
        by=by,
        target=locked,
        label=member_label(locked),
        changes={"role": {"from": locked.role, "to": None}},
    )
    locked.delete()


def member_label(membership: Membership) -> str:
    user = membership.user
    name = user.get_full_name() or user.username
    return f"{name} <{user.email}>" if user.email and user.email != name else name


def require_another_admin(membership: Membership) -> None:
    others = (
        Membership.objects.select_for_update()
        .filter(institution=membership.institution, role=Membership.Role.ADMIN)
        .exclude(pk=membership.pk)
    )
    if not others.exists():
        raise DomainError(
            f"{membership.institution.name} needs at least one admin; make someone else admin first."
        )
