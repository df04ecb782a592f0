"""SCORM 1.2 and 2004 packages: read imsmanifest.xml into a Remixbank manifest, check its files.

A SCORM package is an IMS content package: `imsmanifest.xml` at its root names organisations
(trees of items), resources (each with the files it is made of) and metadata (often IEEE LOM).
An item points at a resource; a resource marked `adlcp:scormtype="sco"` (1.2) or
`adlcp:scormType="sco"` (2004) is a SCO, a page that talks to the LMS through `window.API`
(1.2) or `window.API_1484_11` (2004). The first SCO of the default organisation is what an LMS
launches first, and what the validation runs (repository/validation/players.py).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlsplit

from lxml import etree

import licensing
import licensing.parts
from repository.errors import PackageRefused

IMSMANIFEST = "imsmanifest.xml"
XML_MAX_BYTES = 4 << 20
SCORM_12, SCORM_2004 = "scorm-1.2", "scorm-2004"
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_VCARD_NAME = re.compile(r"^FN:(.+)$", re.MULTILINE)
_VCARD_ESCAPE = re.compile(r"\\([\\,;nN])")


def vcard_text(value: str) -> str:
    """A vCard 3.0 value with its escapes undone (a name "Lovelace\\, Ada" is "Lovelace, Ada")."""
    return _VCARD_ESCAPE.sub(lambda m: " " if m.group(1) in "nN" else m.group(1), value)


Read = Callable[[str], bytes]


def _local(element: Any) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: Any, name: str) -> list[Any]:
    return [child for child in element if _local(child) == name]


def _child(element: Any, name: str) -> Any:
    found = _children(element, name)
    return found[0] if found else None


def _attribute(element: Any, name: str) -> str:
    """An attribute by its local name, whatever its namespace (adlcp:scormType, scormtype)."""
    for key, value in element.attrib.items():
        if key.rsplit("}", 1)[-1].lower() == name.lower():
            return str(value)
    return ""


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def _lom_string(element: Any) -> str:
    """A LOM langstring (<title><string>…</string></title>, or 1.2's <langstring>)."""
    if element is None:
        return ""
    for child in element.iter():
        if _local(child) in {"string", "langstring"} and _text(child):
            return _text(child)
    return _text(element)


def parse(data: bytes, name: str = IMSMANIFEST) -> Any:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise PackageRefused(f"{name} is not well-formed XML: {exc}.") from None


def scorm_version(root: Any) -> str | None:
    """ "scorm-1.2", "scorm-2004", or None for a content package that is not SCORM (a cartridge)."""
    metadata = _child(root, "metadata")
    schema = _text(_child(metadata, "schema")) if metadata is not None else ""
    version = _text(_child(metadata, "schemaversion")) if metadata is not None else ""
    if "common cartridge" in schema.lower():
        return None  # a cartridge's schemaversion (1.3.0) is not SCORM 2004's 1.3
    if "scorm" in schema.lower() or version:
        if version.strip() == "1.2":
            return SCORM_12
        if "2004" in version or "1.3" in version:
            return SCORM_2004
    namespaces = " ".join(str(uri) for uri in root.nsmap.values())
    if "adlcp_rootv1p2" in namespaces:
        return SCORM_12
    if "adlcp_v1p3" in namespaces:
        return SCORM_2004
    return None


def _base_of(resource: Any) -> str:
    """The folder a resource's hrefs are relative to: the xml:base of the <manifest>, the
    <resources> and the <resource>, each relative to the one around it."""
    base = ""
    for element in [*reversed(list(resource.iterancestors())), resource]:
        base = posixpath.join(base, element.get(_XML_BASE, ""))
    return base


def _href_path(href: str, base: str) -> str:
    """The package path a manifest href names (relative to xml:base), without query or anchor."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return ""
    return posixpath.normpath(posixpath.join(base, unquote(parts.path))).lstrip("/")


def scorm_manifest(paths: set[str], read: Read) -> dict[str, Any] | None:
    """A Remixbank manifest made from imsmanifest.xml, or None when it is not a SCORM package.

    `license`, `title` and `authors` are what its LOM metadata says (None or empty when it says
    nothing): remixbank.json beside it may say them. Refuses a manifest that names files the
    package lacks, or has no SCO.
    """
    root = parse(read(IMSMANIFEST))
    if _local(root) != "manifest":
        raise PackageRefused(f"{IMSMANIFEST} has no <manifest> root element.")
    version = scorm_version(root)
    if version is None:
        return None
    resources_element = _child(root, "resources")
    resources: dict[str, Any] = {}
    missing: dict[str, str] = {}
    listed_resources = [] if resources_element is None else _children(resources_element, "resource")
    for resource in listed_resources:
        identifier = resource.get("identifier", "")
        base = _base_of(resource)
        resources[identifier] = resource
        hrefs = [resource.get("href", "")] + [
            f.get("href", "") for f in _children(resource, "file")
        ]
        for href in filter(None, hrefs):
            path = _href_path(href, base)
            if path and path not in paths:
                missing.setdefault(path, identifier)
    if missing:
        listed = "; ".join(f"{p} (resource {r})" for p, r in sorted(missing.items())[:20])
        more = f" and {len(missing) - 20} more" if len(missing) > 20 else ""
        raise PackageRefused(
            f"{IMSMANIFEST} names {len(missing)} file(s) the package does not have: {listed}"
            f"{more}. Add them, or correct the manifest's href attributes; nothing was stored."
        )
    organisations = _organisations(root, resources)
    scos = [item for org in organisations for item in org["items"] if item.get("sco")]
    if not scos:
        raise PackageRefused(
            f"{IMSMANIFEST} has no SCO: no item of its organisations points at a resource with "
            'adlcp:scormType="sco" (scormtype in SCORM 1.2) and an href. Mark the page that '
            "talks to the LMS as a SCO."
        )
    first = scos[0]
    metadata = lom_metadata(root)
    title = metadata["title"] or (organisations[0]["title"] if organisations else "")
    return {
        "kind": "tool",
        "title": title[:200],
        "license": metadata["license"],
        "authors": [{"name": name[:200]} for name in metadata["authors"]],
        "entry_point": first["href"],
        **({"description": metadata["description"][:5000]} if metadata["description"] else {}),
        "package": {
            "format": version,
            "launch": first["href"],
            "sco": first["identifier"],
            "organisations": organisations[:20],
            "scos": len(scos),
        },
    }


def _organisations(root: Any, resources: dict[str, Any]) -> list[dict[str, Any]]:
    """The organisations, the default first, each with its items flattened in launch order."""
    element = _child(root, "organizations")
    if element is None:
        return []
    found = _children(element, "organization")
    default = element.get("default", "")
    found.sort(key=lambda org: org.get("identifier") != default)
    organisations = []
    for org in found:
        items: list[dict[str, Any]] = []
        for item in org.iter():
            if _local(item) != "item" or len(items) >= 200:
                continue
            entry: dict[str, Any] = {
                "identifier": item.get("identifier", ""),
                "title": _text(_child(item, "title"))[:200],
            }
            resource = resources.get(item.get("identifierref", ""))
            if resource is not None and resource.get("href"):
                entry["href"] = _href_path(resource.get("href", ""), _base_of(resource))
                entry["sco"] = _attribute(resource, "scormtype").lower() == "sco"
            items.append(entry)
        organisations.append(
            {
                "identifier": org.get("identifier", ""),
                "title": _text(_child(org, "title"))[:200],
                "items": items,
            }
        )
    return organisations


def lom_metadata(root: Any) -> dict[str, Any]:
    """Title, description, authors and licence from the manifest's LOM, where it has them."""
    found: dict[str, Any] = {"title": "", "description": "", "authors": [], "license": None}
    lom = next((e for e in root.iter() if _local(e) == "lom"), None)
    if lom is None:
        return found
    general = _child(lom, "general")
    if general is not None:
        found["title"] = _lom_string(_child(general, "title"))
        found["description"] = _lom_string(_child(general, "description"))
    for entity in (e for e in lom.iter() if _local(e) in {"entity", "centity"}):
        text = "".join(entity.itertext())
        names = (vcard_text(name).strip() for name in _VCARD_NAME.findall(text))
        found["authors"] += [name for name in names if name]
    rights = _child(lom, "rights")
    if rights is not None:
        text = _lom_string(_child(rights, "description"))
        named = sorted(n for n in licensing.parts.licences_named_in(text) if licensing.is_known(n))
        if len(named) > 1:
            raise PackageRefused(
                f"The rights of {IMSMANIFEST} name several licences ({', '.join(named)}); "
                "name the one licence of the package, or state it in remixbank.json."
            )
        found["license"] = named[0] if named else None
    found["authors"] = list(dict.fromkeys(found["authors"]))
    return found
