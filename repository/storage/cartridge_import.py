"""IMS Common Cartridge 1.1-1.3 deposits: a cartridge's web content and LOM become a tool.

A cartridge is an IMS content package like SCORM (repository/storage/scorm.py reads the shared
structure), told apart by its namespaces (imsccv1p1, imsccv1p2, imsccv1p3) or its metadata
schema "IMS Common Cartridge". Its `webcontent` resources are the tool's files, stored relative
to the folder they share (a Remixbank export keeps each work under works/<work>/), and the
first organisation item pointing at one of their HTML pages is the entry point. LTI links
(`imsbasiclti_xmlv1p0`) are recorded in the manifest, never launched; other resources (web
links, discussions, assessments) are not part of the tool.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Any

from repository.errors import PackageRefused
from repository.storage import scorm
from repository.storage.scorm import IMSMANIFEST, Read

COMMON_CARTRIDGE = "common-cartridge"
WEB_CONTENT = "webcontent"
LTI_LINK = "imsbasiclti_xmlv1p0"
_CC_NAMESPACE = re.compile(r"/imsccv1p([123])/")
# A Remixbank export titles the cartridge "<title> v<number>"; the deposit numbers itself.
_EXPORT_IDENTIFIER = re.compile(r"^remixbank-v\d+$")
_EXPORT_TITLE = re.compile(r"^(.+) v\d+$")


@dataclass(frozen=True)
class Cartridge:
    """What a cartridge deposits: its manifest, and each kept file's package path → tool path."""

    manifest: dict[str, Any]
    tool_paths: dict[str, str]


def cartridge_version(root: Any) -> str | None:
    """ "1.1", "1.2" or "1.3" for a Common Cartridge manifest, else None."""
    for uri in [*root.nsmap.values(), root.tag]:
        if match := _CC_NAMESPACE.search(str(uri)):
            return f"1.{match.group(1)}"
    metadata = scorm._child(root, "metadata")
    if (
        metadata is not None
        and "common cartridge" in scorm._text(scorm._child(metadata, "schema")).lower()
    ):
        version = scorm._text(scorm._child(metadata, "schemaversion"))
        return ".".join(version.split(".")[:2]) or "1.3"
    return None


def _resource_paths(resource: Any) -> list[str]:
    base = scorm._base_of(resource)
    hrefs = [resource.get("href", "")] + [
        f.get("href", "") for f in scorm._children(resource, "file")
    ]
    paths = (scorm._href_path(href, base) for href in hrefs if href)
    return list(dict.fromkeys(p for p in paths if p))


