"""Common Cartridge 1.3 export of a version (or a collection's works) for a VLE to import.

The cartridge is a zip: `imsmanifest.xml` (the cartridge's LOM metadata and licence, one
organization item per work, one `webcontent` resource per work listing every file), each work's
files under `works/<institution>-<resource>-v<n>/` with its ATTRIBUTION.txt beside them, and an
LTI link per work (`imsbasiclti_xmlv1p0`) to the LTI tool's target for that version
(`lti_target_version`, repository/web/lti.py), so a course can launch the pinned version from
Remixbank instead of copying it (left out should that address ever be missing).
Works are copied as stored: blobs are streamed from storage, never held whole in memory.
"""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO

from django.urls import NoReverseMatch, reverse
from lxml.etree import Element, SubElement, _Element, tostring

from repository.credit.attribution import attribution_file
from repository.exchange.lom import vcard
from repository.exchange.records import Record, public_versions, records, site_url
from repository.models import CollectionItem, Version
from repository.storage import blobs
from repository.storage.downloads import attribution_name

CP_NS = "http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1"
LOM_MANIFEST_NS = "http://ltsc.ieee.org/xsd/imsccv1p3/LOM/manifest"
LOM_RESOURCE_NS = "http://ltsc.ieee.org/xsd/imsccv1p3/LOM/resource"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
LTI_CC_NS = "http://www.imsglobal.org/xsd/imslticc_v1p0"
BLTI_NS = "http://www.imsglobal.org/xsd/imsbasiclti_v1p0"
LTICP_NS = "http://www.imsglobal.org/xsd/imslticp_v1p0"
LTICM_NS = "http://www.imsglobal.org/xsd/imslticm_v1p0"
SCHEMA_LOCATION = " ".join(
    [
        CP_NS,
        "http://www.imsglobal.org/profile/cc/ccv1p3/ccv1p3_imscp_v1p2_v1p0.xsd",
        LOM_MANIFEST_NS,
        "http://www.imsglobal.org/profile/cc/ccv1p3/LOM/ccv1p3_lommanifest_v1p0.xsd",
        LOM_RESOURCE_NS,
        "http://www.imsglobal.org/profile/cc/ccv1p3/LOM/ccv1p3_lomresource_v1p0.xsd",
    ]
)
LTI_SCHEMA_LOCATION = " ".join(
    [
        LTI_CC_NS,
        "http://www.imsglobal.org/xsd/lti/ltiv1p0/imslticc_v1p0.xsd",
        BLTI_NS,
        "http://www.imsglobal.org/xsd/lti/ltiv1p0/imsbasiclti_v1p0p1.xsd",
    ]
)


@dataclass(frozen=True)
class Work:
    """One work in the cartridge: its record and its stored files (path, blob)."""

    record: Record
    files: Sequence[tuple[str, str]]
    attribution: str

    @property
    def folder(self) -> str:
        r = self.record
        return f"works/{r.institution_slug}-{slug_of(r)}-v{r.number}"

    @property
    def attribution_path(self) -> str:
        return f"{self.folder}/{attribution_name({p for p, _ in self.files})}"


def slug_of(record: Record) -> str:
    return record.resource_url.rstrip("/").rsplit("/", 1)[-1]


def works_of(version: Version) -> tuple[Record, list[Work]]:
    """The version's record, and the works its cartridge holds: a collection's works, or itself."""
    [record] = records(public_versions().filter(pk=version.pk))
    items = list(
        CollectionItem.objects.filter(collection=version, item__state=Version.State.PUBLISHED)
        .order_by("folder")
        .values_list("item", flat=True)
    )
    members = items or [version.pk]
    by_pk = {r.pk: r for r in records(public_versions().filter(pk__in=members))}
    files: dict[int, list[tuple[str, str]]] = {pk: [] for pk in members}
    for version_id, path, sha in (
        Version.objects.filter(pk__in=members)
        .values_list("pk", "files__path", "files__blob_id")
        .order_by("pk", "files__path")
    ):
        if path is not None:
            files[version_id].append((path, sha))
    sources = Version.objects.filter(pk__in=members).select_related("resource__institution")
    attributions = {v.pk: attribution_file(v) for v in sources}
    return record, [Work(by_pk[pk], files[pk], attributions[pk]) for pk in members if pk in by_pk]


