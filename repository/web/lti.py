"""LTI 1.3 pages: JWKS, login initiation, launch (inside the VLE's frame), the tool store picker,
an admin's registrations and tool configuration, and what data goes where."""

import json
import logging
from typing import Any
from urllib.parse import urlencode, urlsplit

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

import licensing
from repository.access import teaches_course
from repository.actions.lti import (
    choose_score,
    course_key,
    course_rows,
    link_of_course_key,
    record_event,
    record_launch,
    refresh_roster,
    register_platform,
    remove_platform,
    send_score_again,
    sign_in_token,
    update_platform,
    use_sign_in_token,
    versions_to_link,
)
from repository.actions.usage import Use, record_use
from repository.credit.attribution import attribution_text
from repository.errors import DomainError
from repository.lti import deep_linking, keys
from repository.lti.launch import (
    ValidLaunch,
    forget_launch,
    initiate_login,
    restore_launch,
    validate_launch,
)
from repository.lti.messages import (
    AGS_CLAIM,
    CLAIM,
    NRPS_CLAIM,
    START_AGAIN,
    VERSION_PARAM,
    LtiRefused,
)
from repository.lti.privacy import CLAIMS_IGNORED, CLAIMS_STORED, SENT_BACK
from repository.models import (
    LtiEvent,
    LtiPlatform,
    LtiResourceLink,
    Resource,
    ValidationRun,
    Version,
)
from repository.validation import origins, serving
from repository.web import browse
from repository.web.browse import thumbnails
from repository.web.lookups import signed_in_user
from repository.web.manage import admin_institution
from repository.web.middleware import main_site_csp
from repository.web.versions import badge

PICKER_SIZE = 30

log = logging.getLogger(__name__)


def site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def tool_urls() -> dict[str, str]:
    """What a VLE needs to know about Remixbank as a tool, one address per job."""
    return {
        "login": site(reverse("lti_login")),
        "launch": site(reverse("lti_launch")),
        "jwks": site(reverse("lti_jwks")),
        "target": site(reverse("lti_target")),
        "deep_link": site(reverse("lti_deep_link_target")),
    }


def framed_by(response: HttpResponse, platform: LtiPlatform | None) -> HttpResponse:
    """Let the platform's pages (and only them) frame this response."""
    allowed = set()
    if platform is not None:
        for url in (platform.issuer, platform.auth_login_url):
            parts = urlsplit(url)
            allowed.add(f"{parts.scheme}://{parts.netloc}")
    ancestors = " ".join(sorted(allowed)) or "'none'"
    csp = main_site_csp().replace("frame-ancestors 'none'", f"frame-ancestors {ancestors}")
    response["Content-Security-Policy"] = csp
    response.xframe_options_exempt = True
    return response


def refused_page(request: HttpRequest, exc: LtiRefused, kind: str) -> HttpResponse:
    record_event(kind=kind, message=exc.message, platform_id=exc.platform_id, issuer=exc.issuer)
    log.info("LTI %s: %s", kind, exc.message)
    platform = LtiPlatform.objects.filter(pk=exc.platform_id).first() if exc.platform_id else None
    response = render(request, "repository/lti/refused.html", {"message": exc.message}, status=400)
    return framed_by(response, platform)


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    response = JsonResponse(keys.jwks())
    response["Cache-Control"] = "public, max-age=300"
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
@never_cache
def login(request: HttpRequest) -> HttpResponse:
    """Third-party initiated login: the VLE sends the browser here first."""
    try:
        return initiate_login(request, launch_url=tool_urls()["launch"])
    except LtiRefused as exc:
        return refused_page(request, exc, LtiEvent.Kind.LOGIN_REFUSED)


def pinned_version_id(claims: dict[str, Any]) -> int | None:
    custom = claims.get(CLAIM + "custom") or {}
    raw = str(custom.get(VERSION_PARAM, "")).strip()
    if not raw:
        # A link made without Deep Linking may name the version in its target link URI.
        path = urlsplit(str(claims.get(CLAIM + "target_link_uri", ""))).path
        prefix = reverse("lti_target")
        rest = path[len(prefix) :].strip("/") if path.startswith(prefix) else ""
        raw = rest[len("versions/") :] if rest.startswith("versions/") else ""
    return int(raw) if raw.isdigit() else None


def is_instructor(claims: dict[str, Any]) -> bool:
    return teaches_course(claims.get(CLAIM + "roles", []))


