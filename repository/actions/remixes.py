"""Remixes (one new work from files of several sources) and collections (works side by side)."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse

import licensing
from repository.access import can_view, require_adaptable, require_member
from repository.actions.versions import TreeEntry, create_resource, create_version, tree_of
from repository.credit.attribution import work_of
from repository.errors import DomainError, LicenceRefused, PermissionRefused
from repository.models import (
    CollectionItem,
    Derivation,
    Institution,
    RemixPick,
    Resource,
    Version,
)
from repository.storage import blobs
from repository.storage.downloads import attribution_name
from repository.storage.packages import MANIFEST_NAME
from repository.trees.merges import checked_path

ATTRIBUTION_PATH = "ATTRIBUTION.txt"
NOTICES_PATH = "NOTICES.txt"


class RemixRefused(DomainError):
    code = "remix_refused"


@dataclass(frozen=True)
class Pick:
    """Take `path` of `source` (a file, a folder ending in "/", or "" for everything) to `to`.

    A file lands at `to`, or inside it when `to` ends in "/" or is "" (the root); a folder's
    files land under `to` with their paths relative to the folder.
    """

    source: Version
    path: str = ""
    to: str = ""


def place(pick_path: str, target: str, tree: Mapping[str, object]) -> dict[str, str]:
    """Map the source paths a pick selects to their paths in the new tree (source → new)."""
    if pick_path == "" or pick_path.endswith("/"):
        prefix = target if target == "" or target.endswith("/") else target + "/"
        return {p: prefix + p[len(pick_path) :] for p in tree if p.startswith(pick_path)}
    if pick_path not in tree:
        return {}
    if target == "" or target.endswith("/"):
        return {pick_path: target + pick_path.rsplit("/", 1)[-1]}
    return {pick_path: target}


def normalise_pick(pick: Pick) -> tuple[str, str]:
    path = "" if pick.path.strip() in {"", "/"} else checked_path(pick.path)
    if pick.path.strip().endswith("/") and path:
        path += "/"
    to = "" if pick.to.strip() in {"", "/"} else checked_path(pick.to)
    if pick.to.strip().endswith("/") and to:
        to += "/"
    return path, to


def assemble(
    picks: Sequence[Pick], files: Mapping[str, bytes], reserved: set[str]
) -> tuple[dict[str, TreeEntry], list[tuple[Version, str, str]]]:
    """Build the new tree from picks, then `files` (new files, or edits of picked ones).

    Raises RemixRefused for a pick that selects nothing or two picks landing on one path.
    """
    tree: dict[str, TreeEntry] = {}
    origin: dict[str, str] = {}
    normalised = []
    trees: dict[int, dict[str, TreeEntry]] = {}
    for pick in picks:
        path, to = normalise_pick(pick)
        source_tree = trees.setdefault(pick.source.pk, {e.path: e for e in tree_of(pick.source)})
        placed = place(path, to, source_tree)
        label = f"{pick.source.resource.title} v{pick.source.number}:{path or '/'}"
        if not placed:
            raise RemixRefused(
                f"{label} selects no file; pick an existing file, or a folder ending in '/'."
            )
        for old, new in placed.items():
            if new in reserved:
                raise RemixRefused(
                    f"{label} would place a file at {new}, which the remix writes itself; "
                    "place it under another path."
                )
            if new in tree:
                raise RemixRefused(
                    f"Path collision at {new}: both {origin[new]} and {label} put a file there. "
                    "Place one of them under another folder."
                )
            entry = source_tree[old]
            tree[new] = TreeEntry(new, entry.sha256, entry.size)
            origin[new] = label
        normalised.append((pick.source, path, to))
    limit = settings.PACKAGE_MAX_FILE_BYTES
    for raw, content in files.items():
        path = checked_path(raw)
        if path in reserved:
            raise RemixRefused(f"{path} is written by the remix itself; choose another name.")
        if len(content) > limit:
            raise RemixRefused(f"{path} is {len(content)} bytes; the limit per file is {limit}.")
        sha, _ = blobs.put_bytes(content)
        tree[path] = TreeEntry(path, sha, len(content))
    return tree, normalised


MAX_FILE_RULES = 400  # the manifest schema allows 500 `files` entries


def carried_licensing(
    placed: Sequence[tuple[Version, str, str]], licence: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The `files` rules and `third_party` entries that keep each picked file's licence.

    The sources' files stay under their own licences in the remix (only their rights holders
    could change them) and their components under their own terms, so the remix's manifest
    says so for the paths they land at: the licence step then checks the remix as it really
    is, and its licence table shows the parts. Files under the remix's own licence need no rule.
    """
    rules: dict[str, str] = {}
    components: dict[tuple[int, str], dict[str, Any]] = {}
    for source, path, to in placed:
        parts = source.licence_parts
        by_path = {part.path: part for part in parts.files}
        for old, new in place(path, to, dict.fromkeys(by_path)).items():
            part = by_path[old]
            if part.component:
                component = next(c for c in parts.components if c.name == part.component)
                entry = components.setdefault((source.pk, component.name), component.to_json())
                entry.setdefault("placed", []).append(new)
            elif part.license != licence:
                rules[new] = part.license
        for component in parts.components:
            carried = components.get((source.pk, component.name))
            if carried is None:
                continue
            notices = [f for f in (component.license_file, component.notice_file) if f]
            moved = place(path, to, dict.fromkeys(notices))
            carried["license_file"] = moved.get(component.license_file, "")
            carried["notice_file"] = moved.get(component.notice_file, "")
    files = [{"path": p, "license": lic} for p, lic in rules.items()][:MAX_FILE_RULES]
    return files, [_component_entry(entry) for entry in components.values()]


