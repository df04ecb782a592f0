"""What the outside world may read about public versions, gathered in a fixed number of queries.

OAI-PMH records, LOM, schema.org JSON-LD and Common Cartridge manifests are all written from
`Record`s, so they tell the same story: the same licence URL, authors and lineage everywhere.
Only published versions, and withdrawn and taken-down ones (as deleted records), are ever
described: rows come through `Version.objects.once_public()`, and related works through
`visible_to(None)`, the anonymous visitor's view.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    DateTimeField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.text import slugify

import licensing
from repository.models import CollectionItem, Derivation, Resource, Version

# DataCite relation types (DataCite Metadata Schema 4.5, relationType) for lineage edges.
IS_DERIVED_FROM = "IsDerivedFrom"
IS_SOURCE_OF = "IsSourceOf"
IS_VERSION_OF = "IsVersionOf"
HAS_PART = "HasPart"
IS_PART_OF = "IsPartOf"

# Characters XML 1.0 cannot hold (C0 controls but tab, LF and CR; lone surrogates; U+FFFE/F).
# A manifest or a form may carry them; one left in a title would make lxml refuse the whole
# OAI-PMH page or cartridge it is written into.
NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: object) -> str:
    """`text` as a string XML can carry: characters XML 1.0 forbids are left out."""
    return NOT_XML.sub("", str(text))


@dataclass(frozen=True)
class Relation:
    """A DataCite-style relation from the described version to another public work."""

    kind: str  # one of the relation types above
    url: str
    title: str
    how: str = ""  # fork, remix or merge, for lineage edges


@dataclass(frozen=True)
class Record:
    """One public version as the exchange formats describe it."""

    pk: int
    url: str
    resource_url: str
    title: str
    description: str
    kind: str  # tool, scenario or collection
    institution: str
    institution_slug: str
    institution_url: str
    subjects: Sequence[str]
    level: str
    language: str
    authors: Sequence[str]
    contributors: Sequence[str]
    licence_id: str
    licence_url: str
    licence_name: str
    number: int
    created: datetime
    datestamp: datetime
    deleted: bool
    entry_point: str
    size: int
    relations: Sequence[Relation] = field(default=())

    @property
    def set_specs(self) -> list[str]:
        return [
            f"institution:{self.institution_slug}",
            f"kind:{self.kind}",
            *(f"subject:{slug}" for slug in dict.fromkeys(subject_slug(s) for s in self.subjects)),
        ]

    def related(self, kind: str) -> list[Relation]:
        return [r for r in self.relations if r.kind == kind]


def subject_slug(subject: str) -> str:
    """The setSpec part for a subject: OAI-PMH allows only unreserved URI characters."""
    return slugify(subject, allow_unicode=False) or "other"


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def licence_facts(licence_id: str) -> tuple[str, str]:
    """The licence's URL (CC deed or SPDX page) and its short name, for any stored id."""
    try:
        lic = licensing.get_license(licence_id)
    except licensing.UnknownLicence:
        return f"https://spdx.org/licenses/{licence_id}.html", licence_id
    return lic.deed_url, lic.short_name


def public_versions() -> QuerySet[Version]:
    """Public and taken-down versions (the latter told as deleted), in a stable order, annotated."""
    return annotated(Version.objects.once_public())


def annotated(versions: QuerySet[Version]) -> QuerySet[Version]:
    """`versions` with their datestamp (last change of public state) and collection flag."""
    return versions.annotate(
        datestamp=Coalesce(
            Case(
                When(state=Version.State.WITHDRAWN, then="withdrawn_at"),
                When(state=Version.State.TAKEN_DOWN, then="taken_down_at"),
                default="published_at",
                output_field=DateTimeField(),
            ),
            "created_at",
        ),
        is_collection=Exists(CollectionItem.objects.filter(collection=OuterRef("pk"))),
    ).order_by("pk")


def version_path(institution: str, resource: str, number: int) -> str:
    """A version page's path (as `Version.get_absolute_url`), without a `reverse` per row."""
    return f"{resource_path(institution, resource)}v{number}/"


def resource_path(institution: str, resource: str) -> str:
    return f"/i/{institution}/{resource}/"


# What a related version's row gives: its id, institution, resource slug, number, title.
RELATED = ["id", "resource__institution__slug", "resource__slug", "number", "resource__title"]