def lti_launch_url(record: Record) -> str | None:
    """The LTI tool's launch address for this version, once the site has LTI (else None)."""
    try:
        return site_url(reverse("lti_target_version", args=[record.pk]))
    except NoReverseMatch:
        return None


def _string(parent: _Element, ns: str, name: str, text: str, language: str) -> None:
    holder = SubElement(parent, f"{{{ns}}}{name}")
    string = SubElement(holder, f"{{{ns}}}string")
    if language:
        string.set("language", language)
    string.text = text


def rights_text(record: Record) -> str:
    return f"{record.title} v{record.number}: {record.licence_name} ({record.licence_url})"


def manifest_lom(record: Record, works: Sequence[Work]) -> _Element:
    """The cartridge's LOM (CC 1.3 manifest profile): title, description, authors, licence."""
    ns = LOM_MANIFEST_NS
    lom = Element(f"{{{ns}}}lom")
    general = SubElement(lom, f"{{{ns}}}general")
    _string(general, ns, "title", f"{record.title} v{record.number}", record.language)
    if record.language:
        SubElement(general, f"{{{ns}}}language").text = record.language
    if record.description:
        _string(general, ns, "description", record.description, record.language)
    for subject in record.subjects:
        _string(general, ns, "keyword", subject, record.language)
    life = SubElement(lom, f"{{{ns}}}lifeCycle")
    contribute = SubElement(life, f"{{{ns}}}contribute")
    role = SubElement(contribute, f"{{{ns}}}role")
    SubElement(role, f"{{{ns}}}source").text = "LOMv1.0"
    SubElement(role, f"{{{ns}}}value").text = "author"
    for author in record.authors:
        SubElement(contribute, f"{{{ns}}}entity").text = vcard(author)
    rights = SubElement(lom, f"{{{ns}}}rights")
    restricted = SubElement(rights, f"{{{ns}}}copyrightAndOtherRestrictions")
    SubElement(restricted, f"{{{ns}}}value").text = "yes"
    lines = [rights_text(record)] + [rights_text(w.record) for w in works if w.record != record]
    _string(rights, ns, "description", "\n".join(lines), "en")
    return lom


def resource_lom(record: Record) -> _Element:
    """A work's own licence, on its resource (CC 1.3 resource LOM profile)."""
    ns = LOM_RESOURCE_NS
    lom = Element(f"{{{ns}}}lom")
    rights = SubElement(lom, f"{{{ns}}}rights")
    restricted = SubElement(rights, f"{{{ns}}}copyrightAndOtherRestrictions")
    SubElement(restricted, f"{{{ns}}}value").text = "yes"
    _string(rights, ns, "description", rights_text(record), "en")
    return lom