def _component_entry(entry: dict[str, Any]) -> dict[str, Any]:
    """A third_party entry for the manifest schema: its placed files as paths (a folder if one)."""
    placed = entry.pop("placed")
    folder = placed[0].rsplit("/", 1)[0] if "/" in placed[0] else ""
    inside = folder and all(p.startswith(folder + "/") for p in placed)
    entry["paths"] = [folder + "/**"] if inside else placed[:50]
    return {key: value for key, value in entry.items() if value not in ("", [], None)}


def source_names(sources: Sequence[Version]) -> list[str]:
    return [f"{s.resource.title} v{s.number} ({s.resource.institution.name})" for s in sources]


def distinct_sources(picks: Sequence[Pick]) -> list[Version]:
    return list({p.source.pk: p.source for p in picks}.values())


def check_sources(sources: Sequence[Version], by: User) -> None:
    if not sources:
        raise RemixRefused("Pick files from at least one source version.")
    for source in sources:
        if not can_view(by, source):
            raise PermissionRefused(
                f"You cannot see {source.resource.title} v{source.number}, so you cannot remix it."
            )
        require_adaptable(source)


def version_url(institution: Institution, resource: Resource, number: int) -> str:
    return settings.SITE_URL + reverse("version", args=[institution.slug, resource.slug, number])


def remix_attribution(
    *,
    title: str,
    authors: list[str],
    licence: str,
    url: str,
    sources: Sequence[Version],
    picks,
    institution: str | None = None,
) -> str:
    """The ATTRIBUTION.txt of a remix: credit for every source chain, and which files came whence.

    `url` is the remix's version page; its changes page (the diff against each source) is
    linked from the modification notice.
    """
    work = licensing.Work(
        title=title,
        authors=authors,
        institution=institution,
        license_id=licence,
        url=url,
        modified="Remixed from files of the works named above",
        changes_url=url + "changes/",
        sources=[work_of(s) for s in sources],
    )
    placed = "\n".join(
        f"- {path or 'all files'} of {s.resource.title} v{s.number} → {to or '(root)'}"
        for s, path, to in picks
    )
    return f"{licensing.attribution_file(work)}\nWhere the files came from\n\n{placed}\n"


