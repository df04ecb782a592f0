"""Workers seen at work: recorded by the tasks they run, read by /readyz and /metrics."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from repository.models import WorkerBeat


@transaction.atomic
def record_worker_seen(*, hostname: str, kind: str = "trusted") -> None:
    """Note that `hostname` is alive now (one upsert; a blank name, a direct call, is ignored)."""
    if not hostname:
        return
    WorkerBeat.objects.update_or_create(
        hostname=hostname[:200], defaults={"kind": kind, "seen_at": timezone.now()}
    )


def workers_seen(*, within_seconds: int) -> dict[str, list[str]]:
    """Hostnames of the workers seen within the last `within_seconds`, by kind."""
    since = timezone.now() - timedelta(seconds=within_seconds)
    seen: dict[str, list[str]] = {}
    for hostname, kind in WorkerBeat.objects.filter(seen_at__gte=since).values_list(
        "hostname", "kind"
    ):
        seen.setdefault(kind, []).append(hostname)
    return seen
