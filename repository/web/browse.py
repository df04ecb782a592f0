"""Home and browse: search with facets, "what may I combine with this?", institutions, licences.

Facets are counted in Python over one narrow `.values()` query of the visible resources,
because subjects are a JSON list (SQLite cannot filter or group inside it) and because each
facet is counted with every *other* facet applied, so a visitor always sees how many results
a click would give. Only the page of cards shown is then loaded as full rows.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

import licensing
from repository.access import is_admin_of, people_visible_to, role_in
from repository.actions.usage import usage_rows
from repository.models import Institution, Resource, ValidationStep, Version
from repository.models.search import search_resources
from repository.web.usage import use_panel

PAGE_SIZE = 24


FACETS = ("kind", "subject", "level", "licence", "institution", "state")


FACET_TITLES = {
    "kind": "Kind",
    "subject": "Subject",
    "level": "Level",
    "licence": "Licence",
    "institution": "Institution",
    "state": "Validation",
}


STATE_LABELS = dict(Version.State.choices)


KIND_LABELS = dict(Resource.Kind.choices)


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool
    url: str


@dataclass
class Facet:
    name: str
    title: str
    values: list[FacetValue] = field(default_factory=list)

    @property
    def selected(self) -> list[FacetValue]:
        return [v for v in self.values if v.selected]


@cache
def combinable(chosen: str, theirs: str) -> bool:
    """Whether a work under `theirs` may be remixed with one under `chosen` (some licence fits)."""
    try:
        return bool(licensing.allowed_adaptation_licenses([chosen, theirs]))
    except (licensing.UnknownLicence, ValueError):
        return False


def adaptable_licences() -> list[licensing.License]:
    """The licences offered in "combine with": current international CC versions, all software."""
    return [
        lic
        for lic in licensing.all_licenses()
        if lic.is_software or (lic.port is None and lic.version in {"4.0", ""})
    ] or licensing.all_licenses()


def facet_rows(request: HttpRequest, query: str) -> list[dict[str, Any]]:
    """One small dict per visible resource with the values its facets need."""
    newest_state = (
        Version.objects.visible_to(request.user)
        .filter(resource=OuterRef("pk"))
        .order_by("-number")
        .values("state")[:1]
    )
    newest_licence = (
        Version.objects.visible_to(request.user)
        .filter(resource=OuterRef("pk"))
        .order_by("-number")
        .values("licence")[:1]
    )
    resources: QuerySet[Resource] = Resource.objects.visible_to(request.user)
    if query:
        resources = search_resources(resources, query)
    rows = resources.annotate(
        newest_state=Subquery(newest_state), newest_licence=Subquery(newest_licence)
    ).values(
        "pk",
        "kind",
        "subjects",
        "level",
        "institution__slug",
        "latest_published__licence",
        "newest_state",
        "newest_licence",
    )
    out = []
    for row in rows:
        out.append(
            {
                "pk": row["pk"],
                "kind": [row["kind"]],
                "subject": [
                    str(s).strip().lower() for s in row["subjects"] or [] if str(s).strip()
                ],
                "level": [row["level"].strip().lower()] if row["level"] else [],
                "licence": [row["latest_published__licence"] or row["newest_licence"] or ""],
                "institution": [row["institution__slug"]],
                "state": [row["newest_state"] or ""],
            }
        )
    return out


def matches(row: dict[str, Any], chosen: dict[str, list[str]], skip: str | None = None) -> bool:
    return all(
        any(v in row[name] for v in values)
        for name, values in chosen.items()
        if values and name != skip
    )


def facet_url(params: QueryDict, name: str, value: str) -> str:
    """The current URL with `value` of facet `name` toggled, back on the first page."""
    data = params.copy()
    data.pop("page", None)
    values = data.getlist(name)
    data.setlist(name, [v for v in values if v != value] if value in values else [*values, value])
    return "?" + data.urlencode()


def build_facets(
    rows: list[dict[str, Any]],
    chosen: dict[str, list[str]],
    params: QueryDict,
    names: Iterable[str] = FACETS,
) -> list[Facet]:
    labels = {
        "kind": KIND_LABELS,
        "state": STATE_LABELS,
        "institution": dict(Institution.objects.values_list("slug", "name")),
    }
    facets = []
    for name in names:
        counts: Counter[str] = Counter()
        for row in rows:
            if matches(row, chosen, skip=name):
                counts.update(v for v in set(row[name]) if v)
        for value in chosen.get(name, []):
            counts.setdefault(value, 0)
        facet = Facet(name, FACET_TITLES[name])
        for value, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            label = labels.get(name, {}).get(value, value)
            facet.values.append(
                FacetValue(
                    value,
                    str(label).capitalize() if name in {"subject", "level"} else str(label),
                    count,
                    value in chosen.get(name, []),
                    facet_url(params, name, value),
                )
            )
        if facet.values:
            facets.append(facet)
    return facets


def thumbnails(versions: Iterable[Version]) -> dict[int, dict[str, str]]:
    """Version id → the first screenshot (tools) or plot (scenarios) its validation recorded."""
    by_id = {v.pk: v for v in versions}
    found: dict[int, dict[str, str]] = {}
    steps = (
        ValidationStep.objects.filter(run__version__in=by_id)
        .order_by("-run__started_at", "position")
        .values_list("run__version_id", "artefacts")
    )
    for version_id, artefacts in steps:
        if version_id in found or not artefacts:
            continue
        image = None
        if "screenshot" in artefacts:
            image = {"name": "screenshot.png", "sha256": artefacts["screenshot"]}
        else:
            image = next(
                (
                    f
                    for f in artefacts.get("files", [])
                    if f.get("name", "").endswith((".png", ".svg"))
                ),
                None,
            )
        if image:
            v = by_id[version_id]
            found[version_id] = {
                "url": reverse(
                    "version_artefact",
                    args=[
                        v.resource.institution.slug,
                        v.resource.slug,
                        v.number,
                        image["sha256"],
                        image["name"],
                    ],
                ),
                "alt": "Screenshot of the tool"
                if image["name"] == "screenshot.png"
                else "Plot from the scenario's run",
            }
    return found


def home(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    chosen = {name: [v for v in request.GET.getlist(name) if v][:10] for name in FACETS}
    combine = request.GET.get("combine", "")
    if combine and not licensing.is_known(combine):
        combine = ""
    rows = facet_rows(request, query)
    if combine:
        rows = [r for r in rows if r["licence"][0] and combinable(combine, r["licence"][0])]
    facets = build_facets(rows, chosen, request.GET)
    hits = [r["pk"] for r in rows if matches(r, chosen)]
    page = Paginator(hits, PAGE_SIZE).get_page(request.GET.get("page"))
    by_pk = Resource.objects.select_related("institution", "latest_published").in_bulk(
        list(page.object_list)
    )
    resources = [by_pk[pk] for pk in page.object_list if pk in by_pk]
    shown = {r.pk: r.latest_published for r in resources if r.latest_published}
    newest = (
        Version.objects.visible_to(request.user)
        .filter(resource__in=[r for r in resources if r.pk not in shown])
        .select_related("resource__institution")
        .order_by("resource", "-number")
    )
    for v in newest:
        shown.setdefault(v.resource_id, v)
    for v in shown.values():
        v.resource = by_pk[v.resource_id]
    thumbs = thumbnails(shown.values())
    cards = [
        {
            "resource": r,
            "version": shown.get(r.pk),
            "thumb": thumbs.get(shown[r.pk].pk) if r.pk in shown else None,
        }
        for r in resources
    ]
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "repository/home.html",
        {
            "query": query,
            "facets": facets,
            "cards": cards,
            "page": page,
            "total": len(hits),
            "combine": combine,
            "combine_licence": licensing.get_license(combine) if combine else None,
            "licences": adaptable_licences(),
            "chosen": [(n, v) for n, vs in chosen.items() for v in vs],
            "page_query": params.urlencode(),
            "clear_url": "?" + urlencode({"q": query}) if query else "?",
        },
    )


def institution_page(request: HttpRequest, slug: str) -> HttpResponse:
    institution = get_object_or_404(Institution, slug=slug)
    members = (
        institution.memberships.filter(user__in=people_visible_to(request.user))
        .select_related("user")
        .order_by("role", "user__first_name")
    )
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
            "use": use_panel(usage_rows(institution=institution)),
        },
    )


def licences(request: HttpRequest) -> HttpResponse:
    return render(request, "repository/licences.html", {"licences": licensing.all_licenses()})
