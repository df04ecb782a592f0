"""schema.org / LRMI JSON-LD for resource and version pages, as search engines and OER portals read it.

One `LearningResource` node per page: licence as a URL, every source as `isBasedOn`, works in a
collection as `hasPart`, the version number, and the attribution text as `creditText`.
"""

from __future__ import annotations

import json
from typing import Any

from repository.exchange.records import HAS_PART, IS_DERIVED_FROM, Record

LEARNING_RESOURCE_TYPE = {
    "tool": "interactive tool",
    "scenario": "simulation",
    "notebook": "notebook",
    "collection": "collection",
}


def _person(name: str) -> dict[str, str]:
    return {"@type": "Person", "name": name}


def learning_resource(record: Record, *, page_url: str, credit: str) -> dict[str, Any]:
    """The JSON-LD node of the page at `page_url` (a version's page or its resource's)."""
    node: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "LearningResource",
        "@id": page_url,
        "url": page_url,
        "name": record.title,
        "learningResourceType": LEARNING_RESOURCE_TYPE[record.kind],
        "interactivityType": "active",
        "license": record.licence_url,
        "author": [_person(a) for a in record.authors],
        "publisher": {
            "@type": "Organization",
            "name": record.institution,
            "url": record.institution_url,
        },
        "version": str(record.number),
        "dateCreated": record.created.isoformat(),
        "isAccessibleForFree": True,
        "creditText": credit,
    }
    if record.description:
        node["description"] = record.description
    if record.level:
        node["educationalLevel"] = record.level
    if record.subjects:
        node["about"] = [{"@type": "Thing", "name": s} for s in record.subjects]
        node["keywords"] = list(record.subjects)
    if record.language:
        node["inLanguage"] = record.language
    if record.contributors:
        node["contributor"] = [_person(c) for c in record.contributors]
    if page_url != record.url:
        node["workExample"] = {"@id": record.url, "url": record.url, "version": str(record.number)}
    sources = record.related(IS_DERIVED_FROM)
    if sources:
        node["isBasedOn"] = [
            {"@type": "CreativeWork", "@id": r.url, "url": r.url, "name": r.title} for r in sources
        ]
    parts = record.related(HAS_PART)
    if parts:
        node["hasPart"] = [
            {"@type": "LearningResource", "@id": r.url, "url": r.url, "name": r.title}
            for r in parts
        ]
    return node


def script_tag(node: dict[str, Any]) -> str:
    """`node` in a `<script type="application/ld+json">`, safe to place in HTML.

    `<`, `>` and `&` are escaped as JSON escapes (as Django's json_script does), so no text in
    the data can close the script element.
    """
    text = json.dumps(node, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003C").replace(">", "\\u003E").replace("&", "\\u0026")
    return f'<script type="application/ld+json">{text}</script>'
