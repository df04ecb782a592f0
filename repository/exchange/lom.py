"""Records as XML: Dublin Core (oai_dc) and IEEE LOM (oai_lom, the LOMv1.0 XML binding).

OER aggregators read LOM; lineage goes in LOM's `relation` (kind from the LOMv1.0 vocabulary,
the DataCite relation type in the related resource's description, e.g. "DataCite:IsDerivedFrom")
and in Dublin Core as `dc:relation` ("IsDerivedFrom https://…") plus `dc:source` for every
work this one was made from.
"""

from __future__ import annotations

from lxml.etree import Element, SubElement, _Element

from repository.exchange.records import (
    HAS_PART,
    IS_DERIVED_FROM,
    IS_PART_OF,
    IS_SOURCE_OF,
    IS_VERSION_OF,
    Record,
)

LOM_NS = "http://ltsc.ieee.org/xsd/LOM"
LOM_SCHEMA = "http://ltsc.ieee.org/xsd/lomv1.0/lom.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
VOCABULARY = "LOMv1.0"

# LOMv1.0 relation kinds for the DataCite types (IEEE 1484.12.1 §7.1).
LOM_RELATION_KIND = {
    IS_DERIVED_FROM: "isbasedon",
    IS_SOURCE_OF: "isbasisfor",
    IS_VERSION_OF: "isversionof",
    HAS_PART: "haspart",
    IS_PART_OF: "ispartof",
}
# LOMv1.0 learningResourceType: a tool is practised with, a scenario is a simulation.
RESOURCE_TYPE = {
    "tool": "exercise",
    "scenario": "simulation",
    "notebook": "narrative text",
    "collection": "index",
}
# LOMv1.0 educational context for our levels; anything else is "other".
CONTEXT = {
    "primary": "school",
    "secondary": "school",
    "school": "school",
    "further": "training",
    "vocational": "training",
    "higher": "higher education",
    "university": "higher education",
    "undergraduate": "higher education",
    "postgraduate": "higher education",
}


def _dc(parent: _Element, name: str, text: str) -> None:
    if text:
        SubElement(parent, f"{{{DC_NS}}}{name}").text = text


def write_dc(element: _Element, record: Record) -> None:
    """Append `record` as oai_dc to `element` (the OAI-PMH `metadata` element)."""
    dc = SubElement(
        element, f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS}
    )
    dc.set(
        f"{{{XSI_NS}}}schemaLocation",
        f"{OAI_DC_NS} http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
    )
    _dc(dc, "title", record.title)
    for author in record.authors:
        _dc(dc, "creator", author)
    for subject in record.subjects:
        _dc(dc, "subject", subject)
    _dc(dc, "description", record.description)
    _dc(dc, "publisher", record.institution)
    for contributor in record.contributors:
        _dc(dc, "contributor", contributor)
    _dc(dc, "date", record.datestamp.date().isoformat())
    _dc(dc, "type", "InteractiveResource")
    _dc(dc, "format", "text/html")
    _dc(dc, "identifier", record.url)
    for source in record.related(IS_DERIVED_FROM):
        _dc(dc, "source", source.url)
    _dc(dc, "language", record.language)
    for relation in record.relations:
        _dc(dc, "relation", f"{relation.kind} {relation.url}")
    _dc(dc, "rights", record.licence_url)


def _lang_string(parent: _Element, name: str, text: str, language: str) -> None:
    holder = SubElement(parent, f"{{{LOM_NS}}}{name}")
    string = SubElement(holder, f"{{{LOM_NS}}}string")
    string.set("language", language or "x-none")
    string.text = text


def _vocabulary(parent: _Element, name: str, value: str) -> None:
    holder = SubElement(parent, f"{{{LOM_NS}}}{name}")
    SubElement(holder, f"{{{LOM_NS}}}source").text = VOCABULARY
    SubElement(holder, f"{{{LOM_NS}}}value").text = value


