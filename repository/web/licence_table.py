"""The licence table of a version page: which licence each part of the package is under."""

import re
from typing import Any

import licensing
import licensing.parts
from repository.models import Version

# The page lists at most this many rows (a package of 5,000 files with their own headers would
# otherwise list 5,000); the API and the download's files carry every file.
MOST_ROWS = 200
VIA_WORDS = {
    licensing.parts.PACKAGE_LICENCE: "the package's licence",
    "third_party": "third-party component",
    "header": "the file's SPDX header",
    "sidecar": "its .license file",
    "REUSE.toml": "REUSE.toml",
    ".reuse/dep5": ".reuse/dep5",
}


def licence_words(expression: str) -> list[dict[str, str]]:
    """Each licence and operator of an expression, as {name, url, words} / {operator}."""
    pieces: list[dict[str, str]] = []
    for token in re.findall(r"[^\s()]+", expression):
        if token in ("AND", "OR", "WITH"):
            pieces.append({"operator": {"AND": "and", "OR": "or", "WITH": "with"}[token]})
            continue
        try:
            lic = licensing.get_license(token)
        except licensing.UnknownLicence:
            pieces.append({"name": token, "url": "", "words": ""})
            continue
        pieces.append({"name": lic.short_name, "url": lic.deed_url, "words": lic.plain_words})
    return pieces


def licence_table(version: Version) -> dict[str, Any] | None:
    """Summary, rows and components of the version's licensing; None when all is one licence."""
    parts = version.licence_parts
    if parts.is_uniform:
        return None
    rows = [
        {
            "pattern": row.pattern or "all other files",
            "is_rest": not row.pattern,
            "licence": licence_words(row.license),
            "single": len(licence_words(row.license)) == 1,
            "copyright": row.copyright,
            "component": row.component,
            "via": VIA_WORDS.get(row.via, f"remixbank.json {row.via}"),
            "files": row.files,
        }
        for row in parts.table()
    ]
    return {
        "summary": parts.summary(),
        "rows": rows[:MOST_ROWS],
        "more_rows": max(len(rows) - MOST_ROWS, 0),
        "components": [
            {**c.to_json(), "licence": licence_words(c.license)} for c in parts.components
        ],
    }


PART_WORDS = {"code": "the code", "content": "the content (text, images, sound)"}


def part_licence_rows(version: Version) -> list[dict[str, Any]]:
    """The licences the manifest gives each part (`part_licences`, e.g. a fork's per-part choice)."""
    chosen = version.manifest.get("part_licences") or {}
    return [
        {"part": PART_WORDS.get(part, part), "licence": licence_words(expression)}
        for part, expression in sorted(chosen.items())
    ]
