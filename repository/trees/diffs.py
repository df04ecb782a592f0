"""Differences between file trees (versions, proposals), as unified text diffs per path."""

import difflib
import json
from dataclasses import dataclass
from typing import Any

from repository.models import Version
from repository.storage import blobs
from repository.storage.packages import MANIFEST_NAME


@dataclass(frozen=True)
class Text:
    """Content given as text rather than a blob hash (the manifest, which has no blob)."""

    content: str


Ref = str | Text


def lines_of(ref: Ref | None) -> list[str]:
    """The lines of a blob (by hash) or a Text; a placeholder line for binary content."""
    if ref is None:
        return []
    if isinstance(ref, Text):
        return ref.content.splitlines()
    try:
        return blobs.read_blob(ref).decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return [f"(binary file {ref[:12]}…)"]


def diff_trees(
    before: dict[str, Ref], after: dict[str, Ref], *, old_label: str, new_label: str
) -> list[dict[str, Any]]:
    """Per-path changes (added, removed, changed) with unified diffs; unchanged paths left out."""
    changes = []
    for path in sorted(before.keys() | after.keys()):
        if before.get(path) == after.get(path):
            continue
        status = "added" if path not in before else "removed" if path not in after else "changed"
        lines = difflib.unified_diff(
            lines_of(before.get(path)),
            lines_of(after.get(path)),
            fromfile=f"{old_label}/{path}",
            tofile=f"{new_label}/{path}",
            lineterm="",
        )
        changes.append({"path": path, "status": status, "diff": list(lines)})
    return changes


def refs_by_path(version: Version) -> dict[str, Ref]:
    """Each stored path of `version` with its blob hash, as diff_trees compares them."""
    return dict(version.files.values_list("path", "blob_id"))


def manifest_text(version: Version) -> Text:
    return Text(json.dumps(version.manifest, indent=2, sort_keys=True))


def diff_versions(old: Version, new: Version) -> list[dict[str, Any]]:
    """Changes between two versions, the manifest (remixbank.json) included when it changed."""
    before, after = refs_by_path(old), refs_by_path(new)
    if old.manifest != new.manifest:
        before[MANIFEST_NAME] = manifest_text(old)
        after[MANIFEST_NAME] = manifest_text(new)
    return diff_trees(before, after, old_label=f"v{old.number}", new_label=f"v{new.number}")
