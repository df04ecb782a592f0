"""Three-way merges of file trees by path and blob, and of manifests by key.

A tree is a mapping path → sha256. For every path, with base B, ours O and theirs T (None when
absent): O == T → O; B == O → T (only they changed it); B == T → O (only we changed it);
otherwise the path conflicts and someone must choose. Merging inside a file is left to people:
the conflict carries the three texts (`three_way_view` below builds the three-way diff).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from repository.errors import DomainError
from repository.models import Blob
from repository.storage import blobs
from repository.storage.packages import checked_name

Tree = Mapping[str, str]
# How a person settles one conflicting path: keep ours, take theirs, remove it, or new bytes.
Resolution = Literal["ours", "theirs", "delete"] | bytes
CONFLICT_MARKERS = ("<<<<<<< ", ">>>>>>> ")
TEXT_LIMIT = 512 * 1024


class MergeConflict(DomainError):
    """The trees changed the same paths differently and the conflicts were not all resolved."""

    code = "merge_conflict"

    def __init__(self, message: str, conflicts: list[str]) -> None:
        super().__init__(message)
        self.conflicts = conflicts


@dataclass(frozen=True)
class Conflict:
    path: str
    base: str | None
    ours: str | None
    theirs: str | None


@dataclass
class MergeResult:
    tree: dict[str, str]
    conflicts: list[Conflict] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)
    # Manifest keys both sides changed differently; ours is kept and the keys are listed.
    manifest_kept_ours: list[str] = field(default_factory=list)

    @property
    def conflicted_paths(self) -> list[str]:
        return [c.path for c in self.conflicts]


def merge_trees(base: Tree, ours: Tree, theirs: Tree) -> MergeResult:
    """Merge `theirs` into `ours` since `base`; conflicting paths keep ours until resolved."""
    merged: dict[str, str] = {}
    conflicts = []
    for path in sorted(base.keys() | ours.keys() | theirs.keys()):
        b, o, t = base.get(path), ours.get(path), theirs.get(path)
        if o == t or b == t:
            chosen = o
        elif b == o:
            chosen = t
        else:
            conflicts.append(Conflict(path, b, o, t))
            chosen = o
        if chosen is not None:
            merged[path] = chosen
    return MergeResult(merged, conflicts)


def merge_manifests(
    base: Mapping[str, Any], ours: Mapping[str, Any], theirs: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """Merge manifests key by key; where both sides changed a key differently, keep ours.

    Ours wins because the manifest is the owner's description of their work (title, licence);
    the keys kept are returned so the changelog can say so.
    """
    merged: dict[str, Any] = {}
    kept = []
    missing = object()
    for key in sorted(base.keys() | ours.keys() | theirs.keys()):
        b, o, t = base.get(key, missing), ours.get(key, missing), theirs.get(key, missing)
        if o == t or b == t:
            value = o
        elif b == o:
            value = t
        else:
            value = o
            kept.append(key)
        if value is not missing:
            merged[key] = value
    return merged, kept


def apply_resolutions(result: MergeResult, resolutions: Mapping[str, Resolution]) -> dict[str, str]:
    """Return the merged tree with every conflict settled by `resolutions`.

    Raises MergeConflict naming the unresolved paths, DomainError for a resolution of a path
    that does not conflict or edited text that still holds conflict markers. Stores new bytes.
    """
    conflicts = {c.path: c for c in result.conflicts}
    stray = sorted(set(resolutions) - set(conflicts))
    if stray:
        raise DomainError(
            f"{', '.join(stray)} {'does' if len(stray) == 1 else 'do'} not conflict; "
            "resolve only the conflicting paths listed."
        )
    missing = [p for p in conflicts if p not in resolutions]
    if missing:
        raise MergeConflict(
            f"{len(missing)} file(s) changed on both sides since the common base: "
            f"{', '.join(missing)}. Choose ours, theirs, removal or an edited text for each, "
            "then merge again.",
            missing,
        )
    tree = dict(result.tree)
    for path, choice in resolutions.items():
        conflict = conflicts[path]
        if isinstance(choice, bytes):
            if any(m.encode() in choice for m in CONFLICT_MARKERS):
                raise DomainError(
                    f"The text for {path} still has conflict markers (<<<<<<< or >>>>>>>); "
                    "edit them out, keeping the lines you want."
                )
            sha, _ = blobs.put_bytes(choice)
            Blob.objects.get_or_create(sha256=sha, defaults={"size": len(choice)})
            tree[path] = sha
            continue
        resolved: dict[str, str | None] = {
            "ours": conflict.ours,
            "theirs": conflict.theirs,
            "delete": None,
        }
        if choice not in resolved:
            raise DomainError(
                f"Unknown resolution {choice!r} for {path}; use ours, theirs or delete."
            )
        kept = resolved[choice]
        if kept is None:
            tree.pop(path, None)
        else:
            tree[path] = kept
    return tree


def blob_text(sha: str | None) -> str | None:
    """A blob's text, or None when absent, too big to edit here, or not UTF-8."""
    if sha is None:
        return ""
    try:
        data = blobs.read_blob(sha)
    except (DomainError, OSError):
        return None
    if len(data) > TEXT_LIMIT:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def three_way_view(conflict: Conflict) -> dict[str, Any]:
    """What a person needs to settle one conflict: the three texts, both diffs, a starting text."""
    texts = {side: blob_text(getattr(conflict, side)) for side in ("base", "ours", "theirs")}
    is_text = all(t is not None for t in texts.values())
    view: dict[str, Any] = {"path": conflict.path, "is_text": is_text, "texts": texts}
    if not is_text:
        return view
    base, ours, theirs = (texts[s].splitlines() for s in ("base", "ours", "theirs"))  # type: ignore[union-attr]
    view["ours_diff"] = list(
        difflib.unified_diff(
            base, ours, "base/" + conflict.path, "ours/" + conflict.path, lineterm=""
        )
    )
    view["theirs_diff"] = list(
        difflib.unified_diff(
            base, theirs, "base/" + conflict.path, "theirs/" + conflict.path, lineterm=""
        )
    )
    view["draft"] = "\n".join(
        ["<<<<<<< ours", *ours, "||||||| base", *base, "=======", *theirs, ">>>>>>> theirs"]
    )
    return view


def parse_resolutions(data: Mapping[str, str], paths: list[str]) -> dict[str, Resolution]:
    """Read a resolution form: `choice-<n>` is ours|theirs|delete|text, `text-<n>` the edit."""
    resolutions: dict[str, Resolution] = {}
    for n, path in enumerate(paths):
        choice = data.get(f"choice-{n}", "")
        if choice == "text":
            resolutions[path] = data.get(f"text-{n}", "").replace("\r\n", "\n").encode("utf-8")
        elif choice in {"ours", "theirs", "delete"}:
            resolutions[path] = choice  # type: ignore[assignment]
    return resolutions


def checked_path(path: str) -> str:
    """A safe relative path (the deposit rules), in NFC, without a trailing slash."""
    return checked_name(path.strip()).rstrip("/")