@csrf_exempt
@require_POST
@never_cache
def launch(request: HttpRequest) -> HttpResponse:
    """The platform posts the id_token here; we check it, then show the pinned version."""
    try:
        valid = validate_launch(request)
    except LtiRefused as exc:
        return refused_page(request, exc, LtiEvent.Kind.LAUNCH_REFUSED)
    claims = valid.claims
    message_type = claims.get(CLAIM + "message_type")
    if message_type == "LtiDeepLinkingRequest":
        return redirect("lti_pick", valid.launch_id)
    return show_version(request, valid)


def show_version(request: HttpRequest, valid: ValidLaunch) -> HttpResponse:
    claims, platform = valid.claims, valid.platform
    teacher = is_instructor(claims)
    version_id = pinned_version_id(claims)
    version = (
        Version.objects.select_related("resource__institution").filter(pk=version_id).first()
        if version_id
        else None
    )
    if version is None or version.state != Version.State.PUBLISHED:
        reason = unavailable_reason(version, version_id)
        record_event(
            kind=LtiEvent.Kind.VERSION_UNAVAILABLE,
            message=f"Link {claims.get(CLAIM + 'resource_link', {}).get('id', '?')}: {reason}",
            platform_id=platform.pk,
            issuer=platform.issuer,
        )
        response = render(
            request,
            "repository/lti/unavailable.html",
            {"version": version, "reason": reason, "teacher": teacher},
            status=410 if version is not None else 404,
        )
        return framed_by(response, platform)
    resource_link_id = str(claims.get(CLAIM + "resource_link", {}).get("id", ""))
    learner, link = record_launch(
        platform=platform,
        subject=str(claims.get("sub", "")),
        deployment_id=str(claims.get(CLAIM + "deployment_id", "")),
        resource_link_id=resource_link_id,
        version=version,
        lineitem_url=str((claims.get(AGS_CLAIM + "endpoint") or {}).get("lineitem", "")),
        ags_scopes=(claims.get(AGS_CLAIM + "endpoint") or {}).get("scope", []),
        memberships_url=str(
            (claims.get(NRPS_CLAIM + "namesroleservice") or {}).get("context_memberships_url", "")
        ),
        as_learner=not teacher,
    )
    record_use(request, version, Use.LTI_LAUNCH, identity=f"lti:{platform.pk}:{learner.pk}")
    program_url = ""
    course: dict[str, Any] = {}
    if teacher and version.resource.kind == Resource.Kind.SCENARIO:
        refresh_roster(link, resource_link_id=resource_link_id)
        course = course_context(link, course_key(link))
    if version.resource.kind == Resource.Kind.SCENARIO:
        # Programmed in a tab of its own (first-party, where our session cookie works even
        # when the VLE's frame blocks third-party cookies), signed in by a one-time key.
        target = reverse(
            "program_it",
            args=[version.resource.institution.slug, version.resource.slug, version.number],
        )
        program_url = reverse("lti_enter", args=[sign_in_token(learner, next_url=target)])
    newer = None
    if teacher:
        newer = (
            version.resource.versions.filter(
                state=Version.State.PUBLISHED, number__gt=version.number
            )
            .order_by("-number")
            .first()
        )
    response = render(
        request,
        "repository/lti/launch.html",
        {
            "version": version,
            "resource": version.resource,
            "content_url": origins.url_of(version),
            "try_sandbox": " ".join(serving.SANDBOX_FLAGS),
            "attribution": attribution_text(version),
            "teacher": teacher,
            "newer": newer,
            "program_url": program_url,
            "scores": link.scores.select_related("learner")[:20] if teacher else [],
            **course,
            "diff_url": (
                reverse(
                    "version_diff", args=[version.resource.institution.slug, version.resource.slug]
                )
                + f"?from={version.number}&to={newer.number}"
                if newer
                else ""
            ),
        },
    )
    return framed_by(response, platform)


def course_context(link: LtiResourceLink, key: str) -> dict[str, Any]:
    return {
        "link": link,
        "course_url": reverse("lti_course", args=[key]),
        "rows": course_rows(link),
        "score_choices": LtiResourceLink.ScoreChoice.choices,
        "nrps_enabled": link.platform.nrps_enabled,
        "scores": link.scores.select_related("learner")[:50],
    }


