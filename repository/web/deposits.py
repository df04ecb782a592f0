"""Depositing a package from the web, and the manifest schema packages follow."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from repository.actions.deposits import deposit_package
from repository.errors import DomainError
from repository.storage.packages import SCHEMA_PATH
from repository.web.context import capabilities
from repository.web.forms import DepositForm
from repository.web.lookups import signed_in_user


@login_required
def deposit(request: HttpRequest) -> HttpResponse:
    """The deposit form for those who may deposit; for anyone else, who may and what instead."""
    user = signed_in_user(request)
    if not capabilities(request).deposit:
        return render(
            request,
            "repository/deposit_refused.html",
            {"memberships": capabilities(request).roles},
            status=403,
        )
    initial = {"resource": request.GET.get("resource")}  # "Deposit a new version" links name it
    form = DepositForm(request.POST or None, request.FILES or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["package"]
        try:
            version = deposit_package(
                package=upload.temporary_file_path(),
                institution=form.institution_of(),
                by=user,
                resource=form.cleaned_data["resource"],
                changelog=form.cleaned_data["changelog"],
                publish_on_pass=form.cleaned_data.get("publish_on_pass", False),
            )
        except DomainError as exc:
            form.add_error("package", exc.message)
        else:
            messages.success(request, "Deposited. Validation queued; this page updates as it runs.")
            return redirect(version)
    drafts_only = "institution" not in form.fields
    return render(request, "repository/deposit.html", {"form": form, "drafts_only": drafts_only})


def manifest_schema(request: HttpRequest) -> FileResponse:
    return FileResponse(SCHEMA_PATH.open("rb"), content_type="application/schema+json")
