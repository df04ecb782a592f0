"""Depositing a package from the web, and the manifest schema packages follow."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from repository.actions.deposits import deposit_package
from repository.errors import DomainError
from repository.storage.packages import SCHEMA_PATH
from repository.web.forms import DepositForm, model_choice
from repository.web.lookups import signed_in_user


@login_required
def deposit(request: HttpRequest) -> HttpResponse:
    form = DepositForm(request.POST or None, request.FILES or None, user=signed_in_user(request))
    institutions = model_choice(form.fields["institution"]).queryset
    if institutions is None or not institutions.exists():
        messages.info(request, "Depositing is for staff of an institution.")
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["package"]
        try:
            version = deposit_package(
                package=upload.temporary_file_path(),
                institution=form.cleaned_data["institution"],
                by=signed_in_user(request),
                resource=form.cleaned_data["resource"],
                changelog=form.cleaned_data["changelog"],
                publish_on_pass=form.cleaned_data["publish_on_pass"],
            )
        except DomainError as exc:
            form.add_error("package", exc.message)
        else:
            messages.success(request, "Deposited. Validation queued; this page updates as it runs.")
            return redirect(version)
    return render(request, "repository/deposit.html", {"form": form})


def manifest_schema(request: HttpRequest) -> FileResponse:
    return FileResponse(SCHEMA_PATH.open("rb"), content_type="application/schema+json")
