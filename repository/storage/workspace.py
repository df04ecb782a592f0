"""Materialising a version's tree as files on disk, for the checks that run it."""

import os
import stat
from pathlib import Path

from repository.models import Version
from repository.storage import blobs
from repository.storage.packages import check_path


def materialize(version: Version, root: Path) -> Path:
    """Write the version's files under `root` (verifying hashes) and make the tree read-only."""
    root.mkdir(parents=True, exist_ok=True)
    for path, sha in version.files.values_list("path", "blob_id"):
        target = root / check_path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(fd, "wb") as out:
            for chunk in blobs.iter_blob(sha):
                out.write(chunk)
    for folder, _, files in os.walk(root):
        for name in files:
            os.chmod(os.path.join(folder, name), stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    return root


def make_writable(root: Path) -> None:
    """Undo the read-only modes so a temporary folder can be deleted."""
    for folder, _, files in os.walk(root):
        for name in files:
            os.chmod(os.path.join(folder, name), stat.S_IRUSR | stat.S_IWUSR)
