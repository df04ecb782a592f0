"""Streaming a version as a zip: its files, its manifest and an ATTRIBUTION file."""

import json
import zipfile
from collections.abc import Iterator

from django.db.models import QuerySet

from repository.credit.attribution import attribution_file
from repository.models import Version, VersionFile
from repository.storage import blobs
from repository.storage.packages import MANIFEST_NAME


class ChunkSink:
    """A write-only file object; without seek(), zipfile writes a streamable archive."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.position = 0

    def write(self, data: bytes) -> int:
        self.chunks.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def attribution_name(paths: set[str]) -> str:
    return "ATTRIBUTION.txt" if "ATTRIBUTION.txt" not in paths else "ATTRIBUTION-remixbank.txt"


def stream_version_zip(
    version: Version, *, files_of: QuerySet[VersionFile] | None = None
) -> Iterator[bytes]:
    """Yield the zip in pieces of about a megabyte; never holds the whole archive in memory.

    `files_of` is the VersionFile queryset to pack (access.served_files), all files by default.
    """
    chosen = version.files.all() if files_of is None else files_of
    files = list(chosen.values_list("path", "blob_id"))
    stamp = version.created_at.timetuple()[:6]
    sink = ChunkSink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            zipfile.ZipInfo(MANIFEST_NAME, stamp), json.dumps(version.manifest, indent=2)
        )
        archive.writestr(
            zipfile.ZipInfo(attribution_name({p for p, _ in files}), stamp),
            attribution_file(version),
        )
        for path, sha in files:
            info = zipfile.ZipInfo(path, stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, "w", force_zip64=True) as entry:
                for chunk in blobs.iter_blob(sha):
                    entry.write(chunk)
                    yield sink.take()
            yield sink.take()
    yield sink.take()
