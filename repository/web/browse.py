"""Home and browse: search with facets, "what may I combine with this?", institutions, licences.

Facets are counted in the database, one GROUP BY per facet over the visible resources with
every *other* facet applied, so a visitor always sees how many results a click would give and
no page reads every resource into Python. Subjects are a JSON list, unnested with
PostgreSQL's jsonb_array_elements_text or SQLite's json_each. Only the page of cards shown is
loaded as full rows.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlencode

from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import BooleanField, Count, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Lower, NullIf, Trim
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


def facet_querysets(
    request: HttpRequest, query: str, combine: str
) -> tuple[QuerySet[Resource], QuerySet[Resource]]:
    """The visible resources in the order shown, and the same with each facet's value annotated.

    The second is a plain `pk__in` of the first, so that grouping never meets the join (and
    DISTINCT) of `visible_to` for signed-in people. A resource's licence is its latest
    published version's, else its newest visible version's; its state, its newest visible
    version's.
    """
    newest = (
        Version.objects.visible_to(request.user).filter(resource=OuterRef("pk")).order_by("-number")
    )
    shown: QuerySet[Resource] = Resource.objects.visible_to(request.user)
    if query:
        shown = search_resources(shown, query)
    annotated = Resource.objects.filter(pk__in=shown.values("pk")).annotate(
        f_kind=F("kind"),
        f_level=Lower(Trim("level")),
        f_licence=Coalesce(
            NullIf("latest_published__licence", Value("")),
            NullIf(Subquery(newest.values("licence")[:1]), Value("")),
            Value(""),
        ),
        f_institution=F("institution__slug"),
        f_state=Coalesce(Subquery(newest.values("state")[:1]), Value("")),
    )
    if combine:
        licences = annotated.order_by().values_list("f_licence", flat=True).distinct()
        allowed = [lic for lic in licences if lic and combinable(combine, lic)]
        annotated = annotated.filter(f_licence__in=allowed)
        shown = shown.filter(pk__in=annotated.values("pk"))
    return shown, annotated


def subject_items(queryset: QuerySet[Resource], values: list[str]) -> tuple[str, list[str]]:
    """SQL for the subjects (JSON list) of `queryset`'s resources, trimmed and lower-cased."""
    sql, params = queryset.values("pk").query.sql_with_params()
    if connection.vendor == "postgresql":
        items = (
            "jsonb_array_elements_text(CASE WHEN jsonb_typeof(r.subjects) = 'array' "
            "THEN r.subjects ELSE '[]'::jsonb END) AS s(value)"
        )
        value = "lower(btrim(s.value))"
    else:
        items = (
            "json_each(CASE WHEN json_type(r.subjects) = 'array' THEN r.subjects ELSE '[]' END) s"
        )
        value = "lower(trim(s.value))"
    return (
        f"SELECT {value}, count(DISTINCT r.id) FROM repository_resource r, {items} "  # noqa: S608
        f"WHERE r.id IN ({sql}) AND {value} <> '' GROUP BY 1",
        [*params, *values],
    )


def has_subject(values: list[str]) -> RawSQL:
    """Whether the resource lists one of `values` among its subjects (trimmed, lower-cased)."""
    marks = ", ".join(["%s"] * len(values))
    if connection.vendor == "postgresql":
        sql = (
            "EXISTS (SELECT 1 FROM jsonb_array_elements_text(CASE WHEN "  # noqa: S608 - placeholders only
            "jsonb_typeof(repository_resource.subjects) = 'array' THEN "
            "repository_resource.subjects ELSE '[]'::jsonb END) AS s(value) "
            f"WHERE lower(btrim(s.value)) IN ({marks}))"
        )
    else:
        sql = (
            "EXISTS (SELECT 1 FROM json_each(CASE WHEN json_type(repository_resource.subjects) "  # noqa: S608 - placeholders only
            "= 'array' THEN repository_resource.subjects ELSE '[]' END) s "
            f"WHERE lower(trim(s.value)) IN ({marks}))"
        )
    return RawSQL(sql, list(values), output_field=BooleanField())  # noqa: S611 - values are bound


FIELDS = {
    "kind": "f_kind",
    "level": "f_level",
    "licence": "f_licence",
    "institution": "f_institution",
    "state": "f_state",
}


def chosen_filter(
    queryset: QuerySet[Resource], chosen: dict[str, list[str]], skip: str | None = None
) -> QuerySet[Resource]:
    """`queryset` narrowed to every chosen facet value (any value within a facet) but `skip`'s."""
    for name, values in chosen.items():
        if not values or name == skip:
            continue
        if name == "subject":
            queryset = queryset.filter(has_subject(values))
        else:
            queryset = queryset.filter(**{f"{FIELDS[name]}__in": values})
    return queryset


def facet_counts(
    annotated: QuerySet[Resource], chosen: dict[str, list[str]], name: str
) -> dict[str, int]:
    """Resources per value of facet `name`, with every other facet's choice applied, in SQL."""
    narrowed = chosen_filter(annotated, chosen, skip=name)
    if name == "subject":
        try:
            sql, params = subject_items(narrowed, [])
        except EmptyResultSet:  # a filter that can match nothing, e.g. no licence combines
            return {}
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return {str(value): count for value, count in cursor.fetchall()}
    field = FIELDS[name]
    rows = narrowed.exclude(**{field: ""}).order_by().values(field).annotate(n=Count("pk"))
    return {row[field]: row["n"] for row in rows}


def facet_url(params: QueryDict, name: str, value: str) -> str:
    """The current URL with `value` of facet `name` toggled, back on the first page."""
    data = params.copy()
    data.pop("page", None)
    values = data.getlist(name)
    data.setlist(name, [v for v in values if v != value] if value in values else [*values, value])
    return "?" + data.urlencode()


def build_facets(
    annotated: QuerySet[Resource],
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
        counts = facet_counts(annotated, chosen, name)
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
    shown_resources, annotated = facet_querysets(request, query, combine)
    facets = build_facets(annotated, chosen, request.GET)
    hits = shown_resources.filter(pk__in=chosen_filter(annotated, chosen).values("pk"))
    page = Paginator(hits.values_list("pk", flat=True), PAGE_SIZE).get_page(request.GET.get("page"))
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
            "total": page.paginator.count,
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