@transaction.atomic
def remix_versions(
    *,
    picks: Sequence[Pick],
    into: Institution,
    by: User,
    title: str,
    entry_point: str,
    files: Mapping[str, bytes] | None = None,
    licence: str | None = None,
    kind: str | None = None,
    description: str = "",
) -> Version:
    """Make a new resource in `into` from files of several source versions, copying no bytes.

    The licence is decided over all sources (`licence`, or the recommended one); an
    ATTRIBUTION.txt crediting every source chain goes into the tree, and a Derivation(remix)
    edge to each source. Raises LicenceRefused naming the sources that cannot be combined,
    RemixRefused for path collisions, empty picks or a missing entry point, PermissionRefused.
    """
    sources = distinct_sources(picks)
    check_sources(sources, by)
    require_member(by, into, "remix into it")
    names = source_names(sources)
    try:
        chosen = licensing.require_adaptation_license(
            [s.licence for s in sources], licence, names=names
        )
    except licensing.LicenceConflict as exc:
        raise LicenceRefused(str(exc)) from None
    except licensing.UnknownLicence as exc:
        raise LicenceRefused(str(exc)) from None
    tree, placed = assemble(picks, files or {}, {ATTRIBUTION_PATH, MANIFEST_NAME})
    entry_point = checked_path(entry_point)
    if entry_point not in tree:
        raise RemixRefused(
            f"The entry point {entry_point} is not in the remix; pick or add that file."
        )
    manifest = remix_manifest(sources, by, title, chosen, entry_point, kind, description)
    rules, components = carried_licensing(placed, chosen)
    if rules:
        manifest["files"] = rules
    if components:
        manifest["third_party"] = components
    resource = create_resource(institution=into, manifest=manifest, by=by)
    text = remix_attribution(
        title=title,
        authors=manifest["authors"],
        licence=chosen,
        url=version_url(into, resource, 1),
        sources=sources,
        picks=placed,
        institution=into.name,
    ).encode()
    sha, _ = blobs.put_bytes(text)
    tree[ATTRIBUTION_PATH] = TreeEntry(ATTRIBUTION_PATH, sha, len(text))
    remix = create_version(
        resource=resource,
        manifest=manifest,
        tree=sorted(tree.values(), key=lambda e: e.path),
        by=by,
        changelog="Remixed from " + "; ".join(names) + ".",
    )
    Derivation.objects.bulk_create(
        [Derivation(child=remix, parent=s, kind=Derivation.Kind.REMIX) for s in sources]
    )
    RemixPick.objects.bulk_create(
        [RemixPick(version=remix, source=s, path=p, target=t) for s, p, t in placed]
    )
    return remix


def remix_manifest(
    sources: Sequence[Version],
    by: User,
    title: str,
    licence: str,
    entry_point: str,
    kind: str | None,
    description: str,
) -> dict[str, Any]:
    first = sources[0].manifest
    kind = kind or sources[0].resource.kind
    if kind not in Resource.Kind.values:
        raise RemixRefused(f"Kind must be one of {', '.join(Resource.Kind.values)}, not {kind!r}.")
    title = title.strip()
    if not title:
        raise RemixRefused("Give the remix a title.")
    subjects = list(dict.fromkeys(s for v in sources for s in v.manifest.get("subjects", [])))
    manifest: dict[str, Any] = {
        "kind": kind,
        "title": title,
        "description": description or f"A remix of {len(sources)} works.",
        "license": licence,
        "authors": [getattr(by, "first_name", "") or by.get_username()],
        "entry_point": entry_point,
        "subjects": subjects,
    }
    for key in ("language", "level"):
        if first.get(key):
            manifest[key] = first[key]
    return manifest


# --- collections ---------------------------------------------------------------------------


def folder_for(version: Version, taken: set[str]) -> str:
    base = f"{version.resource.institution.slug}-{version.resource.slug}-v{version.number}"
    folder, n = base, 2
    while folder in taken:
        folder, n = f"{base}-{n}", n + 1
    return folder


def collection_index(title: str, items: Sequence[tuple[Version, str]], notices: list[str]) -> str:
    e = html.escape
    rows = "\n".join(
        f'<li><a href="{e(folder)}/{e(v.entry_point)}">{e(v.resource.title)}</a> '
        f"v{v.number} by {e(', '.join(v.authors))} ({e(v.resource.institution.name)}), "
        f"{e(v.licence)}; credits in {e(folder)}/ATTRIBUTION</li>"
        for v, folder in items
    )
    notes = "\n".join(f"<li>{e(n)}</li>" for n in notices)
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>'
        f"</head><body><h1>{e(title)}</h1><ul>\n{rows}\n</ul><h2>Licences</h2><ul>\n{notes}\n"
        "</ul></body></html>\n"
    )


