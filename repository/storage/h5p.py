"""H5P packages (.h5p): read h5p.json into a Remixbank manifest and check the libraries are there.

An .h5p file is a zip with `h5p.json` at its root (title, licence, authors, the main library and
its preloaded dependencies), the content in `content/content.json` (and its media beside it), and
one folder per library, `<machineName>-<major>.<minor>/` with a `library.json` naming the scripts
and styles it loads and the libraries it needs in turn (the H5P specification,
h5p.org/documentation/developers/h5p-specification). Nothing here runs the content: the vendored
player does, on the version's origin (repository/validation/players.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from repository.errors import PackageRefused
from repository.guards import safejson

H5P_JSON = "h5p.json"
CONTENT_JSON = "content/content.json"
JSON_MAX_BYTES = 4 << 20  # content.json of a long quiz or an interactive video

# H5P's licence codes (h5p.json `license`, and `copyright.license` of media in content.json), as
# SPDX ids; CC licences take `licenseVersion` (H5P's default is 4.0).
_CC_CODES = {
    "CC BY": "CC-BY",
    "CC BY-SA": "CC-BY-SA",
    "CC BY-ND": "CC-BY-ND",
    "CC BY-NC": "CC-BY-NC",
    "CC BY-NC-SA": "CC-BY-NC-SA",
    "CC BY-NC-ND": "CC-BY-NC-ND",
}
_FIXED_CODES = {"CC0 1.0": "CC0-1.0", "CC PDM": "CC-PDM-1.0", "ODC PDDL": "PDDL-1.0"}
_GPL_VERSIONS = {"v1": "GPL-1.0-only", "v2": "GPL-2.0-only", "v3": "GPL-3.0-only"}
UNDISCLOSED = "U"

Read = Callable[[str], bytes]


def _version_text(version: Any, where: str) -> str:
    """A licence version as H5P writes it ("4.0"); hand-made files may give a number (4, 3.0)."""
    if version is None or version == "":
        return ""
    if isinstance(version, str):
        return version.strip()
    if isinstance(version, int | float) and not isinstance(version, bool):
        return f"{float(version):.1f}"
    raise PackageRefused(
        f'{where} gives licenseVersion as {version!r}; write it as text, e.g. "4.0".'
    )


def _listed(document: dict[str, Any], key: str, where: str) -> list[Any]:
    """`document[key]` when it is a list (or absent), refusing it by name otherwise."""
    found = document.get(key)
    if found is None:
        return []
    if not isinstance(found, list):
        raise PackageRefused(
            f"{where}: {key} must be a list, not {type(found).__name__}; export the .h5p again "
            "from an H5P editor."
        )
    return found


def spdx_of(code: str, version: Any, where: str) -> str | None:
    """The SPDX id of an H5P licence code, None for "U" (undisclosed); refuses the others."""
    code = code.strip()
    version = _version_text(version, where)
    if code in {"", UNDISCLOSED}:
        return None
    if code in _CC_CODES:
        return f"{_CC_CODES[code]}-{version or '4.0'}"
    if code in _FIXED_CODES:
        return _FIXED_CODES[code]
    if code == "GNU GPL":
        if version not in _GPL_VERSIONS:
            raise PackageRefused(
                f"{where} says GNU GPL without a version Remixbank can name (v1, v2 or v3); set "
                "licenseVersion in H5P's metadata."
            )
        return _GPL_VERSIONS[version]
    if code == "C":
        raise PackageRefused(
            f"{where} says Copyright (all rights reserved). Remixbank shares openly licensed "
            "work only: choose a Creative Commons licence in H5P's metadata (Reuse and "
            "licence) and export the .h5p again, or leave this work out."
        )
    if code == "PD":
        raise PackageRefused(
            f"{where} says Public Domain without saying how. Choose CC0 1.0 (you give your "
            "rights away) or the Public Domain Mark (no rights are left) in H5P's metadata."
        )
    raise PackageRefused(
        f"{where} names the licence {code!r}, which is not one of H5P's licence codes "
        "(CC BY, CC BY-SA, CC BY-ND, CC BY-NC, CC BY-NC-SA, CC BY-NC-ND, CC0 1.0, CC PDM, GNU "
        "GPL, ODC PDDL); choose one in H5P's metadata."
    )


def read_json(read: Read, path: str) -> Any:
    try:
        return safejson.loads(read(path).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageRefused(f"{path} is not valid JSON: {exc}.") from None


def library_folder(dependency: Any, where: str) -> str:
    """`H5P.MultiChoice-1.16` for {"machineName": "H5P.MultiChoice", "majorVersion": 1, ...}."""
    if not isinstance(dependency, dict):
        raise PackageRefused(f"{where} lists a dependency that is not an object: {dependency!r}.")
    name = dependency.get("machineName")
    major, minor = dependency.get("majorVersion"), dependency.get("minorVersion")
    if not isinstance(name, str) or not name or "/" in name or ".." in name:
        raise PackageRefused(f"{where} lists a dependency without a valid machineName.")
    if not all(isinstance(v, int | str) and str(v).isdigit() for v in (major, minor)):
        raise PackageRefused(f"{where}: {name} has no majorVersion and minorVersion numbers.")
    return f"{name}-{int(str(major))}.{int(str(minor))}"


def dependencies_of(document: dict[str, Any], where: str) -> list[str]:
    return [library_folder(d, where) for d in _listed(document, "preloadedDependencies", where)]


def check_libraries(h5p: dict[str, Any], paths: set[str], read: Read) -> list[dict[str, str]]:
    """Every library the content needs, transitively, present with the files it loads.

    Returns [{"library": "H5P.Foo-1.2", "title": ...}] in load order; refuses naming every
    missing library (and who needs it) or file.
    """
    needed = dependencies_of(h5p, H5P_JSON)
    main = h5p.get("mainLibrary")
    if not isinstance(main, str) or not any(f.rsplit("-", 1)[0] == main for f in needed):
        raise PackageRefused(
            f"{H5P_JSON} names mainLibrary {main!r}, which is not among its "
            "preloadedDependencies; export the .h5p again from an H5P editor."
        )
    missing: dict[str, list[str]] = {}
    broken: list[str] = []
    libraries: list[dict[str, str]] = []
    queue = [(folder, H5P_JSON) for folder in needed]
    seen: set[str] = set()
    while queue:
        folder, needed_by = queue.pop(0)
        if folder in missing:
            missing[folder].append(needed_by)
        if folder in seen:
            continue
        seen.add(folder)
        descriptor = f"{folder}/library.json"
        if descriptor not in paths:
            missing.setdefault(folder, []).append(needed_by)
            continue
        library = read_json(read, descriptor)
        if not isinstance(library, dict):
            raise PackageRefused(f"{descriptor} is not a JSON object.")
        for kind in ("preloadedJs", "preloadedCss"):
            for item in _listed(library, kind, descriptor):
                file = item.get("path") if isinstance(item, dict) else None
                if not isinstance(file, str) or f"{folder}/{file}" not in paths:
                    broken.append(
                        f"{descriptor} loads {file!r} ({kind}), which is not in {folder}/"
                    )
        libraries.append({"library": folder, "title": str(library.get("title", folder))[:200]})
        queue += [(dep, descriptor) for dep in dependencies_of(library, descriptor)]
    if missing:
        listed = "; ".join(
            f"{lib} (needed by {', '.join(by)})" for lib, by in sorted(missing.items())
        )
        raise PackageRefused(
            f"The H5P package lacks {len(missing)} of the libraries its content needs: {listed}. "
            "Export it again with its libraries included (in the H5P editor's Reuse/Download, "
            "or from a site that has them installed); nothing was stored."
        )
    if broken:
        raise PackageRefused(
            "The H5P package's libraries are incomplete: " + "; ".join(broken) + "."
        )
    return libraries


def media_licences(content: Any, *, default_author: str = "") -> list[dict[str, Any]]:
    """Licences by file of the media content.json credits (`path` beside `copyright`), as
    manifest `files` rules, so the licensing check weighs them against the whole's licence."""
    rules: list[dict[str, Any]] = []

    def walk(node: Any, depth: int) -> None:
        if depth > 40 or len(rules) >= 400:
            return
        if isinstance(node, dict):
            path, credit = node.get("path"), node.get("copyright")
            if isinstance(path, str) and isinstance(credit, dict) and "://" not in path:
                where = f"{CONTENT_JSON} (the credit of {path})"
                licence = spdx_of(str(credit.get("license", "")), credit.get("version"), where)
                if licence:
                    rule: dict[str, Any] = {
                        "path": f"content/{path.lstrip('/')}",
                        "license": licence,
                    }
                    author = str(credit.get("author") or default_author).strip()
                    if author:
                        rule["copyright"] = author[:500]
                    rules.append(rule)
            for value in node.values():
                walk(value, depth + 1)
        elif isinstance(node, list):
            for value in node:
                walk(value, depth + 1)

    walk(content, 0)
    return rules


