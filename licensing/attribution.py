"""Attribution for a work and its whole derivation chain: plain text, ccREL RDFa, JSON-LD, file.

What the licences require (notes §6.1): 4.0 §3(a)(1) asks to retain the creator's name, copyright
notice, licence notice and a link to the material, and to "indicate if You modified the Licensed
Material and retain an indication of any previous modifications". 3.0 and earlier (BY 3.0 §4(b))
also require "the title of the Work if supplied" and, for an adaptation, "a credit identifying the
use of the Work in the Adaptation (e.g., 'French translation of the Work by Original Author')".
CC's recommended practice (CC wiki "Recommended practices for attribution",
https://wiki.creativecommons.org/wiki/Recommended_practices_for_attribution): "we recommend that
the attribution include the Title, Author, Source, and License" (TASL), e.g. for a derivative:
'This work, "90fied", is a derivative of "Creative Commons 10th Birthday Celebration San
Francisco" by tvol, used under CC BY. "90fied" is licensed under CC BY by [Your name here].'
Every recipient of an adaptation is a licensee of every upstream work, so the credit walks the
whole chain, naming each ancestor once (notes §6.3). Public-domain works are "marked", not
"licensed" (CC chooser wording).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from licensing.catalogue import License, get_license

_WHITESPACE = re.compile(r"[\s\x00-\x1f\x7f]+")
_NAMESPACES = 'xmlns:cc="http://creativecommons.org/ns#" xmlns:dct="http://purl.org/dc/terms/"'


@dataclass(frozen=True)
class Work:
    """A work to credit: TASL facts, what changed, and the works it was made from.

    `url` is the work's own page (TASL "Source", cc:attributionURL); `source_url` is where this
    copy was obtained when that differs (e.g. an upstream mirror) and is linked instead of `url`
    as the Source; `author_url` links the author's name; `copyright_notice` is retained verbatim;
    `modified` describes the changes this work made to its `sources` (None for an original work).
    """

    title: str
    authors: Sequence[str]
    license_id: str
    url: str | None = None
    source_url: str | None = None
    author_url: str | None = None
    copyright_notice: str | None = None
    modified: str | None = None
    sources: Sequence[Work] = field(default=())

    def __post_init__(self) -> None:
        # Tuples keep a frozen Work hashable, so shared ancestors can be credited once.
        object.__setattr__(self, "authors", tuple(self.authors))
        object.__setattr__(self, "sources", tuple(self.sources))
        get_license(self.license_id)  # fail at construction, not when crediting

    @property
    def license(self) -> License:
        return get_license(self.license_id)

    @property
    def link(self) -> str | None:
        """The Source link: where to find the work, if it is a safe web address."""
        return _safe_url(self.source_url) or _safe_url(self.url)


def _clean(text: str) -> str:
    """One line of user text: control characters and line breaks become single spaces."""
    return _WHITESPACE.sub(" ", text).strip()


def _safe_url(url: str | None) -> str | None:
    """Only http(s) links are emitted, so a `javascript:` URL can never reach an href."""
    if not url:
        return None
    url = url.strip()
    if _WHITESPACE.search(url) or not url.lower().startswith(("https://", "http://")):
        return None
    return url


def _join(names: Sequence[str]) -> str:
    names = [n for n in (_clean(n) for n in names) if n]
    if len(names) < 2:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _list(items: list[str]) -> str:
    """Join credits with semicolons, since each credit may itself contain commas."""
    return items[0] if len(items) == 1 else "; ".join(items[:-1]) + "; and " + items[-1]


def _title(work: Work) -> str:
    title = _clean(work.title)
    return f'"{title}"' if title else "an untitled work"


def _chain(work: Work) -> list[Work]:
    """The work and every ancestor once each, breadth-first from the work."""
    seen: dict[Work, None] = {work: None}
    queue = [work]
    while queue:
        for parent in queue.pop(0).sources:
            if parent not in seen:
                seen[parent] = None
                queue.append(parent)
    return list(seen)


def _changes(work: Work) -> str:
    """The modification notice 4.0 §3(a)(1)(B) and 3.0 §3(b) require of an adaptation."""
    described = _clean(work.modified or "").rstrip(".")
    if described:
        return f"Changes: {described}."
    many = len(work.sources) > 1
    return (
        "The original works have been modified." if many else "The original work has been modified."
    )


# --- plain text -------------------------------------------------------------------------------


def _by(work: Work) -> str:
    names = _join(work.authors)
    notice = _clean(work.copyright_notice or "")
    return (f" by {names}" if names else "") + (f" ({notice})" if notice else "")


def _licence_text(lic: License, verb: str) -> str:
    if lic.public_domain:
        verb = "marked with the" if lic.family == "pdm" else "marked"
    return f"{verb} {lic.short_name} ({lic.deed_url})"


def _credit_text(work: Work, verb: str) -> str:
    link = f" ({work.link})" if work.link else ""
    return f"{_title(work)}{link}{_by(work)}, {_licence_text(work.license, verb)}"


def _derivation_text(work: Work, top: bool) -> str:
    parents = _list([_credit_text(p, "used under") for p in work.sources])
    if top:
        link = f" ({work.link})" if work.link else ""
        return f"This work, {_title(work)}{link}, is a derivative of {parents}. {_changes(work)}"
    return f"{_title(work)} is itself a derivative of {parents}. {_changes(work)}"


def attribution_text(work: Work) -> str:
    """Credit `work` and its whole derivation chain in plain text, one sentence group per line."""
    licence = _licence_text(work.license, "licensed under")
    if not work.sources:
        link = f" ({work.link})" if work.link else ""
        return f"{_title(work)}{link}{_by(work)} is {licence}."
    own = f"{_title(work)}{_by(work)} is {licence}."
    lines = [_derivation_text(work, top=True) + " " + own]
    lines += [_derivation_text(w, top=False) for w in _chain(work)[1:] if w.sources]
    return "\n".join(lines)


# --- HTML with ccREL RDFa ---------------------------------------------------------------------


def _e(text: str) -> str:
    return html.escape(_clean(text), quote=True)


def _html_title(work: Work, rdfa: bool) -> str:
    text = _e(_title(work))
    if not work.link:
        return f'<span property="dct:title">{text}</span>' if rdfa else text
    attrs = ' property="dct:title" rel="cc:attributionURL"' if rdfa else ""
    return f'<a href="{_e(work.link)}"{attrs}>{text}</a>'


def _html_by(work: Work, rdfa: bool) -> str:
    names = _join(work.authors)
    notice = _clean(work.copyright_notice or "")
    tail = f" ({_e(notice)})" if notice else ""
    if not names:
        return tail
    prop = ' property="cc:attributionName"' if rdfa else ""
    author_url = _safe_url(work.author_url)
    if author_url:
        rel = ' rel="dct:creator"' if rdfa else ""
        return f' by <a href="{_e(author_url)}"{rel}{prop}>{_e(names)}</a>{tail}'
    return f" by <span{prop}>{_e(names)}</span>{tail}" if rdfa else f" by {_e(names)}{tail}"


def _html_licence(lic: License, verb: str, rdfa: bool) -> str:
    if lic.public_domain:
        verb = "marked with the" if lic.family == "pdm" else "marked"
    rel = ' rel="license"' if rdfa else ""
    return f'{verb} <a href="{_e(lic.deed_url)}"{rel}>{_e(lic.short_name)}</a>'


def _html_parent(parent: Work, rdfa: bool) -> str:
    # rel="dct:source" is the lineage edge (CC chooser's "based on a work at" markup); the
    # parent's own licence link carries no rel, since rel="license" would claim it for the child.
    link = _safe_url(parent.url) or parent.link
    title = _e(_title(parent))
    if link:
        rel = ' rel="dct:source"' if rdfa else ""
        title = f'<a href="{_e(link)}"{rel}>{title}</a>'
    return f"{title}{_html_by(parent, False)}, {_html_licence(parent.license, 'used under', False)}"


def _html_derivation(work: Work, top: bool) -> str:
    # An ancestor's paragraph is about the ancestor only when it has a URL to be the subject.
    about = _safe_url(work.url)
    rdfa = top or about is not None
    parents = _list([_html_parent(p, rdfa) for p in work.sources])
    changes = _e(_changes(work))
    if top:
        return f"This work, {_html_title(work, True)}, is a derivative of {parents}. {changes}"
    subject = f' about="{_e(about)}"' if about else ""
    return f"<p{subject}>{_e(_title(work))} is itself a derivative of {parents}. {changes}</p>"


def attribution_html(work: Work) -> str:
    """Credit `work` as HTML with ccREL RDFa; every piece of user text is escaped."""
    about = _safe_url(work.url)
    subject = f' about="{_e(about)}"' if about else ""
    licence = _html_licence(work.license, "licensed under", True)
    if work.sources:
        own = f"{_e(_title(work))}{_html_by(work, True)} is {licence}."
        first = f"{_html_derivation(work, top=True)} {own}"
    else:
        first = f"{_html_title(work, True)}{_html_by(work, True)} is {licence}."
    rest = [_html_derivation(w, top=False) for w in _chain(work)[1:] if w.sources]
    return f"<div {_NAMESPACES}{subject}><p>{first}</p>{''.join(rest)}</div>"


# --- schema.org JSON-LD -----------------------------------------------------------------------


def _jsonld_node(work: Work, seen: set[Work]) -> dict[str, Any]:
    url = _safe_url(work.url)
    if work in seen and url:
        return {"@id": url}  # a shared ancestor already described: refer to it
    seen.add(work)
    node: dict[str, Any] = {"@type": "CreativeWork", "name": _clean(work.title)}
    if url:
        node["@id"] = url
        node["url"] = url
    node["author"] = [{"@type": "Person", "name": _clean(a)} for a in work.authors if _clean(a)]
    node["license"] = work.license.deed_url
    if work.copyright_notice:
        node["copyrightNotice"] = _clean(work.copyright_notice)
    if work.sources:
        node["isBasedOn"] = [_jsonld_node(p, seen) for p in work.sources]
    return node


def attribution_jsonld(work: Work) -> dict[str, Any]:
    """Describe `work` as schema.org JSON-LD: license, isBasedOn (recursively) and creditText."""
    node = _jsonld_node(work, set())
    return {"@context": "https://schema.org", **node, "creditText": attribution_text(work)}


# --- the ATTRIBUTION file ---------------------------------------------------------------------


def _licence_section(lic: License) -> str:
    return (
        f"{lic.short_name}: {lic.name}\n"
        f"  {lic.plain_words}\n"
        f"  Summary: {lic.deed_url}\n"
        f"  Legal code: {lic.legal_code_url}"
    )


def attribution_file(work: Work) -> str:
    """Return the text of the ATTRIBUTION file that goes into every download of `work`."""
    chain = _chain(work)
    licences = list(dict.fromkeys(w.license for w in chain))
    notes = [
        "Keep this file with the work when you share it, or credit the works above in another "
        "reasonable way (CC licences 4.0 §3(a)(2)).",
        "The licences come with no warranty; see each licence's legal code (4.0 §5).",
    ]
    if work.sources:
        notes.insert(
            0,
            "The licence of this work covers its authors' own contributions; material from the "
            "works it is based on stays under their licences, and you must follow both (CC FAQ).",
        )
    return (
        f"ATTRIBUTION\n\n{attribution_text(work)}\n\nLicences\n\n"
        + "\n\n".join(_licence_section(lic) for lic in licences)
        + "\n\nNotes\n\n"
        + "\n".join(f"- {note}" for note in notes)
        + "\n"
    )
