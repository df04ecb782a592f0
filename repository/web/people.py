"""Accounts and people: sign-up, address confirmation, accepting an invitation, a person's page."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from repository.access import people_visible_to
from repository.actions import people
from repository.errors import DomainError
from repository.models import Membership, OidcProvider, SamlProvider, Version
from repository.web.forms import SignUpForm
from repository.web.lookups import signed_in_user


class SignInView(LoginView):
    """The password form, and a link for each institution that signs its people in itself."""

    def get_context_data(self, **kwargs: object) -> dict[str, object]:
        return {
            **super().get_context_data(**kwargs),
            "oidc_providers": OidcProvider.objects.filter(enabled=True)
            .select_related("institution")
            .order_by("institution__name"),
            "saml_providers": SamlProvider.objects.filter(enabled=True)
            .select_related("institution")
            .order_by("institution__name"),
        }


def signup(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = people.sign_up(
                email=form.cleaned_data["email"],
                name=form.cleaned_data["name"],
                password=form.cleaned_data["password1"],
                site_url=settings.SITE_URL,
            )
        except DomainError as exc:
            form.add_error("email", exc.message)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome! We sent a link to {user.email} to confirm it.")
            return redirect("home")
    return render(request, "registration/signup.html", {"form": form})


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        joined = people.verify_email(token)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        names = ", ".join(m.institution.name for m in joined)
        messages.success(
            request, f"Address confirmed. You joined {names}." if names else "Address confirmed."
        )
    return redirect("home")


@login_required
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST":
        try:
            membership = people.accept_invitation(token, user=signed_in_user(request))
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("home")
        messages.success(request, f"You joined {membership.institution.name} as {membership.role}.")
        return redirect(membership.institution)
    return render(request, "repository/accept_invitation.html", {"token": token})


def person_page(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(people_visible_to(request.user), pk=user_id)
    return render(
        request,
        "repository/person.html",
        {
            "person": person,
            # Roles are shown only where the viewer is a member too; credits are public.
            "memberships": Membership.objects.filter(
                user=person,
                institution__in=Membership.objects.filter(user=request.user.pk).values(
                    "institution"
                ),
            ).select_related("institution"),
            "versions": Version.objects.visible_to(request.user)
            .filter(created_by=person)
            .select_related("resource__institution"),
        },
    )
