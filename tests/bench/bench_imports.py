"""Bulk import of N small packages: packages/minute beside plain deposits of the same packages."""

import json
import os
import tempfile
import time
import zipfile
from pathlib import Path

N = int(os.environ.get("BENCH_IMPORTS_N", "200"))


def status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def small_package(path: Path, n: int) -> Path:
    """A small tool (a page, a script, a stylesheet, credits), different bytes for each n."""
    manifest = {
        "kind": "tool",
        "title": f"Fractions, exercice n° {n}",
        "license": "CC-BY-4.0",
        "authors": ["Zoë Ångström"],
        "entry_point": "index.html",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("remixbank.json", json.dumps(manifest, ensure_ascii=False))
        archive.writestr(
            "index.html",
            f'<!doctype html><meta charset="utf-8"><title>Exercice {n}</title>'
            '<link rel="stylesheet" href="style.css"><p id="q"></p><script src="app.js"></script>',
        )
        archive.writestr("app.js", f"document.getElementById('q').textContent = '{n}/{n + 1}';")
        archive.writestr("style.css", "body { font-family: system-ui, sans-serif; }")
        archive.writestr("CREDITS.md", "Exercice : Zoë Ångström, https://example.org/zoe\n")
    return path


def main() -> None:
    from tests.bench.django_env import setup_django

    setup_django()
    from django.contrib.auth import get_user_model

    from repository.actions.deposits import deposit_package
    from repository.actions.imports import DEPOSITED, DUPLICATE, import_folder
    from repository.models import Institution, Membership

    def staff_of(slug: str):
        institution = Institution.objects.create(slug=slug, name=slug.title())
        user = get_user_model().objects.create_user(f"{slug}@example.org", f"{slug}@example.org")
        Membership.objects.create(user=user, institution=institution, role="staff")
        return institution, user

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "packages"
        folder.mkdir()
        paths = [small_package(folder / f"exercice-{n:05d}.zip", n) for n in range(N)]

        institution, user = staff_of("baseline")
        started = time.perf_counter()
        for path in paths:
            deposit_package(package=path, institution=institution, by=user)
        deposit_seconds = time.perf_counter() - started

        institution, user = staff_of("imported")
        Path("/proc/self/clear_refs").write_text("5")
        idle_kb = status_kb("VmRSS")
        started = time.perf_counter()
        first = import_folder(folder, institution=institution, by=user)
        import_seconds = time.perf_counter() - started
        peak_kb = status_kb("VmHWM")
        assert len(first.of(DEPOSITED)) == N, first.summary

        started = time.perf_counter()
        again = import_folder(folder, institution=institution, by=user)
        rerun_seconds = time.perf_counter() - started
        assert len(again.of(DUPLICATE)) == N, again.summary

    def rate(seconds: float) -> float:
        return N / seconds * 60

    print(f"{N} small packages (5 files each), SQLite, filesystem broker")
    print(f"plain deposit_package loop:      {rate(deposit_seconds):8.0f} packages/min")
    print(f"import_folder (first run):       {rate(import_seconds):8.0f} packages/min")
    print(f"import_folder (re-run, all dup): {rate(rerun_seconds):8.0f} packages/min")
    print(f"import time / plain deposit time: {import_seconds / deposit_seconds:.2f}x")
    print(f"peak resident memory above idle during import: {(peak_kb - idle_kb) / 1024:.1f} MB")
