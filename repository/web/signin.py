"""An institution admin's sign-in settings: its OpenID Connect provider and SAML IdP."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from repository.actions import signin
from repository.errors import DomainError
from repository.models import Institution, OidcProvider, SamlProvider
from repository.web.lookups import signed_in_user
from repository.web.manage import admin_institution


def lines(value: str) -> list[str]:
    return [v.strip() for v in value.replace(",", "\n").splitlines() if v.strip()]


class ListField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 2})

    def __init__(self, **kwargs: object) -> None:
        super().__init__(required=False, **kwargs)  # type: ignore[arg-type]

    def prepare_value(self, value: object) -> object:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: object) -> list[str]:  # type: ignore[override]
        return lines(str(value or ""))


class OidcForm(forms.ModelForm):
    issuer = forms.URLField(
        assume_scheme="https", help_text="Exactly as the provider's discovery document states it."
    )
    client_secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput,
        help_text="Leave empty to keep the secret already stored.",
    )
    staff_domains = ListField(help_text="E-mail domains whose people join as staff, one a line.")
    student_domains = ListField(help_text="E-mail domains whose people join as students.")
    staff_values = ListField(help_text="Values of the claim above that make someone staff.")
    student_values = ListField(help_text="Values of the claim above that make someone a student.")

    class Meta:
        model = OidcProvider
        fields = [
            "issuer",
            "client_id",
            "client_secret",
            "staff_domains",
            "student_domains",
            "role_claim",
            "staff_values",
            "student_values",
            "enabled",
        ]
        help_texts = {
            "role_claim": "Optional: a claim such as groups or roles.",
        }


class SamlForm(forms.ModelForm):
    metadata_url = forms.URLField(
        assume_scheme="https", required=False, label="Metadata feed address"
    )
    metadata_file = forms.FileField(
        required=False, help_text="Or upload the metadata file instead of a feed address."
    )

    class Meta:
        model = SamlProvider
        fields = ["entity_id", "metadata_url", "metadata_certificate", "enabled"]
        labels = {"entity_id": "IdP entity id"}
        help_texts = {
            "metadata_certificate": "The PEM certificate the federation signs its metadata with."
        }


def render_page(request: HttpRequest, institution: Institution, **forms_: object) -> HttpResponse:
    oidc = OidcProvider.objects.filter(institution=institution).first()
    saml = SamlProvider.objects.filter(institution=institution).first()
    return render(
        request,
        "repository/institution_sign_in.html",
        {
            "institution": institution,
            "oidc_form": forms_.get("oidc_form") or OidcForm(instance=oidc),
            "saml_form": forms_.get("saml_form") or SamlForm(instance=saml),
            "problems": institution.sign_in_problems.all()[:50],
        },
    )


@login_required
@never_cache
def sign_in_settings(request: HttpRequest, slug: str) -> HttpResponse:
    institution = admin_institution(request, slug)
    if request.method != "POST":
        return render_page(request, institution)
    if request.POST.get("protocol") == "oidc":
        form = OidcForm(request.POST)
        if not form.is_valid():
            return render_page(request, institution, oidc_form=form)
        try:
            signin.configure_oidc(
                institution=institution, by=signed_in_user(request), **form.cleaned_data
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "OpenID Connect sign-in saved.")
        return redirect("institution_sign_in", institution.slug)
    saml_form = SamlForm(request.POST, request.FILES)
    if not saml_form.is_valid():
        return render_page(request, institution, saml_form=saml_form)
    data = dict(saml_form.cleaned_data)
    upload = data.pop("metadata_file")
    if upload is not None:
        data["metadata_xml"] = upload.read().decode("utf-8", errors="replace")
    try:
        signin.configure_saml(institution=institution, by=signed_in_user(request), **data)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "SAML sign-in saved.")
    return redirect("institution_sign_in", institution.slug)
