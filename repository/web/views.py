"""Pages of the main site. Views parse requests and call actions; rules live in actions."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

import licensing
from repository.access import can_publish, is_admin_of, role_in
from repository.actions import people
from repository.actions.deposits import deposit_package
from repository.actions.forks import fork_version
from repository.actions.publishing import publish_version, withdraw_version
from repository.actions.validation import regression
from repository.credit.attribution import attribution_html, attribution_text
from repository.errors import DomainError
from repository.models import Institution, Membership, Resource, Version, VersionFile
from repository.storage import blobs
from repository.storage.downloads import stream_version_zip
from repository.storage.packages import SCHEMA_PATH
from repository.trees.diffs import diff_versions
from repository.trees.lineage import lineage_graph, lineage_svg
from repository.web.content import preview_token
from repository.web.forms import DepositForm, ForkForm, SignUpForm

TEXT_PREVIEW_LIMIT = 512 * 1024


def institution_page(request: HttpRequest, slug: str) -> HttpResponse:
    institution = get_object_or_404(Institution, slug=slug)
    members = institution.memberships.select_related("user").order_by("role", "user__first_name")
    return render(
        request,
        "repository/institution.html",
        {
            "institution": institution,
            "resources": Resource.objects.visible_to(request.user)
            .filter(institution=institution)
            .select_related("latest_published"),
            # Who belongs where (students included) is for the institution's own members.
            "members": members if role_in(request.user, institution) else None,
            "is_admin": is_admin_of(request.user, institution),
        },
    )


def visible_version(request: HttpRequest, institution: str, resource: str, number: int) -> Version:
    return get_object_or_404(
        Version.objects.visible_to(request.user).select_related("resource__institution"),
        resource__institution__slug=institution,
        resource__slug=resource,
        number=number,
    )


def resource_page(request: HttpRequest, institution: str, resource: str) -> HttpResponse:
    obj = get_object_or_404(
        Resource.objects.visible_to(request.user).select_related("institution"),
        institution__slug=institution,
        slug=resource,
    )
    version = (
        obj.latest_published
        or Version.objects.visible_to(request.user).filter(resource=obj).order_by("-number").first()
    )
    if version is None:
        raise Http404
    return version_context_page(request, version)


def version_page(
    request: HttpRequest, institution: str, resource: str, number: int
) -> HttpResponse:
    return version_context_page(request, visible_version(request, institution, resource, number))


def version_context_page(request: HttpRequest, version: Version) -> HttpResponse:
    resource = version.resource
    run = version.validation_runs.prefetch_related("steps").first()
    try:
        licence = licensing.get_license(version.licence)
    except licensing.UnknownLicense:
        licence = None
    context: dict[str, Any] = {
        "resource": resource,
        "version": version,
        "licence": licence,
        "attribution_text": attribution_text(version),
        "attribution_html": attribution_html(version),
        "versions": Version.objects.visible_to(request.user).filter(resource=resource),
        "files": version.files.select_related("blob"),
        "run": run,
        "parents": version.parent_edges.filter(
            parent__in=Version.objects.visible_to(request.user)
        ).select_related("parent__resource__institution"),
        "children": version.child_edges.filter(
            child__in=Version.objects.visible_to(request.user)
        ).select_related("child__resource__institution"),
        "can_publish": can_publish(request.user, resource),
        "is_latest_published": resource.latest_published_id == version.pk,
        "content_url": content_url(version),
        "artefacts": artefact_files(version),
        "regression": regression(version),
        "try_here": request.GET.get("try") == "1",
    }
    from repository.web.version_views import badge, status_data, variant_context

    context["badge"] = badge(version, run)
    context["pending_steps"] = status_data(version)["pending"]
    context["variant"] = variant_context(request, version)
    context["screenshot"] = next(
        (a for a in context["artefacts"] if a["name"] == "screenshot.png"), None
    )
    context["plots"] = [
        a
        for a in context["artefacts"]
        if a["name"] != "screenshot.png" and a["name"].endswith((".png", ".svg"))
    ]
    context["data_files"] = [
        a for a in context["artefacts"] if not a["name"].endswith((".png", ".svg"))
    ]
    graph = lineage_graph(version, user=request.user, limit=40)
    # lineage_svg escapes every piece of text it draws.
    context["lineage_svg"] = mark_safe(lineage_svg(graph)) if graph["edges"] else ""  # noqa: S308
    return render(request, "repository/version.html", context)


def content_url(version: Version) -> str:
    if version.is_public:
        return f"{settings.CONTENT_ORIGIN}/v/{version.pk}/{version.entry_point}"
    return f"{settings.CONTENT_ORIGIN}/p/{preview_token(version)}/{version.entry_point}"


def version_file(
    request: HttpRequest, institution: str, resource: str, number: int, path: str
) -> HttpResponse:
    version = visible_version(request, institution, resource, number)
    entry = get_object_or_404(
        VersionFile.objects.select_related("blob"), version=version, path=path
    )
    text = None
    if entry.blob.size <= TEXT_PREVIEW_LIMIT:
        try:
            text = blobs.read_blob(entry.blob_id).decode("utf-8")
        except UnicodeDecodeError:
            text = None
    if request.GET.get("raw") == "1":
        # Served as an attachment and never as HTML, so deposited markup cannot run here.
        response = StreamingHttpResponse(
            blobs.iter_blob(entry.blob_id), content_type="application/octet-stream"
        )
        response["Content-Disposition"] = content_disposition_header(True, path.rsplit("/", 1)[-1])
        return response
    return render(
        request,
        "repository/file.html",
        {"version": version, "resource": version.resource, "entry": entry, "text": text},
    )


def version_diff(request: HttpRequest, institution: str, resource: str) -> HttpResponse:
    versions = Version.objects.visible_to(request.user).filter(
        resource__institution__slug=institution, resource__slug=resource
    )
    try:
        old_n, new_n = int(request.GET["from"]), int(request.GET["to"])
    except (KeyError, ValueError):
        raise Http404 from None
    old = get_object_or_404(versions, number=old_n)
    new = get_object_or_404(versions, number=new_n)
    return render(
        request,
        "repository/diff.html",
        {"resource": new.resource, "old": old, "new": new, "changes": diff_versions(old, new)},
    )


ARTEFACT_TYPES = {
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".csv": "text/csv",
}


def version_artefact(
    request: HttpRequest, institution: str, resource: str, number: int, sha256: str, name: str
) -> HttpResponse:
    """A file a validation run produced (screenshot, plot, metrics), if that run recorded it."""
    version = visible_version(request, institution, resource, number)
    recorded = {(a["sha256"], a["name"]) for a in artefact_files(version)}
    content_type = ARTEFACT_TYPES.get(Path(name).suffix.lower())
    if (sha256, name) not in recorded or content_type is None:
        raise Http404("no such artefact")
    return artefact_response(sha256, content_type)


def artefact_response(sha256: str, content_type: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(blobs.iter_blob(sha256), content_type=content_type)
    # Our own plots, but SVG is active content: never let it script this origin.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


def artefact_files(version: Version) -> list[dict[str, str]]:
    files = []
    for run in version.validation_runs.prefetch_related("steps"):
        for step in run.steps.all():
            files.extend(step.artefacts.get("files", []))
            if "screenshot" in step.artefacts:
                files.append({"name": "screenshot.png", "sha256": step.artefacts["screenshot"]})
    return files


def version_download(
    request: HttpRequest, institution: str, resource: str, number: int
) -> HttpResponse:
    version = visible_version(request, institution, resource, number)
    response = StreamingHttpResponse(stream_version_zip(version), content_type="application/zip")
    name = f"{version.resource.slug}-v{version.number}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def version_fork(
    request: HttpRequest, institution: str, resource: str, number: int
) -> HttpResponse:
    source = visible_version(request, institution, resource, number)
    options = licensing.adaptation_options([source.licence])
    choices = [
        (
            o.license.id,
            o.license.short_name + ("" if o.recommended else " (permitted, not recommended)"),
        )
        for o in options
    ]
    form = ForkForm(request.POST or None, user=request.user, licence_choices=choices)
    if not options:
        messages.error(request, licensing.explain_refusal([source.licence]))
    elif request.method == "POST" and form.is_valid():
        try:
            fork = fork_version(
                source,
                into=form.cleaned_data["institution"],
                by=request.user,
                licence=form.cleaned_data["licence"],
                title=form.cleaned_data["title"] or None,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Forked. Your version is being validated.")
            return redirect(fork)
    offered = {o.license.id for o in options}
    missing = [
        (licence, licensing.explain([source.licence], licence.id))
        for licence in licensing.all_licenses()
        if licence.version == "4.0" and licence.port is None and licence.id not in offered
    ]
    return render(
        request,
        "repository/fork.html",
        {
            "source": source,
            "resource": source.resource,
            "form": form,
            "options": options,
            "missing": missing,
        },
    )


@login_required
@require_POST
def version_publish(
    request: HttpRequest, institution: str, resource: str, number: int
) -> HttpResponse:
    version = visible_version(request, institution, resource, number)
    action = publish_version if request.POST.get("action") != "withdraw" else withdraw_version
    try:
        action(version, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(version)


@login_required
def deposit(request: HttpRequest) -> HttpResponse:
    form = DepositForm(request.POST or None, request.FILES or None, user=request.user)
    if not form.fields["institution"].queryset.exists():
        messages.info(request, "Depositing is for staff of an institution.")
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["package"]
        try:
            version = deposit_package(
                package=upload.temporary_file_path(),
                institution=form.cleaned_data["institution"],
                by=request.user,
                resource=form.cleaned_data["resource"],
                changelog=form.cleaned_data["changelog"],
                publish_on_pass=form.cleaned_data["publish_on_pass"],
            )
        except DomainError as exc:
            form.add_error("package", exc.message)
        else:
            messages.success(
                request, "Deposited. Validation has started; this page updates as it runs."
            )
            return redirect(version)
    return render(request, "repository/deposit.html", {"form": form})


def signup(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        people.send_verification_email(user, site_url=settings.SITE_URL)
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
            membership = people.accept_invitation(token, user=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("home")
        messages.success(request, f"You joined {membership.institution.name} as {membership.role}.")
        return redirect(membership.institution)
    return render(request, "repository/accept_invitation.html", {"token": token})


def person_page(request: HttpRequest, user_id: int) -> HttpResponse:
    person = get_object_or_404(get_user_model(), pk=user_id)
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


def manifest_schema(request: HttpRequest) -> FileResponse:
    return FileResponse(SCHEMA_PATH.open("rb"), content_type="application/schema+json")


def licences(request: HttpRequest) -> HttpResponse:
    return render(request, "repository/licences.html", {"licences": licensing.all_licenses()})