@require_http_methods(["GET", "POST"])
@csrf_exempt  # the course key in the address is the capability; our cookies do not reach the frame
@never_cache
def course(request: HttpRequest, key: str) -> HttpResponse:
    """A course link's table of attempts, for the instructor who launched it: the roster (Names
    and Roles), each learner's scores, what the gradebook got, and the choice of best or latest."""
    link = link_of_course_key(key)
    if link is None:
        return render(
            request,
            "repository/lti/refused.html",
            {"message": "This table's link is over two hours old. " + START_AGAIN},
            status=400,
        )
    error, note = "", ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "send-again":
                send_score_again(link, post_id=int(request.POST.get("post") or 0))
                note = "Sent again: the VLE's answer shows below when it comes."
            else:
                sent = choose_score(link, choice=request.POST.get("score_choice", ""))
                choice = link.get_score_choice_display().lower()
                note = f"The gradebook now gets each learner's {choice}" + (
                    f"; {len(sent)} sent again under the new choice." if sent else "."
                )
        except (DomainError, ValueError) as exc:
            error = exc.message if isinstance(exc, DomainError) else "Choose a score to send."
    response = render(
        request,
        "repository/lti/course.html",
        {
            "version": link.version,
            "resource": link.version.resource,
            "error": error,
            "note": note,
            **course_context(link, key),
        },
        status=400 if error else 200,
    )
    return framed_by(response, link.platform)


def unavailable_reason(version: Version | None, version_id: int | None) -> str:
    if version_id is None:
        return (
            "the link names no Remixbank version (custom parameter remixbank_version); "
            "add the activity again through Remixbank's picker"
        )
    if version is None:
        return f"version {version_id} does not exist in Remixbank"
    if version.state == Version.State.TAKEN_DOWN:
        when = version.taken_down_at.strftime("%-d %B %Y") if version.taken_down_at else ""
        return f"{version} was taken down by Remixbank's admins {when}: {version.takedown_reason}"
    if version.state == Version.State.WITHDRAWN:
        when = version.withdrawn_at.strftime("%-d %B %Y") if version.withdrawn_at else ""
        why = f": {version.withdrawal_reason}" if version.withdrawal_reason else ""
        return f"{version} was withdrawn {when}{why}".strip()
    return f"{version} is not published ({version.get_state_display().lower()})"


@require_GET
@never_cache
def enter(request: HttpRequest, key: str) -> HttpResponse:
    """Sign a launched learner's account in from a one-time key, then go to the page it names."""
    found = use_sign_in_token(key)
    if found is None:
        return render(
            request,
            "repository/lti/refused.html",
            {"message": "This link was already used or is over ten minutes old. " + START_AGAIN},
            status=400,
        )
    user, next_url = found
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(next_url if next_url.startswith("/") else "/")


@require_GET
def target(request: HttpRequest, version_id: int | None = None) -> HttpResponse:
    """Target link URIs opened outside a launch: say what they are for."""
    if version_id is not None:
        version = get_object_or_404(Version.objects.public(), pk=version_id)
        return redirect(version.get_absolute_url())
    return render(request, "repository/lti/about.html", {"urls": tool_urls()})


# --- Deep Linking: the tool store picker ---------------------------------------------------


@require_http_methods(["GET", "POST"])
@csrf_exempt  # the launch id in the address is the capability; our cookies do not reach the frame
@never_cache
def pick(request: HttpRequest, launch_id: str) -> HttpResponse:
    try:
        valid = restore_launch(request, launch_id)
        settings_claim = deep_linking.settings_of(valid.claims)
    except LtiRefused as exc:
        return refused_page(request, exc, LtiEvent.Kind.DEEP_LINK_REFUSED)
    error = ""
    if request.method == "POST":
        chosen = request.POST.getlist("version")
        try:
            items = content_items(chosen, multiple=deep_linking.accepts_multiple(settings_claim))
        except DomainError as exc:
            error = exc.message  # shown on the page: no session cookie reaches the frame
        else:
            token = deep_linking.response_jwt(valid.launch, items)
            forget_launch(launch_id)  # the picker answers once
            response = render(
                request,
                "repository/lti/deep_link_return.html",
                {
                    "return_url": settings_claim["deep_link_return_url"],
                    "jwt": token,
                    "items": items,
                },
            )
            framed_by(response, valid.platform)
            origin = urlsplit(settings_claim["deep_link_return_url"])
            response["Content-Security-Policy"] = response["Content-Security-Policy"].replace(
                "form-action 'self'", f"form-action {origin.scheme}://{origin.netloc}"
            )
            return response
    response = render(
        request,
        "repository/lti/pick.html",
        {
            "launch_id": launch_id,
            "multiple": deep_linking.accepts_multiple(settings_claim),
            "error": error,
            **picker_search(request),
        },
        status=400 if error else 200,
    )
    return framed_by(response, valid.platform)


PICKER_FACETS = ("kind", "subject", "level", "licence", "institution")


