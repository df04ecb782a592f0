"""The LICENSE file of an adaptation that carries a new licence, and which old notices must stay.

Why the original's licence file is kept beside the new one: the adapter's licence covers only
the adapter's contributions, and "the original CC license always applies to the material you
are adapting even once adapted ... Recipients of the adaptation must comply with both" (CC FAQ,
"If I derive or adapt material offered under a Creative Commons license, which CC license(s)
can I use?"). The licences themselves ask for it: CC 4.0 §3(a)(1)(A)(iii) retain "a notice that
refers to this Public License"; MIT "The above copyright notice and this permission notice shall
be included in all copies or substantial portions of the Software"; BSD keeps "the above
copyright notice, this list of conditions and the following disclaimer"; Apache-2.0 §4(a)-(c)
gives "a copy of this License" and retains every notice; the GPL family conveys "a copy of this
License". Public-domain tools (CC0, the Public Domain Mark, the Unlicense) and 0BSD ask for no
notice, so theirs is dropped rather than left to contradict the new licence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from licensing import expressions, texts
from licensing.attribution import Component
from licensing.catalogue import License, get_license

# The names a licence file goes by at the root of a package (lower case), as the licence step
# reads them.
LICENCE_FILE_NAMES = frozenset(
    {"license", "license.txt", "license.md", "licence", "licence.txt", "licence.md", "copying"}
)
NEW_LICENCE_FILE = "LICENSE.txt"


@dataclass(frozen=True)
class Source:
    """The work an adaptation was made from, as its LICENSE file names it."""

    title: str
    authors: Sequence[str]
    license_id: str
    url: str | None = None


def _licences(value: str) -> list[License]:
    if not expressions.needs_parsing(value):
        return [get_license(value)]
    return [get_license(i) for i in expressions.license_ids(value)]


def keeps_notice(license_id: str) -> bool:
    """True when material under `license_id` must travel with its licence notice."""
    return any(lic.attribution or lic.share_alike for lic in _licences(license_id))


def kept_name(license_id: str, original: str) -> str:
    """Where the original's licence file is kept in the adaptation: REUSE's LICENSES/ folder.

    REUSE names licence texts after their SPDX id (reuse.software, "LICENSES/ directory"); an
    expression has no single id, so the file keeps its own name there.
    """
    if not expressions.needs_parsing(license_id):
        return f"LICENSES/{get_license(license_id).id}.txt"
    return f"LICENSES/ORIGINAL-{original}"


def licence_file(
    *,
    title: str,
    license_id: str,
    source: Source,
    kept: Sequence[str] = (),
    components: Sequence[Component] = (),
    by_part: Mapping[str, str] | None = None,
) -> str:
    """The text of the adaptation's new LICENSE file, with the full text of every new licence.

    It names only the new licences by their address and SPDX id (the licence step matches them
    against the manifest); the source's licence is named in words and its file by path
    (`kept`). `by_part` gives the licence of the adapters' contributions to each part ("code",
    "content") when they differ from `license_id`. The full texts follow, since the GPL family
    and Apache-2.0 ask for "a copy of this License" rather than a link (`licensing.texts`).
    """
    by_part = dict(by_part or {})
    lines = [
        f"SPDX-License-Identifier: {expressions.normalise(license_id)}",
        "",
        f'"{title}" is licensed under {_expression(license_id)} as a whole.',
    ]
    if by_part:
        parts = "; ".join(f"{part}: {_expression(lic)}" for part, lic in by_part.items())
        lines.append(
            f"The adapters' own contributions are licensed by part ({parts}): changes to code "
            "go with the code, and changes to content with the content."
        )
    lines.append("")
    licences = list(
        dict.fromkeys(
            [*_licences(license_id), *(x for v in by_part.values() for x in _licences(v))]
        )
    )
    for lic in licences:
        included = texts.full_text(lic.id) is not None
        lines += [
            f"{lic.name} ({lic.short_name})",
            f"  {lic.plain_words}",
            f"  Summary: {lic.deed_url}",
            f"  Full text: {'below, and at ' if included else ''}{lic.legal_code_url}",
            "",
        ]
    original = _expression(source.license_id)
    by = f" by {', '.join(source.authors)}" if source.authors else ""
    where = f" ({source.url})" if source.url else ""
    lines.append(
        f'It is an adaptation of "{source.title}"{where}{by}, which is licensed under '
        f"{original}. The new licence covers the adapters' own contributions; the material "
        f"taken from the original stays under {original} too, so whoever reuses this work "
        "follows both."
    )
    if kept:
        lines.append(f"The original's licence file is kept as {' and '.join(kept)}.")
    if components:
        listed = "; ".join(
            f"{c.name}{' ' + c.version if c.version else ''} ({_expression(c.license)}"
            f"{', in ' + c.path if c.path else ''})"
            for c in components
        )
        lines += [
            "",
            f"Third-party components keep their own licences and notices: {listed}.",
        ]
    lines += ["", "Who made what: see ATTRIBUTION.txt, which comes with every download.", ""]
    for lic in licences:
        text = texts.full_text(lic.id)
        if text is not None:
            rule = "=" * 72
            lines += [rule, f"The full text of {lic.name} ({lic.id})", rule, "", text]
    return "\n".join(lines)


def _expression(value: str) -> str:
    if not expressions.needs_parsing(value):
        return get_license(value).short_name
    return expressions.normalise(value)
