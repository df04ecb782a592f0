"""Reading a package's per-file licensing from its files: REUSE headers, sidecars, licence texts."""

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import licensing.parts
from repository.errors import DomainError
from repository.storage import blobs

# Licence and notice files are read whole up to this size (a GPL text is 35 KB); other text
# files only for their header.
LICENCE_TEXT_BYTES = 256 * 1024


def _limit(path: str) -> int:
    if licensing.parts.is_licensing_file(path):
        return LICENCE_TEXT_BYTES
    return licensing.parts.HEADER_BYTES


def _texts(paths: Iterable[str], head: Callable[[str, int], bytes]) -> dict[str, str]:
    return {
        path: head(path, _limit(path)).decode("utf-8", errors="replace")
        for path in licensing.parts.files_to_read(paths)
    }


def _local_head(local: Path, limit: int) -> bytes:
    with local.open("rb") as handle:
        return handle.read(limit)


def _blob_head(sha256: str, limit: int) -> bytes:
    """The first `limit` bytes of a blob (whole when small enough to check its hash)."""
    data = b""
    try:
        for chunk in blobs.iter_blob(sha256):
            data += chunk
            if len(data) >= limit:
                break
    except (DomainError, OSError):
        # A missing or altered blob is the package step's to report (it checks every hash);
        # its licensing is read as if the file stated none.
        return b""
    return data[:limit]


def analyse_files(
    manifest: Mapping[str, Any], files: Mapping[str, Path]
) -> licensing.parts.Analysis:
    """The per-file licensing of unpacked files (path -> local file), before anything is stored."""
    texts = _texts(files, lambda path, limit: _local_head(files[path], limit))
    return licensing.parts.analyse(
        license=manifest["license"], paths=files, manifest=manifest, texts=texts
    )


def analyse_blobs(manifest: Mapping[str, Any], tree: Mapping[str, str]) -> licensing.parts.Analysis:
    """The per-file licensing of a stored tree (path -> blob hash)."""
    texts = _texts(tree, lambda path, limit: _blob_head(tree[path], limit))
    return licensing.parts.analyse(
        license=manifest["license"], paths=tree, manifest=manifest, texts=texts
    )