def picker_search(request: HttpRequest) -> dict[str, Any]:
    """The picker's search, with the browse page's facets and its "what may I combine with
    this?" (browse.combinable, on licensing's adaptation rule), over published works only."""
    query = request.GET.get("q", "").strip()[:200]
    chosen = {name: [v for v in request.GET.getlist(name) if v][:10] for name in PICKER_FACETS}
    combine = request.GET.get("combine", "")
    if combine and not licensing.is_known(combine):
        combine = ""
    published = set(Resource.objects.exclude(latest_published=None).values_list("pk", flat=True))
    rows = [r for r in browse.facet_rows(request, query) if r["pk"] in published]
    if combine:
        rows = [r for r in rows if r["licence"][0] and browse.combinable(combine, r["licence"][0])]
    hits = [r["pk"] for r in rows if browse.matches(r, chosen)]
    return {
        "query": query,
        "combine": combine,
        "combine_licence": licensing.get_license(combine) if combine else None,
        "licences": browse.adaptable_licences(),
        "facets": browse.build_facets(rows, chosen, request.GET, names=PICKER_FACETS),
        "chosen": [(n, v) for n, vs in chosen.items() for v in vs],
        "total": len(hits),
        "cards": picker_cards(hits, ranked=bool(query)),
    }


# --- Registrations, for an institution's admins ---------------------------------------------