def read_cartridge(paths: set[str], read: Read) -> Cartridge | None:
    """The tool a cartridge makes, or None when imsmanifest.xml is not a Common Cartridge's.

    Refuses a cartridge whose manifest names files it lacks, that has no web content (external
    links only), or whose organisation points at no HTML page of its web content.
    """
    root = scorm.parse(read(IMSMANIFEST))
    if scorm._local(root) != "manifest" or (version := cartridge_version(root)) is None:
        return None
    resources_element = scorm._child(root, "resources")
    listed = [] if resources_element is None else scorm._children(resources_element, "resource")
    resources = {r.get("identifier", ""): r for r in listed}
    missing = {
        path: identifier
        for identifier, resource in resources.items()
        for path in _resource_paths(resource)
        if path not in paths
    }
    if missing:
        named = "; ".join(f"{p} (resource {r})" for p, r in sorted(missing.items())[:20])
        more = f" and {len(missing) - 20} more" if len(missing) > 20 else ""
        raise PackageRefused(
            f"{IMSMANIFEST} names {len(missing)} file(s) the cartridge does not have: {named}"
            f"{more}. Export the cartridge again with its files, or correct the manifest's href "
            "attributes; nothing was stored."
        )
    web = [r for r in listed if r.get("type", "").lower() == WEB_CONTENT]
    web_files = list(dict.fromkeys(p for r in web for p in _resource_paths(r)))
    if not web_files:
        kinds = sorted({r.get("type", "?") for r in listed}) or ["none"]
        raise PackageRefused(
            f"The cartridge has no web content to deposit: {IMSMANIFEST} lists no webcontent "
            f"resource with files in the package (its resources are: {', '.join(kinds)}), so "
            "it only points at addresses elsewhere. Export the course with its HTML pages and "
            "files included, or deposit those as a zip; nothing was stored."
        )
    folder = _shared_folder(web_files)
    entry = _entry_point(root, resources)
    if entry is None or entry not in web_files:
        raise PackageRefused(
            f"No item of the first organisation in {IMSMANIFEST} points at an HTML page of "
            "the cartridge's web content, so there is no page to open first. Point the first "
            "item at a webcontent resource whose href is an .html file; nothing was stored."
        )
    metadata = scorm.lom_metadata(root)
    title = metadata["title"] or _first_item_title(root)
    if _EXPORT_IDENTIFIER.match(root.get("identifier", "")) and (
        exported := _EXPORT_TITLE.match(title)
    ):
        title = exported.group(1)
    lti_links = [_lti_link(r, read) for r in listed if r.get("type", "").lower() == LTI_LINK]
    manifest = {
        "kind": "tool",
        "title": title[:200],
        "license": metadata["license"],
        "authors": [{"name": name[:200]} for name in metadata["authors"]],
        "entry_point": _relative(entry, folder),
        **({"description": metadata["description"][:5000]} if metadata["description"] else {}),
        "package": {
            "format": COMMON_CARTRIDGE,
            "version": version,
            "web_files": len(web_files),
            "lti_links": lti_links[:50],
        },
    }
    return Cartridge(manifest, {path: _relative(path, folder) for path in web_files})


def _shared_folder(files: list[str]) -> str:
    """The folder every web content file is in (works/<work>/ for an export), or ""."""
    folders = [posixpath.dirname(p).split("/") for p in files]
    shared: list[str] = []
    for parts in zip(*folders, strict=False):
        if len(set(parts)) != 1:
            break
        shared.append(parts[0])
    return "/".join(p for p in shared if p)


def _relative(path: str, folder: str) -> str:
    return path[len(folder) + 1 :] if folder else path


def _entry_point(root: Any, resources: dict[str, Any]) -> str | None:
    """The HTML page of the first item of the first organisation that points at web content."""
    organisations = scorm._child(root, "organizations")
    first = None if organisations is None else scorm._child(organisations, "organization")
    if first is None:
        return None
    for item in first.iter():
        if scorm._local(item) != "item":
            continue
        resource = resources.get(item.get("identifierref", ""))
        if resource is None or resource.get("type", "").lower() != WEB_CONTENT:
            continue
        href = scorm._href_path(resource.get("href", ""), scorm._base_of(resource))
        if href.lower().endswith((".html", ".htm")):
            return href
    return None


def _first_item_title(root: Any) -> str:
    for element in root.iter():
        if scorm._local(element) in {"organization", "item"}:
            title = scorm._text(scorm._child(element, "title"))
            if title:
                return title
    return ""


def _lti_link(resource: Any, read: Read) -> dict[str, str]:
    """An LTI link's title and launch address, from its cartridge_basiclti_link descriptor."""
    link: dict[str, str] = {"identifier": resource.get("identifier", "")[:200]}
    [descriptor, *_] = _resource_paths(resource) or [""]
    if not descriptor:
        return link
    element = scorm.parse(read(descriptor), descriptor)
    for child in element:
        name = scorm._local(child)
        if name in {"title", "description"}:
            link[name] = scorm._text(child)[:500]
        elif name in {"launch_url", "secure_launch_url"} and "launch_url" not in link:
            link["launch_url"] = scorm._text(child)[:2000]
    return link
