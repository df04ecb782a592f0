"""Django set up for benchmarks: a scratch SQLite database and blob folder unless told otherwise."""

import os
import tempfile
from pathlib import Path


def setup_django() -> Path:
    """Configure Django on a fresh data folder, migrate, and return the folder."""
    data = Path(tempfile.mkdtemp(prefix="remixbank-bench-"))
    os.environ.setdefault("REMIXBANK_DATA_DIR", str(data))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deploy.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return Path(os.environ["REMIXBANK_DATA_DIR"])


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def write_package(path: Path, total_bytes: int, *, file_bytes: int = 8 * 1024 * 1024) -> Path:
    """A valid tool package of about `total_bytes` of incompressible content, written in pieces."""
    import json
    import zipfile

    manifest = {
        "kind": "tool",
        "title": f"Bench {total_bytes} bytes",
        "license": "CC-BY-4.0",
        "authors": ["Bench"],
        "entry_point": "index.html",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("remixbank.json", json.dumps(manifest))
        archive.writestr("index.html", "<!doctype html><title>bench</title><p>bench</p>")
        remaining, n = total_bytes, 0
        while remaining > 0:
            size = min(file_bytes, remaining)
            with archive.open(f"data/{n:04d}.bin", "w") as entry:
                written = 0
                while written < size:
                    chunk = os.urandom(min(1024 * 1024, size - written))
                    entry.write(chunk)
                    written += len(chunk)
            remaining -= size
            n += 1
    return path