class PlatformForm(forms.Form):
    name = forms.CharField(max_length=100, label="Name", help_text="For example: Moodle.")
    issuer = forms.URLField(max_length=500, assume_scheme="https", label="Issuer (platform id)")
    client_id = forms.CharField(max_length=200, label="Client id")
    deployment_ids = forms.CharField(
        label="Deployment ids",
        help_text="One per line.",
        required=False,  # the action says what a deployment id is and where to find it
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    auth_login_url = forms.URLField(
        max_length=500, assume_scheme="https", label="Authentication request URL"
    )
    auth_token_url = forms.URLField(max_length=500, assume_scheme="https", label="Access token URL")
    jwks_url = forms.URLField(
        max_length=500, assume_scheme="https", label="Public keyset (JWKS) URL"
    )


class PlatformChangeForm(PlatformForm):
    nrps_enabled = forms.BooleanField(
        required=False,
        label="Use Names and Roles (NRPS): store learners' names for the teacher's attempts table",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("name", "issuer", "client_id"):
            self.fields[name].disabled = True


def platform_initial(platform: LtiPlatform) -> dict[str, Any]:
    return {
        "name": platform.name,
        "issuer": platform.issuer,
        "client_id": platform.client_id,
        "deployment_ids": "\n".join(platform.deployment_ids),
        "auth_login_url": platform.auth_login_url,
        "auth_token_url": platform.auth_token_url,
        "jwks_url": platform.jwks_url,
        "nrps_enabled": platform.nrps_enabled,
    }


def canvas_config() -> dict[str, Any]:
    urls = tool_urls()
    host = urlsplit(settings.SITE_URL).hostname or ""
    return {
        "title": "Remixbank",
        "description": "Validated learning tools and simulation scenarios, pinned to the version you chose.",
        "oidc_initiation_url": urls["login"],
        "target_link_uri": urls["target"],
        "public_jwk_url": urls["jwks"],
        "scopes": [
            "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
            "https://purl.imsglobal.org/spec/lti-ags/scope/score",
            "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
        ],
        "extensions": [
            {
                "domain": host,
                "platform": "canvas.instructure.com",
                "privacy_level": "anonymous",
                "settings": {
                    "placements": [
                        {
                            "placement": placement,
                            "message_type": "LtiDeepLinkingRequest",
                            "target_link_uri": urls["deep_link"],
                        }
                        for placement in ("link_selection", "assignment_selection")
                    ]
                },
            }
        ],
        "custom_fields": {},
    }


def render_platforms(request: HttpRequest, slug: str, **extra: Any) -> HttpResponse:
    institution = admin_institution(request, slug)
    return render(
        request,
        "repository/lti/platforms.html",
        {
            "institution": institution,
            "platforms": institution.lti_platforms.order_by("name"),
            "form": extra.pop("form", None) or PlatformForm(),
            "urls": tool_urls(),
            "canvas_json": json.dumps(canvas_config(), indent=2),
            **extra,
        },
    )


@login_required
@never_cache
def platforms(request: HttpRequest, slug: str) -> HttpResponse:
    if request.method != "POST":
        return render_platforms(request, slug)
    institution = admin_institution(request, slug)
    form = PlatformForm(request.POST)
    if not form.is_valid():
        return render_platforms(request, slug, form=form)
    data = form.cleaned_data
    try:
        platform = register_platform(
            institution=institution,
            by=signed_in_user(request),
            name=data["name"],
            issuer=data["issuer"],
            client_id=data["client_id"],
            deployment_ids=data["deployment_ids"].splitlines(),
            auth_login_url=data["auth_login_url"],
            auth_token_url=data["auth_token_url"],
            jwks_url=data["jwks_url"],
        )
    except DomainError as exc:
        form.add_error(None, exc.message)
        return render_platforms(request, slug, form=form)
    messages.success(
        request, f"Registered {platform.name}. Paste the tool's configuration below into it."
    )
    return redirect("lti_platform", institution.slug, platform.pk)


@login_required
@never_cache
def platform_page(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    institution = admin_institution(request, slug)
    platform = get_object_or_404(LtiPlatform, pk=pk, institution=institution)
    form = PlatformChangeForm(initial=platform_initial(platform))
    if request.method == "POST":
        if request.POST.get("action") == "remove":
            remove_platform(platform, by=signed_in_user(request))
            messages.success(request, f"Removed {platform.name}: its launches no longer work.")
            return redirect("lti_platforms", institution.slug)
        form = PlatformChangeForm(request.POST, initial=platform_initial(platform))
        if form.is_valid():
            data = form.cleaned_data
            try:
                update_platform(
                    platform,
                    by=signed_in_user(request),
                    deployment_ids=data["deployment_ids"].splitlines(),
                    auth_login_url=data["auth_login_url"],
                    auth_token_url=data["auth_token_url"],
                    jwks_url=data["jwks_url"],
                    nrps_enabled=data["nrps_enabled"],
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, f"Saved {platform.name}.")
                return redirect("lti_platform", institution.slug, platform.pk)
    return render(
        request,
        "repository/lti/platform.html",
        {
            "institution": institution,
            "platform": platform,
            "form": form,
            "urls": tool_urls(),
            "events": platform.events.all()[:50],
            "learners": platform.learners.count(),
            "links": platform.links.count(),
        },
    )


def data_context(platform: LtiPlatform | None) -> dict[str, Any]:
    return {
        "platform": platform,
        "stored": CLAIMS_STORED,
        "ignored": CLAIMS_IGNORED,
        "sent": SENT_BACK,
    }


@login_required
def platform_data(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    institution = admin_institution(request, slug)
    platform = get_object_or_404(LtiPlatform, pk=pk, institution=institution)
    return render(
        request, "repository/lti/data.html", {"institution": institution, **data_context(platform)}
    )


def learner_data(request: HttpRequest) -> HttpResponse:
    return render(request, "repository/lti/data.html", data_context(None))


def licence_words(spdx: str) -> str:
    """A licence in plain words for the picker (the SPDX id when the catalogue lacks it)."""
    if not licensing.is_known(spdx):
        return spdx
    lic = licensing.get_license(spdx)
    return f"{lic.short_name}: {lic.plain_words}"


def picker_cards(hits: list[int], *, ranked: bool) -> list[dict[str, Any]]:
    """Picker cards for the resources `hits` (in the search's rank order when `ranked`, the
    newest published first otherwise), each with its licence in plain words and a link to the
    same search showing only what may be combined with it."""
    resources = Resource.objects.filter(pk__in=hits).select_related(
        "institution", "latest_published"
    )
    if ranked:
        by_pk = resources.in_bulk()
        found = [by_pk[pk] for pk in hits[:PICKER_SIZE] if pk in by_pk]
    else:
        found = list(resources.order_by("-latest_published__published_at")[:PICKER_SIZE])
    shown = [r.latest_published for r in found if r.latest_published]
    for v in shown:
        v.resource = next(r for r in found if r.pk == v.resource_id)
    thumbs = thumbnails(shown)
    runs = {
        run.version_id: run
        for run in ValidationRun.objects.filter(version__in=shown).order_by("version", "-pk")
    }
    return [
        {
            "version": v,
            "resource": v.resource,
            "licence": licence_words(v.licence),
            "badge": badge(v, runs.get(v.pk)),
            "thumb": thumbs.get(v.pk),
            "try_url": origins.url_of(v) if v.resource.kind == Resource.Kind.TOOL else "",
            "collection": v.items.exists(),
            "combine_url": "?" + urlencode({"combine": v.licence}),
        }
        for v in shown
    ]


def content_items(chosen: list[str], *, multiple: bool) -> list[deep_linking.Item]:
    versions = versions_to_link(chosen, multiple=multiple)
    thumbs = thumbnails(versions)
    return [
        deep_linking.Item(
            version_id=v.pk,
            title=f"{v.resource.title} (v{v.number})",
            url=site(reverse("lti_target_version", args=[v.pk])),
            text=attribution_text(v),
            thumbnail=site(thumbs[v.pk]["url"]) if v.pk in thumbs else "",
        )
        for v in versions
    ]