@transaction.atomic
def collect_versions(
    *,
    sources: Sequence[Version],
    into: Institution,
    by: User,
    title: str,
    licence: str | None = None,
    description: str = "",
) -> Version:
    """Make a collection: the `sources` unmodified, side by side, each keeping its own licence.

    Representation, and why: a collection is not an adaptation (CC FAQ on collections: each
    work keeps its licence; the collection's licence covers only selection and arrangement),
    so no Derivation edge is made. An edge of kind remix would make the licence check apply the
    adaptation rules (refusing NoDerivatives works, forcing ShareAlike), which is wrong for
    works put side by side. Instead the collection is a version (kind "tool") whose tree holds
    every work byte for byte under its own folder (the same blobs: nothing is copied) with that
    work's ATTRIBUTION file, an index.html linking to each work's entry point, and NOTICES.txt
    from `licensing.collection_notices`. CollectionItem rows record the membership, so pages
    and the lineage can show it. The collection's own licence (default CC BY 4.0, or CC BY-NC
    4.0 when a work is NonCommercial) covers only the selection and arrangement.
    Raises LicenceRefused when the collection's licence cannot carry the works (NC parts in a
    commercial collection), RemixRefused for fewer than two works, PermissionRefused.
    """
    sources = list({s.pk: s for s in sources}.values())
    check_sources(sources, by)
    if len(sources) < 2:
        raise RemixRefused("A collection puts at least two works side by side; pick another.")
    require_member(by, into, "make collections in it")
    parts = [s.licence for s in sources]
    titles = [s.resource.title for s in sources]
    probe = licensing.collection_notices(parts, titles=titles)
    chosen = licence or ("CC-BY-NC-4.0" if probe.non_commercial else "CC-BY-4.0")
    try:
        verdict = licensing.collection_notices(parts, collection_license=chosen, titles=titles)
    except licensing.UnknownLicence as exc:
        raise LicenceRefused(str(exc)) from None
    if not verdict.allowed:
        raise LicenceRefused(f"{verdict.reason} ({'; '.join(source_names(sources))}).")
    tree: dict[str, TreeEntry] = {}
    items: list[tuple[Version, str]] = []
    for source in sources:
        folder = folder_for(source, {f for _, f in items})
        entries = tree_of(source)
        for entry in entries:
            path = f"{folder}/{entry.path}"
            tree[path] = TreeEntry(path, entry.sha256, entry.size)
        notice = attribution_name({e.path for e in entries})
        text = licensing.attribution_file(work_of(source)).encode()
        sha, _ = blobs.put_bytes(text)
        tree[f"{folder}/{notice}"] = TreeEntry(f"{folder}/{notice}", sha, len(text))
        items.append((source, folder))
    generated = {
        "index.html": collection_index(title, items, verdict.notices),
        NOTICES_PATH: "\n\n".join(verdict.notices) + "\n",
    }
    for path, content in generated.items():
        data = content.encode()
        sha, _ = blobs.put_bytes(data)
        tree[path] = TreeEntry(path, sha, len(data))
    manifest = {
        "kind": Resource.Kind.TOOL,
        "title": title.strip() or "A collection",
        "description": description
        or f"A collection of {len(sources)} works, each under its own licence.",
        "license": chosen,
        "authors": [getattr(by, "first_name", "") or by.get_username()],
        "entry_point": "index.html",
        "subjects": list(dict.fromkeys(s for v in sources for s in v.manifest.get("subjects", []))),
    }
    # Each work's files stay under its own licence (and its components under theirs): the
    # collection's licence is for the arrangement, so the licence table must not claim them.
    rules: list[dict[str, Any]] = []
    components: list[dict[str, Any]] = []
    for source, folder in items:
        own, theirs = carried_licensing([(source, "", folder + "/")], source.licence)
        rules += [{"path": f"{folder}/**", "license": source.licence}, *own]
        components += theirs
    manifest["files"] = rules[:MAX_FILE_RULES]
    if components:
        manifest["third_party"] = components
    resource = create_resource(institution=into, manifest=manifest, by=by)
    collection = create_version(
        resource=resource,
        manifest=manifest,
        tree=sorted(tree.values(), key=lambda e: e.path),
        by=by,
        changelog="Collected, unmodified: " + "; ".join(source_names(sources)) + ".",
    )
    CollectionItem.objects.bulk_create(
        [CollectionItem(collection=collection, item=s, folder=f) for s, f in items]
    )
    return collection
