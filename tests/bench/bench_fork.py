"""Fork cost against package size (1 KB, 10 MB, 200 MB): wall time should stay flat, new blob bytes 0."""

import statistics
import tempfile
import time
from pathlib import Path

from tests.bench.django_env import folder_bytes, setup_django, write_package

SIZES = [("1 KB", 1024), ("10 MB", 10 * 1024 * 1024), ("200 MB", 200 * 1024 * 1024)]
REPEATS = 5


def main() -> None:
    data = setup_django()
    from django.contrib.auth import get_user_model

    from repository.actions.deposits import deposit_package
    from repository.actions.forks import fork_version
    from repository.models import Institution, Membership

    owner = Institution.objects.create(slug="owner", name="Owner")
    forker = Institution.objects.create(slug="forker", name="Forker")
    user = get_user_model().objects.create_user("bench@example.org", "bench@example.org")
    Membership.objects.create(user=user, institution=owner, role="staff")
    Membership.objects.create(user=user, institution=forker, role="staff")
    blobs = data / "blobs"
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, size in SIZES:
            package = write_package(Path(tmp) / f"{size}.zip", size)
            source = deposit_package(package=package, institution=owner, by=user)
            package.unlink()
            before = folder_bytes(blobs)
            timings = []
            for _ in range(REPEATS):
                started = time.perf_counter()
                fork_version(source, into=forker, by=user)
                timings.append(time.perf_counter() - started)
            results.append(
                (label, source.file_count, statistics.median(timings), folder_bytes(blobs) - before)
            )
    base = results[0][2]
    print(f"{'package':>8} {'files':>6} {'fork median':>12} {'vs 1 KB':>8} {'new blob bytes':>15}")
    for label, files, median, new_bytes in results:
        print(
            f"{label:>8} {files:>6} {median * 1000:>9.1f} ms {median / base:>7.2f}x {new_bytes:>15}"
        )
