"""Deterministic array files and symlink-safe reading of what the sandbox wrote."""

from __future__ import annotations

import io
import os
import stat
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import numpy.typing as npt

#: A fixed zip timestamp: numpy's savez stamps the current time, which breaks bit-identical output.
_EPOCH = (1980, 1, 1, 0, 0, 0)


def npz_bytes(arrays: Mapping[str, npt.NDArray[np.float64]]) -> bytes:
    """An .npz archive (loadable with np.load) whose bytes depend only on the arrays."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in sorted(arrays):
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_EPOCH)
            with archive.open(info, "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.ascontiguousarray(arrays[name]))
    return buffer.getvalue()


def load_npz(data: bytes) -> dict[str, npt.NDArray[np.float64]]:
    """Float64 1-D arrays from npz bytes; never unpickles. Raises ValueError on anything else."""
    out = {}
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        for name in archive.files:
            array = archive[name]
            if array.dtype != np.float64 or array.ndim != 1:
                raise ValueError(f"{name}: expected a 1-D float64 array")
            out[name] = array
    return out


def read_regular_file(directory: Path, name: str, max_bytes: int) -> bytes:
    """Read `directory/name` without following symlinks at either level, up to `max_bytes`.

    Untrusted code wrote this folder; a symlink there could point at a host secret
    (the judge0 CVEs). Raises ValueError for links, non-regular files and oversize files.
    """
    flags = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    dir_fd = os.open(directory, flags | os.O_DIRECTORY)
    try:
        try:
            fd = os.open(name, flags | getattr(os, "O_NONBLOCK", 0), dir_fd=dir_fd)
        except OSError as exc:
            raise ValueError(f"{name}: cannot open ({exc.strerror})") from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise ValueError(f"{name}: not a regular file")
            if info.st_size > max_bytes:
                raise ValueError(f"{name}: {info.st_size} bytes is over the {max_bytes} limit")
            chunks = []
            remaining = max_bytes + 1
            while remaining > 0:
                chunk = os.read(fd, min(remaining, 1 << 20))
                if not chunk:
                    break
                chunks.append(chunk)
                remaining -= len(chunk)
            data = b"".join(chunks)
            if len(data) > max_bytes:
                raise ValueError(f"{name}: over the {max_bytes} byte limit")
            return data
        finally:
            os.close(fd)
    finally:
        os.close(dir_fd)