def _identifier(parent: _Element, url: str) -> None:
    identifier = SubElement(parent, f"{{{LOM_NS}}}identifier")
    SubElement(identifier, f"{{{LOM_NS}}}catalog").text = "URI"
    SubElement(identifier, f"{{{LOM_NS}}}entry").text = url


def vcard(name: str) -> str:
    """A minimal vCard 3.0 for a name, as LOM's `entity` holds (commas and semicolons escaped)."""
    escaped = name.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return f"BEGIN:VCARD\nVERSION:3.0\nN:{escaped};;;;\nFN:{escaped}\nEND:VCARD"


def _contribute(parent: _Element, role: str, names: list[str], date: str) -> None:
    if not names:
        return
    contribute = SubElement(parent, f"{{{LOM_NS}}}contribute")
    _vocabulary(contribute, "role", role)
    for name in names:
        SubElement(contribute, f"{{{LOM_NS}}}entity").text = vcard(name)
    when = SubElement(contribute, f"{{{LOM_NS}}}date")
    SubElement(when, f"{{{LOM_NS}}}dateTime").text = date


def lom_element(record: Record) -> _Element:
    """`record` as a LOM element (for OAI-PMH and Common Cartridge manifests alike)."""
    lom = Element(f"{{{LOM_NS}}}lom", nsmap={None: LOM_NS, "xsi": XSI_NS})
    lom.set(f"{{{XSI_NS}}}schemaLocation", f"{LOM_NS} {LOM_SCHEMA}")
    language = record.language or "x-none"
    general = SubElement(lom, f"{{{LOM_NS}}}general")
    _identifier(general, record.url)
    _lang_string(general, "title", record.title, language)
    if record.language:
        SubElement(general, f"{{{LOM_NS}}}language").text = record.language
    if record.description:
        _lang_string(general, "description", record.description, language)
    for subject in record.subjects:
        _lang_string(general, "keyword", subject, language)

    life = SubElement(lom, f"{{{LOM_NS}}}lifeCycle")
    _lang_string(life, "version", str(record.number), "x-none")
    _vocabulary(life, "status", "revised" if record.deleted else "final")
    date = record.created.date().isoformat()
    _contribute(life, "author", list(record.authors), date)
    _contribute(life, "publisher", [record.institution], date)
    _contribute(life, "editor", list(record.contributors), date)

    technical = SubElement(lom, f"{{{LOM_NS}}}technical")
    SubElement(technical, f"{{{LOM_NS}}}format").text = "text/html"
    SubElement(technical, f"{{{LOM_NS}}}size").text = str(record.size)
    SubElement(technical, f"{{{LOM_NS}}}location").text = record.url

    educational = SubElement(lom, f"{{{LOM_NS}}}educational")
    _vocabulary(educational, "interactivityType", "active")
    _vocabulary(educational, "learningResourceType", RESOURCE_TYPE[record.kind])
    _vocabulary(educational, "context", CONTEXT.get(record.level.strip().lower(), "other"))
    if record.level:
        _lang_string(educational, "description", f"Level: {record.level}", "en")
    if record.language:
        SubElement(educational, f"{{{LOM_NS}}}language").text = record.language

    rights = SubElement(lom, f"{{{LOM_NS}}}rights")
    _vocabulary(rights, "cost", "no")
    _vocabulary(rights, "copyrightAndOtherRestrictions", "yes")
    _lang_string(rights, "description", f"{record.licence_name} {record.licence_url}", "en")

    for relation in record.relations:
        element = SubElement(lom, f"{{{LOM_NS}}}relation")
        _vocabulary(element, "kind", LOM_RELATION_KIND[relation.kind])
        resource = SubElement(element, f"{{{LOM_NS}}}resource")
        _identifier(resource, relation.url)
        _lang_string(resource, "description", f"DataCite:{relation.kind}", "x-none")
    return lom


def write_lom(element: _Element, record: Record) -> None:
    """Append `record` as oai_lom to `element` (the OAI-PMH `metadata` element)."""
    element.append(lom_element(record))
