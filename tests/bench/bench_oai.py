"""A full OAI-PMH harvest beside a plain paginated API list of the same catalogue, in one run.

Fills a fresh test database (SQLite by default; PostgreSQL when DATABASE_URL points at one)
with BENCH_OAI_RESOURCES published resources (default 10,000; set 100000 for the full figure)
by `generate_resources`, one version each and a fork edge for every tenth, then harvests
everything in-process (django.test.Client: CPU per request, no HTTP):

- ListRecords oai_dc and oai_lom, following resumption tokens to the end, 100 records a page
  (and at the default OAI_PAGE_SIZE);
- the baseline: `/api/v1/resources/?page_size=100` following its `next` links to the end.

Prints records per second for each, the ratio to the API list, the queries per page (constant
whatever the page: keyset paging) and the time of the last page beside the first.
"""

import os
import re
import tempfile
import time
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deploy.settings")
os.environ.setdefault("REMIXBANK_DATA_DIR", tempfile.mkdtemp(prefix="bench-oai-"))

TOKEN = re.compile(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>")
RECORD = re.compile(rb"<record>|<header[ >]")


def fill(count: int) -> None:
    from django.core.management import call_command

    from repository.models import Derivation, Version

    call_command("generate_resources", count=count)
    versions = list(Version.objects.order_by("pk").values_list("pk", flat=True))
    Derivation.objects.bulk_create(
        [
            Derivation(child_id=child, parent_id=versions[i - 1], kind="fork")
            for i, child in enumerate(versions)
            if i % 10 == 9
        ],
        batch_size=2000,
    )


def harvest(client: Any, prefix: str) -> tuple[int, float, list[float]]:
    """Harvest every record; return the count, the seconds and each page's seconds."""
    arguments: dict[str, str] = {"verb": "ListRecords", "metadataPrefix": prefix}
    count, pages = 0, []
    started = time.perf_counter()
    while True:
        t = time.perf_counter()
        body = client.get("/oai/", arguments).content
        pages.append(time.perf_counter() - t)
        assert b"<error" not in body, body[:500]
        count += body.count(b"<record>")
        token = TOKEN.search(body)
        if not token:
            return count, time.perf_counter() - started, pages
        arguments = {"verb": "ListRecords", "resumptionToken": token.group(1).decode()}


def api_list(client: Any) -> tuple[int, float, list[float]]:
    url: str | None = "/api/v1/resources/?page_size=100"
    count, pages = 0, []
    started = time.perf_counter()
    while url:
        t = time.perf_counter()
        data = client.get(url).json()
        pages.append(time.perf_counter() - t)
        count += len(data["results"])
        url = data["next"]
    return count, time.perf_counter() - started, pages


def main() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    count = int(os.environ.get("BENCH_OAI_RESOURCES", "10000"))
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        fill(count)
        print(
            f"{connection.vendor}: {count:,} published resources in {time.perf_counter() - started:.1f} s"
        )
        rates = {"api.read": None, "api.write": None}
        rest = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
        client = Client()
        figures: dict[str, float] = {}
        with override_settings(REST_FRAMEWORK=rest):
            n, seconds, pages = api_list(client)
            assert n == count, n
            figures["api"] = n / seconds
            print(
                f"{'API resources list, 100 a page (baseline)':<44} {n / seconds:8.0f} records/s  ({seconds:.1f} s)"
            )
        default_size = settings.OAI_PAGE_SIZE
        for prefix, size in (("oai_dc", 100), ("oai_lom", 100), ("oai_lom", default_size)):
            with override_settings(OAI_PAGE_SIZE=size):
                n, seconds, pages = harvest(client, prefix)
                assert n == count, n
                name = f"OAI-PMH ListRecords {prefix}, {size} a page"
                print(
                    f"{name:<44} {n / seconds:8.0f} records/s  ({seconds:.1f} s; "
                    f"{n / seconds / figures['api']:.2f}x the API list; first page "
                    f"{1000 * pages[0]:.0f} ms, last {1000 * pages[-1]:.0f} ms)"
                )
        with override_settings(OAI_PAGE_SIZE=100):
            for page in ("first", "last"):
                arguments = {"verb": "ListRecords", "metadataPrefix": "oai_lom"}
                if page == "last":
                    from oaipmh.server import encodeResumptionToken

                    from repository.models import Version

                    last = Version.objects.order_by("-pk").values_list("pk", flat=True)[50]
                    arguments = {
                        "verb": "ListRecords",
                        "resumptionToken": encodeResumptionToken(
                            {"metadataPrefix": "oai_lom"}, last
                        ),
                    }
                with CaptureQueriesContext(connection) as queries:
                    client.get("/oai/", arguments)
                print(f"queries for the {page} OAI-PMH page: {len(queries)}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
