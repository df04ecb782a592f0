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

Adaptations name the people who adapted them ("adapted by … at …") and everyone whose
contributions were merged, and say that changes were made with a link to them (4.0
§3(a)(1)(B)). Third-party components are listed with their own licence and copyright, since
their licences (MIT, Apache-2.0, ...) ask that their notices travel with every copy. A
collection is credited work by work: CC FAQ, collections: choosing a licence for a collection
"does not change the license applicable to the original material", so no licence is stated for
the whole, only for the collector's own selection and arrangement.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from licensing import expressions
from licensing.catalogue import License, get_license

_WHITESPACE = re.compile(r"[\s\x00-\x1f\x7f]+")
_NAMESPACES = 'xmlns:cc="http://creativecommons.org/ns#" xmlns:dct="http://purl.org/dc/terms/"'


@dataclass(frozen=True)
class Component:
    """A third-party part shipped inside a work (a library, a font, a sound) under its own terms.

    `license` is an SPDX id or expression; `copyright` is retained verbatim (MIT: "The above
    copyright notice and this permission notice shall be included in all copies"; Apache-2.0
    §4(c) keeps "all copyright, patent, trademark, and attribution notices").
    """

    name: str
    license: str
    version: str | None = None
    url: str | None = None
    copyright: str | None = None
    path: str | None = None

    def __post_init__(self) -> None:
        expressions.license_ids(self.license)  # fail at construction, not when crediting

    @property
    def licenses(self) -> list[License]:
        return _licences(self.license)