def lti_link(record: Record, launch_url: str) -> bytes:
    """A Basic LTI link descriptor (imsbasiclti_xmlv1p0) launching this version."""
    link = Element(
        f"{{{LTI_CC_NS}}}cartridge_basiclti_link",
        nsmap={
            None: LTI_CC_NS,
            "blti": BLTI_NS,
            "lticm": LTICM_NS,
            "lticp": LTICP_NS,
            "xsi": XSI_NS,
        },
    )
    link.set(f"{{{XSI_NS}}}schemaLocation", LTI_SCHEMA_LOCATION)
    SubElement(link, f"{{{BLTI_NS}}}title").text = f"{record.title} v{record.number}"
    if record.description:
        SubElement(link, f"{{{BLTI_NS}}}description").text = record.description
    tag = "secure_launch_url" if launch_url.startswith("https:") else "launch_url"
    SubElement(link, f"{{{BLTI_NS}}}{tag}").text = launch_url
    vendor = SubElement(link, f"{{{BLTI_NS}}}vendor")
    SubElement(vendor, f"{{{LTICP_NS}}}code").text = "remixbank"
    SubElement(vendor, f"{{{LTICP_NS}}}name").text = "Remixbank"
    return bytes(tostring(link, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def manifest(record: Record, works: Sequence[Work], lti: dict[int, str]) -> bytes:
    """imsmanifest.xml for `works` (the collection's, or the one version's)."""
    root = Element(
        f"{{{CP_NS}}}manifest",
        nsmap={None: CP_NS, "lomimscc": LOM_MANIFEST_NS, "lom": LOM_RESOURCE_NS, "xsi": XSI_NS},
    )
    root.set("identifier", f"remixbank-v{record.pk}")
    root.set(f"{{{XSI_NS}}}schemaLocation", SCHEMA_LOCATION)
    metadata = SubElement(root, f"{{{CP_NS}}}metadata")
    SubElement(metadata, f"{{{CP_NS}}}schema").text = "IMS Common Cartridge"
    SubElement(metadata, f"{{{CP_NS}}}schemaversion").text = "1.3.0"
    metadata.append(manifest_lom(record, works))

    organizations = SubElement(root, f"{{{CP_NS}}}organizations")
    organization = SubElement(organizations, f"{{{CP_NS}}}organization")
    organization.set("identifier", "organization")
    organization.set("structure", "rooted-hierarchy")
    top = SubElement(organization, f"{{{CP_NS}}}item", identifier="root")
    resources = SubElement(root, f"{{{CP_NS}}}resources")
    for work in works:
        r = work.record
        item = SubElement(top, f"{{{CP_NS}}}item", identifier=f"item-{r.pk}")
        item.set("identifierref", f"web-{r.pk}")
        SubElement(item, f"{{{CP_NS}}}title").text = f"{r.title} v{r.number}"
        resource = SubElement(resources, f"{{{CP_NS}}}resource", identifier=f"web-{r.pk}")
        resource.set("type", "webcontent")
        resource.set("href", f"{work.folder}/{r.entry_point}")
        SubElement(resource, f"{{{CP_NS}}}metadata").append(resource_lom(r))
        for path in [
            *(p for p, _ in work.files),
            work.attribution_path.removeprefix(f"{work.folder}/"),
        ]:
            SubElement(resource, f"{{{CP_NS}}}file", href=f"{work.folder}/{path}")
        if r.pk in lti:
            launch = SubElement(top, f"{{{CP_NS}}}item", identifier=f"item-lti-{r.pk}")
            launch.set("identifierref", f"lti-{r.pk}")
            SubElement(launch, f"{{{CP_NS}}}title").text = f"{r.title} v{r.number} (LTI launch)"
            link = SubElement(resources, f"{{{CP_NS}}}resource", identifier=f"lti-{r.pk}")
            link.set("type", "imsbasiclti_xmlv1p0")
            SubElement(link, f"{{{CP_NS}}}file", href=f"lti/{r.pk}.xml")
    return bytes(tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def write_cartridge(version: Version) -> IO[bytes]:
    """The cartridge of a published version, as a file positioned at its start.

    Spooled: in memory while small, on disk beyond 8 MiB, so a large tool never sits whole in
    memory.
    """
    record, works = works_of(version)
    lti = {w.record.pk: url for w in works if (url := lti_launch_url(w.record))}
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - returned open
    stamp = version.created_at.timetuple()[:6]
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("imsmanifest.xml", stamp), manifest(record, works, lti))
        for work in works:
            archive.writestr(zipfile.ZipInfo(work.attribution_path, stamp), work.attribution)
            for path, sha in work.files:
                info = zipfile.ZipInfo(f"{work.folder}/{path}", stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                with archive.open(info, "w", force_zip64=True) as entry:
                    for chunk in blobs.iter_blob(sha):
                        entry.write(chunk)
        for pk, url in lti.items():
            record_of_pk = next(w.record for w in works if w.record.pk == pk)
            archive.writestr(zipfile.ZipInfo(f"lti/{pk}.xml", stamp), lti_link(record_of_pk, url))
    out.seek(0)
    return out
