"""Usage statistics: what recording a use adds to a page view, and how fast a day is counted.

On a fresh test database (SQLite by default; PostgreSQL when DATABASE_URL points at one), one
published tool with several files:

- its version page rendered in-process (django.test.Client, CPU per request, no HTTP) with
  recording on, beside the same page with USAGE_STATISTICS off (the baseline), alternated in
  rounds so drift hits both alike; and record_use() alone, per call;
- aggregation: BENCH_USAGE_EVENTS events (default 200,000) over 500 versions and 20,000
  sessions, dated yesterday, with double clicks among them, counted by aggregate_usage();
  events per second.
"""

import os
import statistics
import tempfile
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deploy.settings")
os.environ.setdefault("REMIXBANK_DATA_DIR", tempfile.mkdtemp(prefix="bench-usage-"))

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
ROUNDS, PER_ROUND = 7, 30


def page_seconds(client, url: str, n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        response = client.get(url, HTTP_USER_AGENT=FIREFOX)
        assert response.status_code == 200, response.status_code
    return (time.perf_counter() - started) / n


def main() -> None:
    import django

    django.setup()
    from datetime import UTC, datetime, timedelta

    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from repository.actions.usage import Use, aggregate_usage, record_use
    from repository.models import Resource, UsageDay, UsageEvent, Version
    from tests.factories import InstitutionFactory, VersionFactory, stored_version, tool_files

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        version = stored_version(tool_files(**{"README.md": "Élève, Straße, 中文".encode()}))
        url = version.get_absolute_url()
        client = Client()
        with_it, without = [], []
        page_seconds(client, url, 10)  # warm templates and caches
        for _ in range(ROUNDS):
            with_it.append(page_seconds(client, url, PER_ROUND))
            with override_settings(USAGE_STATISTICS=False):
                without.append(page_seconds(client, url, PER_ROUND))
        on, off = statistics.median(with_it), statistics.median(without)
        print(f"{connection.vendor}: version page, {ROUNDS} rounds of {PER_ROUND}, medians")
        print(f"  without recording (baseline)  {1000 * off:7.2f} ms/page")
        print(f"  with recording                {1000 * on:7.2f} ms/page  ({on / off:.3f}x)")
        request = client.get(url, HTTP_USER_AGENT=FIREFOX).wsgi_request
        n = 500
        started = time.perf_counter()
        for _ in range(n):
            record_use(request, version, Use.VIEW)
        alone = (time.perf_counter() - started) / n
        print(
            f"  record_use() alone            {1e6 * alone:7.0f} µs/call ({alone / off:.1%} of a page)"
        )

        count = int(os.environ.get("BENCH_USAGE_EVENTS", "200000"))
        institution = InstitutionFactory.create()
        resources = [
            Resource.objects.create(
                institution=institution, slug=f"r{i}", title=f"R {i}", kind="tool"
            )
            for i in range(50)
        ]
        versions = [VersionFactory.create(resource=resources[i % 50]) for i in range(500)]
        UsageEvent.objects.all().delete()
        day = timezone.now().date() - timedelta(days=1)
        start = datetime(day.year, day.month, day.day, tzinfo=UTC)
        kinds = [k for k, _ in Use.choices]
        events = [
            UsageEvent(
                occurred_at=start + timedelta(seconds=(i * 7) % 86_000 + (i % 3) * 5),
                kind=kinds[i % len(kinds)],
                version_id=versions[(i * 31) % 500].pk,
                session=f"{(i * 13) % 20_000:032x}",
            )
            for i in range(count)
        ]
        UsageEvent.objects.bulk_create(events, batch_size=5000)
        started = time.perf_counter()
        counted = aggregate_usage()
        seconds = time.perf_counter() - started
        assert counted == count and not UsageEvent.objects.exists()
        kept = UsageDay.objects.count()
        print(
            f"aggregation: {counted:,} events in {seconds:.1f} s = {counted / seconds:,.0f} "
            f"events/s into {kept} daily rows"
        )
        assert Version.objects.count() >= 501
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
