"""An institution admin's pages: members, invitations, API clients and its audit log."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from repository.access import audit_log_for, is_admin_of
from repository.actions import people
from repository.actions.api_clients import register_api_client, revoke_api_client
from repository.errors import DomainError
from repository.models import ApiClient, Institution, Invitation, Membership
from repository.web.forms import InvitationForm
from repository.web.lookups import signed_in_user

LOG_LINES_SHOWN = 500


class ApiClientForm(forms.Form):
    name = forms.CharField(
        max_length=100, label="Name of the system", help_text="For example: Moodle, our CMS."
    )


def admin_institution(request: HttpRequest, slug: str) -> Institution:
    institution = get_object_or_404(Institution, slug=slug)
    if not is_admin_of(request.user, institution):
        raise Http404("not an admin of this institution")
    return institution


def render_manage(request: HttpRequest, institution: Institution, **extra: object) -> HttpResponse:
    context = {
        "institution": institution,
        "members": institution.memberships.select_related("user").order_by(
            "role", "user__first_name", "user__email"
        ),
        "roles": Membership.Role.choices,
        "invitations": Invitation.objects.filter(institution=institution, accepted_at=None),
        "invitation_form": extra.pop("invitation_form", None) or InvitationForm(),
        "clients": ApiClient.objects.filter(institution=institution).select_related(
            "application", "created_by"
        ),
        "client_form": extra.pop("client_form", None) or ApiClientForm(),
        "sign_in_problems": institution.sign_in_problems.all()[:10],
        **extra,
    }
    return render(request, "repository/institution_manage.html", context)


@login_required
@never_cache
def manage(request: HttpRequest, slug: str) -> HttpResponse:
    return render_manage(request, admin_institution(request, slug))


@login_required
@never_cache
def audit_log(request: HttpRequest, slug: str) -> HttpResponse:
    """The institution's lines of the audit log (repository/access.py audit_log_for)."""
    institution = admin_institution(request, slug)
    actions = audit_log_for(request.user, institution)[:LOG_LINES_SHOWN]
    return render(
        request, "repository/institution_log.html", {"institution": institution, "actions": actions}
    )


@login_required
@require_POST
def member_update(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    institution = admin_institution(request, slug)
    membership = get_object_or_404(
        Membership.objects.select_related("user", "institution"), pk=pk, institution=institution
    )
    name = membership.user.first_name or membership.user.email
    try:
        if request.POST.get("action") == "remove":
            people.remove_member(membership, by=signed_in_user(request))
            messages.success(request, f"{name} is no longer a member of {institution.name}.")
        else:
            changed = people.change_role(
                membership, role=request.POST.get("role", ""), by=signed_in_user(request)
            )
            messages.success(request, f"{name} is now {changed.get_role_display().lower()}.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("institution_manage", institution.slug)


@login_required
@require_POST
def manage_invite(request: HttpRequest, slug: str) -> HttpResponse:
    institution = admin_institution(request, slug)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            people.invite(
                institution=institution,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                by=signed_in_user(request),
                site_url=settings.SITE_URL,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect("institution_manage", institution.slug)
    return render_manage(request, institution, invitation_form=form)


@login_required
@require_POST
@never_cache
def client_register(request: HttpRequest, slug: str) -> HttpResponse:
    """Register an API client and show its secret once, in this response only."""
    institution = admin_institution(request, slug)
    form = ApiClientForm(request.POST)
    if not form.is_valid():
        return render_manage(request, institution, client_form=form)
    try:
        client, secret = register_api_client(
            institution=institution, name=form.cleaned_data["name"], by=signed_in_user(request)
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("institution_manage", institution.slug)
    return render_manage(request, institution, new_client=client, new_secret=secret)


@login_required
@require_POST
def client_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    institution = admin_institution(request, slug)
    client = get_object_or_404(
        ApiClient.objects.select_related("application", "institution"),
        pk=pk,
        institution=institution,
    )
    name = client.application.name
    try:
        revoke_api_client(client, by=signed_in_user(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Revoked {name}: its tokens no longer work.")
    return redirect("institution_manage", institution.slug)
