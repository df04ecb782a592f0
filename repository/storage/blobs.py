"""Reading and writing blob bytes through Django's storage API, verifying hashes on read."""

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.core.files import File
from django.core.files.storage import Storage, storages
from django.utils import timezone

from repository.errors import BlobCorrupted
from repository.models.blobs import storage_name

CHUNK = 1024 * 1024


def blob_storage() -> Storage:
    return storages["blobs"]


def put_file(local: Path, sha256: str) -> bool:
    """Store `local` under its hash unless already stored; return whether it was new."""
    storage = blob_storage()
    name = storage_name(sha256)
    if storage.exists(name):
        return False
    with local.open("rb") as handle:
        saved = storage.save(name, File(handle))
    if saved != name:
        # Another deposit stored the same content at the same moment; keep theirs.
        storage.delete(saved)
        return False
    return True


def touch(blobs: Iterable[tuple[str, int]]) -> None:
    """Record that these blobs are in use right now (rows created or their last_seen renewed).

    Called before bytes are stored, and committed on its own, so `collect_blobs` can never
    delete bytes that a deposit in progress is about to reference.
    """
    from repository.models import Blob

    now = timezone.now()
    # One row per hash: a package may hold the same bytes twice, and PostgreSQL refuses an
    # upsert that touches the same row twice in one statement.
    distinct = dict(blobs)
    Blob.objects.bulk_create(
        [Blob(sha256=sha, size=size, last_seen=now) for sha, size in distinct.items()],
        update_conflicts=True,
        unique_fields=["sha256"],
        update_fields=["last_seen"],
    )


def put_bytes(content: bytes) -> tuple[str, bool]:
    """Store bytes produced by us (validation artefacts); their row is touched first."""
    from django.core.files.base import ContentFile

    sha256 = hashlib.sha256(content).hexdigest()
    touch([(sha256, len(content))])
    storage = blob_storage()
    name = storage_name(sha256)
    if storage.exists(name):
        return sha256, False
    saved = storage.save(name, ContentFile(content))
    if saved != name:
        storage.delete(saved)
        return sha256, False
    return sha256, True


def iter_blob(sha256: str) -> Iterator[bytes]:
    """Yield a blob's bytes; raise BlobCorrupted at the end if they do not match the hash."""
    digest = hashlib.sha256()
    with blob_storage().open(storage_name(sha256), "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            yield chunk
    if digest.hexdigest() != sha256:
        raise BlobCorrupted(
            f"Stored file {sha256[:12]}… does not match its hash; it was altered on disk. "
            "Restore it from backup."
        )


def read_blob(sha256: str) -> bytes:
    return b"".join(iter_blob(sha256))


def delete_blob(sha256: str) -> None:
    blob_storage().delete(storage_name(sha256))