@dataclass(frozen=True)
class Work:
    """A work to credit: TASL facts, what changed, and the works it was made from.

    `url` is the work's own page (TASL "Source", cc:attributionURL); `source_url` is where this
    copy was obtained when that differs (e.g. an upstream mirror) and is linked instead of `url`
    as the Source; `author_url` links the author's name; `copyright_notice` is retained verbatim;
    `modified` describes the changes this work made to its `sources` (None for an original work).
    `license_id` may be an SPDX expression ("MIT OR Apache-2.0"). `institution` is where the
    authors made it ("adapted by … at …"); `contributors` are people whose contributions were
    merged into it; `changes_url` shows what changed against the sources; `components` are the
    third-party parts it ships; `collected` makes it a collection of those works, each keeping
    its own licence (`license_id` then covers only the selection and arrangement).
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
    institution: str | None = None
    contributors: Sequence[str] = field(default=())
    changes_url: str | None = None
    components: Sequence[Component] = field(default=())
    collected: Sequence[Work] = field(default=())

    def __post_init__(self) -> None:
        # Tuples keep a frozen Work hashable, so shared ancestors can be credited once.
        for name in ("authors", "sources", "contributors", "components", "collected"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        _licences(self.license_id)  # fail at construction, not when crediting

    @property
    def license(self) -> License:
        """The licence, or the first one an expression names (its catalogue facts)."""
        return _licences(self.license_id)[0]

    @property
    def licenses(self) -> list[License]:
        return _licences(self.license_id)

    @property
    def link(self) -> str | None:
        """The Source link: where to find the work, if it is a safe web address."""
        return _safe_url(self.source_url) or _safe_url(self.url)


def _licences(value: str) -> list[License]:
    """The licences an id or SPDX expression names, in the order written."""
    if not expressions.needs_parsing(value):
        return [get_license(value)]
    return [get_license(i) for i in expressions.license_ids(value)]


def _expression(value: str) -> str:
    """How a licence value is written for people: its short name, or the expression."""
    if not expressions.needs_parsing(value):
        return get_license(value).short_name
    return expressions.normalise(value)


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


def _everything(work: Work) -> list[Work]:
    """The chain of the work and, for a collection, of every work it collects."""
    found: dict[Work, None] = dict.fromkeys(_chain(work))
    for item in work.collected:
        found.update(dict.fromkeys(_chain(item)))
    return list(found)


def _changes(work: Work) -> str:
    """The modification notice 4.0 §3(a)(1)(B) and 3.0 §3(b) require of an adaptation."""
    described = _clean(work.modified or "").rstrip(".")
    link = _safe_url(work.changes_url)
    see = f" (see the changes: {link})" if link else ""
    if described:
        return f"Changes: {described}{see}."
    many = len(work.sources) > 1
    noun = "The original works have" if many else "The original work has"
    return f"{noun} been modified{see}."


# --- plain text -------------------------------------------------------------------------------


def _people(work: Work) -> str:
    """ "A and B at Inst, with contributions by C" (empty when nobody is named)."""
    names = _join(work.authors)
    place = _clean(work.institution or "")
    if names and place:
        names += f" at {place}"
    elif place:
        names = place
    merged = [c for c in work.contributors if c not in work.authors]
    if merged:
        names += (", with " if names else "") + f"contributions by {_join(merged)}"
    return names


def _notice(work: Work) -> str:
    notice = _clean(work.copyright_notice or "")
    return f" ({notice})" if notice else ""


def _by(work: Work) -> str:
    """' by A at I' for an original, ', adapted by A at I,' for an adaptation (before a verb)."""
    people = _people(work)
    if work.sources and people:
        return f", adapted by {people}{_notice(work)},"
    return (f" by {people}" if people else "") + _notice(work)


def _verb(licenses: list[License], verb: str) -> str:
    if all(lic.public_domain for lic in licenses):
        return "marked with the" if all(lic.family == "pdm" for lic in licenses) else "marked"
    return verb


def _licence_text(value: str, verb: str) -> str:
    licenses = _licences(value)
    links = "; ".join(dict.fromkeys(lic.deed_url for lic in licenses))
    return f"{_verb(licenses, verb)} {_expression(value)} ({links})"


def _credit_text(work: Work, verb: str) -> str:
    link = f" ({work.link})" if work.link else ""
    by = _by(work)
    by = by[:-1] if by.endswith(",") else by  # ", adapted by A," then ", used under"
    return f"{_title(work)}{link}{by}, {_licence_text(work.license_id, verb)}"


def _derivation_text(work: Work, top: bool) -> str:
    parents = _list([_credit_text(p, "used under") for p in work.sources])
    if top:
        link = f" ({work.link})" if work.link else ""
        return f"This work, {_title(work)}{link}, is a derivative of {parents}. {_changes(work)}"
    return f"{_title(work)} is itself a derivative of {parents}. {_changes(work)}"


def _component_text(component: Component) -> str:
    name = _clean(component.name) + (f" {_clean(component.version)}" if component.version else "")
    link = _safe_url(component.url)
    where = f" ({link})" if link else ""
    path = f", in {_clean(component.path)}" if component.path else ""
    notice = f", {_clean(component.copyright)}" if component.copyright else ""
    licence = _licence_text(component.license, "under")
    return f"{name}{where}{path}{notice}, {licence}"


def _components_text(work: Work) -> str:
    if not work.components:
        return ""
    listed = _list([_component_text(c) for c in work.components])
    return f"{_title(work)} includes third-party components that keep their own licences: {listed}."


def _collection_text(work: Work) -> list[str]:
    """A collection credits each work with its own licence; the whole gets no licence label."""
    link = f" ({work.link})" if work.link else ""
    people = _people(work)
    by = f", arranged by {people}{_notice(work)}," if people else ""
    items = _list([_credit_text(item, "licensed under") for item in work.collected])
    arrangement = _licence_text(work.license_id, "licensed under")
    lines = [
        f"{_title(work)}{link} is a collection{by} of {len(work.collected)} works, each under "
        f"its own licence: {items}. The collection adds no licence to these works; only the "
        f"collector's own selection and arrangement is {arrangement}."
    ]
    for item in work.collected:
        lines += [_derivation_text(w, top=False) for w in _chain(item) if w.sources]
        if item.components:
            lines.append(_components_text(item))
    return lines


def attribution_text(work: Work) -> str:
    """Credit `work` and its whole derivation chain in plain text, one sentence group per line."""
    if work.collected:
        lines = _collection_text(work)
    elif not work.sources:
        link = f" ({work.link})" if work.link else ""
        licence = _licence_text(work.license_id, "licensed under")
        lines = [f"{_title(work)}{link}{_by(work)} is {licence}."]
    else:
        licence = _licence_text(work.license_id, "licensed under")
        own = f"{_title(work)}{_by(work)} is {licence}."
        lines = [_derivation_text(work, top=True) + " " + own]
        lines += [_derivation_text(w, top=False) for w in _chain(work)[1:] if w.sources]
    if work.components:
        lines.append(_components_text(work))
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


def _html_people(work: Work, rdfa: bool) -> str:
    """The authors (as cc:attributionName when `rdfa`), their institution and contributors."""
    names = _join(work.authors)
    prop = ' property="cc:attributionName"' if rdfa else ""
    author_url = _safe_url(work.author_url)
    if names and author_url:
        rel = ' rel="dct:creator"' if rdfa else ""
        out = f'<a href="{_e(author_url)}"{rel}{prop}>{_e(names)}</a>'
    elif names:
        out = f"<span{prop}>{_e(names)}</span>" if rdfa else _e(names)
    else:
        out = ""
    place = _clean(work.institution or "")
    if place:
        where = f'<span property="dct:publisher">{_e(place)}</span>' if rdfa else _e(place)
        out += f" at {where}" if out else where
    merged = [c for c in work.contributors if c not in work.authors]
    if merged:
        listed = _e(_join(merged))
        if rdfa:
            listed = "".join(
                f'<span property="dct:contributor">{_e(c)}</span>'
                + (", " if i < len(merged) - 2 else " and " if i == len(merged) - 2 else "")
                for i, c in enumerate(merged)
            )
        out += (", with " if out else "") + f"contributions by {listed}"
    return out


def _html_by(work: Work, rdfa: bool) -> str:
    people = _html_people(work, rdfa)
    tail = _e(_notice(work)) if work.copyright_notice else ""
    if not people:
        return f" {tail}" if tail else ""
    if work.sources:
        return f", adapted by {people}{' ' + tail if tail else ''},"
    return f" by {people}{' ' + tail if tail else ''}"


def _html_licence(value: str, verb: str, rdfa: bool) -> str:
    licenses = _licences(value)
    rel = ' rel="license"' if rdfa else ""
    if len(licenses) == 1:
        lic = licenses[0]
        return f'{_verb(licenses, verb)} <a href="{_e(lic.deed_url)}"{rel}>{_e(lic.short_name)}</a>'
    links = ", ".join(
        f'<a href="{_e(lic.deed_url)}"{rel}>{_e(lic.short_name)}</a>' for lic in licenses
    )
    return f"{_verb(licenses, verb)} {_e(_expression(value))} ({links})"


def _html_parent(parent: Work, rdfa: bool, rel_name: str = "dct:source") -> str:
    # rel="dct:source" is the lineage edge (CC chooser's "based on a work at" markup); the
    # parent's own licence link carries no rel, since rel="license" would claim it for the child.
    link = _safe_url(parent.url) or parent.link
    title = _e(_title(parent))
    if link:
        rel = f' rel="{rel_name}"' if rdfa else ""
        title = f'<a href="{_e(link)}"{rel}>{title}</a>'
    by = _html_by(parent, False)
    by = by[:-1] if by.endswith(",") else by
    return f"{title}{by}, {_html_licence(parent.license_id, 'used under', False)}"


def _html_derivation(work: Work, top: bool) -> str:
    # An ancestor's paragraph is about the ancestor only when it has a URL to be the subject.
    about = _safe_url(work.url)
    rdfa = top or about is not None
    parents = _list([_html_parent(p, rdfa) for p in work.sources])
    changes = _e(_changes(work))
    link = _safe_url(work.changes_url)
    if link:
        changes = changes.replace(_e(link), f'<a href="{_e(link)}">{_e(link)}</a>')
    if top:
        return f"This work, {_html_title(work, True)}, is a derivative of {parents}. {changes}"
    subject = f' about="{_e(about)}"' if about else ""
    return f"<p{subject}>{_e(_title(work))} is itself a derivative of {parents}. {changes}</p>"


def _html_component(component: Component) -> str:
    """One component as its own RDFa subject, so its licence is claimed for it alone."""
    link = _safe_url(component.url)
    name = _e(component.name) + (f" {_e(component.version)}" if component.version else "")
    subject = f' about="{_e(link)}"' if link else ' typeof="dct:Software"'
    # The title is a literal inside the link: property= on an <a href> would take the address.
    title = f'<span property="dct:title">{name}</span>'
    if link:
        title = f'<a href="{_e(link)}">{title}</a>'

    path = f", in <code>{_e(component.path)}</code>" if component.path else ""
    notice = (
        f', <span property="dct:rights">{_e(component.copyright)}</span>'
        if component.copyright
        else ""
    )
    licence = _html_licence(component.license, "under", True)
    return f"<li{subject}>{title}{path}{notice}, {licence}</li>"


def _html_components(work: Work) -> str:
    if not work.components:
        return ""
    items = "".join(_html_component(c) for c in work.components)
    return (
        f"<p>{_e(_title(work))} includes third-party components that keep their own "
        f"licences:</p><ul>{items}</ul>"
    )


def _html_collected(item: Work) -> str:
    """A collected work as its own RDFa subject: its own title, authors and licence."""
    about = _safe_url(item.url)
    subject = f' about="{_e(about)}"' if about else ""
    by = _html_by(item, about is not None)
    by = by[:-1] if by.endswith(",") else by
    licence = _html_licence(item.license_id, "licensed under", about is not None)
    title = _html_title(item, about is not None)
    return f"<li{subject}>{title}{by}, {licence}</li>"


def _html_collection(work: Work) -> str:
    people = _html_people(work, True)
    by = f", arranged by {people}{_e(_notice(work))}," if people else ""
    items = "".join(_html_collected(item) for item in work.collected)
    arrangement = _html_licence(work.license_id, "licensed under", True)
    rest = [
        _html_derivation(w, top=False) for item in work.collected for w in _chain(item) if w.sources
    ]
    rest += [_html_components(item) for item in work.collected]
    return (
        f"<p>{_html_title(work, True)} is a collection{by} of {len(work.collected)} works, each "
        f"under its own licence:</p><ul>{items}</ul><p>The collection adds no licence to these "
        f"works; only the collector's own selection and arrangement is {arrangement}.</p>"
        + "".join(rest)
    )


def attribution_html(work: Work) -> str:
    """Credit `work` as HTML with ccREL RDFa; every piece of user text is escaped."""
    about = _safe_url(work.url)
    subject = f' about="{_e(about)}"' if about else ""
    if work.collected:
        return f"<div {_NAMESPACES}{subject}>{_html_collection(work)}{_html_components(work)}</div>"
    licence = _html_licence(work.license_id, "licensed under", True)
    if work.sources:
        own = f"{_e(_title(work))}{_html_by(work, True)} is {licence}."
        first = f"{_html_derivation(work, top=True)} {own}"
    else:
        first = f"{_html_title(work, True)}{_html_by(work, True)} is {licence}."
    rest = [_html_derivation(w, top=False) for w in _chain(work)[1:] if w.sources]
    return (
        f"<div {_NAMESPACES}{subject}><p>{first}</p>{''.join(rest)}{_html_components(work)}</div>"
    )


# --- schema.org JSON-LD -----------------------------------------------------------------------


def _jsonld_people(work: Work) -> list[dict[str, Any]]:
    place = _clean(work.institution or "")
    people = []
    for name in (n for n in (_clean(a) for a in work.authors) if n):
        person: dict[str, Any] = {"@type": "Person", "name": name}
        if place:
            person["affiliation"] = {"@type": "Organization", "name": place}
        people.append(person)
    return people


def _jsonld_licence(value: str) -> str | list[str]:
    urls = list(dict.fromkeys(lic.deed_url for lic in _licences(value)))
    return urls[0] if len(urls) == 1 else urls


def _jsonld_component(component: Component) -> dict[str, Any]:
    node: dict[str, Any] = {"@type": "CreativeWork", "name": _clean(component.name)}
    if component.version:
        node["version"] = _clean(component.version)
    link = _safe_url(component.url)
    if link:
        node["url"] = link
    node["license"] = _jsonld_licence(component.license)
    if component.copyright:
        node["copyrightNotice"] = _clean(component.copyright)
    return node


def _jsonld_node(work: Work, seen: set[Work]) -> dict[str, Any]:
    url = _safe_url(work.url)
    if work in seen and url:
        return {"@id": url}  # a shared ancestor already described: refer to it
    seen.add(work)
    node: dict[str, Any] = {"@type": "CreativeWork", "name": _clean(work.title)}
    if work.collected:
        node["@type"] = "Collection"
    if url:
        node["@id"] = url
        node["url"] = url
    node["author"] = _jsonld_people(work)
    merged = [c for c in work.contributors if c not in work.authors]
    if merged:
        node["contributor"] = [{"@type": "Person", "name": _clean(c)} for c in merged]
    node["license"] = _jsonld_licence(work.license_id)
    if work.copyright_notice:
        node["copyrightNotice"] = _clean(work.copyright_notice)
    if work.sources:
        node["isBasedOn"] = [_jsonld_node(p, seen) for p in work.sources]
    parts = [_jsonld_node(item, seen) for item in work.collected]
    parts += [_jsonld_component(c) for c in work.components]
    if parts:
        node["hasPart"] = parts
    return node


def attribution_jsonld(work: Work) -> dict[str, Any]:
    """Describe `work` as schema.org JSON-LD: license, isBasedOn, hasPart and creditText.

    A collection is a schema.org Collection whose `hasPart` lists each work with its own
    licence; components are `hasPart` entries too, each with its own licence.
    """
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
    chain = _everything(work)
    licences = list(
        dict.fromkeys(
            [lic for w in chain for lic in w.licenses]
            + [lic for w in chain for c in w.components for lic in c.licenses]
        )
    )
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
    if work.collected:
        notes.insert(
            0,
            "Each work in this collection keeps its own licence; the collection's licence covers "
            "only the selection and arrangement (CC FAQ, collections).",
        )
    if any(w.components for w in chain):
        notes.insert(
            0,
            "Third-party components keep their own licences; keep their licence and copyright "
            "files with them.",
        )
    return (
        f"ATTRIBUTION\n\n{attribution_text(work)}\n\nLicences\n\n"
        + "\n\n".join(_licence_section(lic) for lic in licences)
        + "\n\nNotes\n\n"
        + "\n".join(f"- {note}" for note in notes)
        + "\n"
    )