def changelog_of(changes: Iterable[Any]) -> str:
    lines = []
    for change in changes:
        if isinstance(change, dict) and change.get("log"):
            who = f" ({change['author']})" if change.get("author") else ""
            when = f"{change['date']}: " if change.get("date") else ""
            lines.append(f"{when}{change['log']}{who}")
    return "\n".join(lines)[:5000]


def h5p_manifest(paths: set[str], read: Read) -> dict[str, Any]:
    """A Remixbank manifest made from h5p.json (not yet checked against the schema).

    `license` is None when h5p.json leaves it undisclosed: remixbank.json must then say it.
    """
    h5p = read_json(read, H5P_JSON)
    if not isinstance(h5p, dict):
        raise PackageRefused(f"{H5P_JSON} is not a JSON object.")
    if CONTENT_JSON not in paths:
        raise PackageRefused(
            f"The H5P package has no {CONTENT_JSON}; export the .h5p again from an H5P editor."
        )
    libraries = check_libraries(h5p, paths, read)
    licence = spdx_of(str(h5p.get("license", "")), h5p.get("licenseVersion"), H5P_JSON)
    authors = [
        {"name": str(a["name"])[:200]}
        for a in _listed(h5p, "authors", H5P_JSON)
        if isinstance(a, dict) and str(a.get("name", "")).strip()
    ]
    media = media_licences(read_json(read, CONTENT_JSON))
    manifest: dict[str, Any] = {
        "kind": "tool",
        "title": str(h5p.get("title", "")).strip()[:200],
        "license": licence,
        "authors": authors,
        "entry_point": H5P_JSON,
        "package": {
            "format": "h5p",
            "main_library": str(h5p["mainLibrary"]),
            "libraries": libraries,
            **({"source": str(h5p["source"])[:500]} if h5p.get("source") else {}),
        },
    }
    if isinstance(h5p.get("language"), str) and h5p["language"] not in {"", "und"}:
        manifest["language"] = h5p["language"][:20]
    if changelog := changelog_of(_listed(h5p, "changes", H5P_JSON)):
        manifest["changelog"] = changelog
    if media:
        manifest["files"] = media
    return manifest