def relations_by_version(ids: list[int]) -> dict[int, list[Relation]]:
    """Lineage and parts of the versions `ids`, to public works only, in four queries.

    The edges are read by the page's ids (indexed), then the related versions are kept only if
    `visible_to(None)` has them: one query for all, where a subquery per edge table made
    SQLite scan every public version for each page.
    """
    found: dict[int, list[Relation]] = {pk: [] for pk in ids}

    def fields(prefix: str) -> list[str]:
        return [f"{prefix}__{name}" for name in RELATED]

    edges: list[tuple[str, tuple[Any, ...]]] = [
        *(
            (IS_DERIVED_FROM, row)
            for row in Derivation.objects.filter(child_id__in=ids)
            .order_by("pk")
            .values_list("child_id", "kind", *fields("parent"))
        ),
        *(
            (IS_SOURCE_OF, row)
            for row in Derivation.objects.filter(parent_id__in=ids)
            .order_by("pk")
            .values_list("parent_id", "kind", *fields("child"))
        ),
        *(
            (HAS_PART, row)
            for row in CollectionItem.objects.filter(collection_id__in=ids)
            .order_by("collection_id", "folder")
            .annotate(how=Value(""))
            .values_list("collection_id", "how", *fields("item"))
        ),
    ]
    related = {row[2] for _, row in edges}
    public = set(
        Version.objects.visible_to(None)
        .filter(pk__in=related)
        .order_by()
        .values_list("pk", flat=True)
    )
    for kind, (owner, how, pk, institution, resource, number, title) in edges:
        if pk in public:
            url = site_url(version_path(institution, resource, number))
            found[owner].append(Relation(kind, url, xml_text(f"{title} v{number}"), how))
    return found


def kind_filter(versions: QuerySet[Version], kind: str) -> QuerySet[Version]:
    if kind == "collection":
        return versions.filter(Q(is_collection=True))  # Q: the plugin cannot see annotations
    return versions.filter(Q(resource__kind=kind, is_collection=False))


def subjects_in_use() -> dict[str, list[str]]:
    """Each subject set's slug and the subject texts it stands for, over published resources."""
    found: dict[str, list[str]] = {}
    for subjects in Resource.objects.published().values_list("subjects", flat=True).distinct():
        for subject in subjects if isinstance(subjects, list) else []:
            if isinstance(subject, str) and xml_text(subject).strip():
                subject = xml_text(subject)
                texts = found.setdefault(subject_slug(subject), [])
                if subject not in texts:
                    texts.append(subject)
    return dict(sorted(found.items()))


def record_of(version: Version, lineage: Sequence[Relation]) -> Record:
    """Describe `version` (from `records`), with its lineage and parts."""
    resource = version.resource
    institution = resource.institution
    own_path = resource_path(institution.slug, resource.slug)
    licence_url, licence_name = licence_facts(version.licence)
    is_collection = bool(getattr(version, "is_collection", False))
    manifest = version.manifest if isinstance(version.manifest, dict) else {}
    return Record(
        pk=version.pk,
        url=site_url(version_path(institution.slug, resource.slug, version.number)),
        resource_url=site_url(own_path),
        title=xml_text(manifest.get("title") or resource.title),
        description=xml_text(manifest.get("description") or resource.summary),
        kind="collection" if is_collection else resource.kind,
        institution=xml_text(institution.name),
        institution_slug=institution.slug,
        institution_url=site_url(f"/i/{institution.slug}/"),
        subjects=[xml_text(s) for s in resource.subjects if isinstance(s, str)],
        level=xml_text(resource.level),
        language=xml_text(resource.language or manifest.get("language") or ""),
        authors=[xml_text(a) for a in version.authors] or [xml_text(institution.name)],
        contributors=[xml_text(c) for c in version.contributors if c not in version.authors],
        licence_id=version.licence,
        licence_url=licence_url,
        licence_name=licence_name,
        number=version.number,
        created=version.created_at,
        datestamp=getattr(version, "datestamp", None) or version.created_at,
        deleted=version.state in {Version.State.WITHDRAWN, Version.State.TAKEN_DOWN},
        entry_point=version.entry_point,
        size=version.total_size,
        relations=[Relation(IS_VERSION_OF, site_url(own_path), xml_text(resource.title)), *lineage],
    )


def records(versions: QuerySet[Version]) -> list[Record]:
    """Records of `versions` (annotated as `annotated` does), in four queries whatever their number."""
    rows = list(versions.select_related("resource__institution"))
    relations = relations_by_version([v.pk for v in rows])
    return [record_of(v, relations[v.pk]) for v in rows]


def record_for(version: Version) -> Record:
    """The record of one version its reader may see (for its page's JSON-LD, or an export).

    Its relations name public works only, whoever reads it.
    """
    return records(annotated(Version.objects.filter(pk=version.pk)))[0]
