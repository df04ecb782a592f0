"""Search at the sector's size: PostgreSQL's plans and times for the site's search query over 1 M published versions.

    python -m tests.bench search_plans      (the local PostgreSQL; BENCH_SEARCH_VERSIONS=1000000)

Rows are made in SQL (one resource and version written by the ORM, copied with
generate_series, the GIN index of migration 0003 rebuilt after), then the query that
repository/models/search.py builds for the home page and the API is explained with ANALYZE
and BUFFERS, for a rare word, a common one and a two-word prefix search, beside a lookup of
one resource by primary key in the same run.
"""

import importlib
import os
import subprocess
import sys
import time
from pathlib import Path

DB = os.environ.get("BENCH_SEARCH_DB", "remixbank_search_bench")
VERSIONS = int(os.environ.get("BENCH_SEARCH_VERSIONS", "1000000"))
INSTITUTIONS = 120
ROOT = Path(__file__).resolve().parents[2]
PG = ["-h", "127.0.0.1", "-U", "postgres"]
WORDS = ["solar", "tracker", "fraction", "wave", "orbit", "cell", "market", "circuit"]
# One title word in 8,000 is "kaleidoscope": a rare word, as a subject-specific term is.
QUERIES = {
    "rare word (kaleidoscope)": "kaleidoscope",
    "common word (orbit, 1 in 8)": "orbit",
    "two words, prefix (sol trac)": "sol trac",
}


def copy_rows(cursor, table: str, overrides: dict[str, str], source: str) -> None:
    """INSERT INTO `table` every column of its one template row, `overrides` computed per row."""
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s "
        "AND column_name <> 'id' ORDER BY ordinal_position",
        [table],
    )
    columns = [row[0] for row in cursor.fetchall()]
    exprs = [overrides.get(c, f"t.{c}") for c in columns]
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(exprs)} "  # noqa: S608
        f"FROM (SELECT * FROM {table} ORDER BY id LIMIT 1) t, {source}"
    )


def fill(count: int) -> None:
    from django.db import connection

    from repository.management.commands.generate_resources import fill as one_template

    one_template(1)
    words = "ARRAY[" + ", ".join(f"'{w}'" for w in WORDS) + "]"
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS resource_search_gin")
        cursor.execute("SELECT id FROM repository_institution ORDER BY id")
        first_institution = cursor.fetchone()[0]
        # generate_resources made 50 institutions; the sector has more.
        copy_rows(
            cursor,
            "repository_institution",
            {"slug": "'sector-' || g", "name": "'Authority ' || g"},
            f"generate_series(1, {INSTITUTIONS - 50}) g",
        )
        copy_rows(
            cursor,
            "repository_resource",
            {
                "slug": "'r-' || g",
                "title": f"initcap(({words})[1 + g % 8]) || ' lab ' || g"
                " || CASE WHEN g % 8000 = 0 THEN ' kaleidoscope' ELSE '' END",
                "summary": f"repeat('Explore ' || ({words})[1 + (g * 7) % 8] || ' and ' || "
                f"({words})[1 + (g * 5) % 8] || ' ', 8)",
                "kind": "CASE WHEN g % 3 = 0 THEN 'scenario' ELSE 'tool' END",
                "institution_id": f"{first_institution} + g % {INSTITUTIONS}",
                "latest_published_id": "NULL",
            },
            f"generate_series(2, {count}) g",
        )
        copy_rows(
            cursor,
            "repository_version",
            {"resource_id": "r.id"},
            "repository_resource r WHERE r.id > (SELECT min(id) FROM repository_resource)",
        )
        cursor.execute(
            "UPDATE repository_resource r SET latest_published_id = v.id "
            "FROM repository_version v WHERE v.resource_id = r.id"
        )
    index = importlib.import_module("repository.migrations.0003_resource_search_index")
    with connection.cursor() as cursor:
        cursor.execute(index.CREATE)  # built once over the full table, as a restore would
        cursor.execute("VACUUM ANALYZE")


def main() -> None:
    subprocess.run(["dropdb", *PG, "--if-exists", DB], check=True)
    subprocess.run(["createdb", *PG, DB], check=True)
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deploy.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from repository.models import Resource
    from repository.models.search import search_resources

    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        fill(VERSIONS)
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM repository_version")
            versions = cursor.fetchone()[0]
            cursor.execute(
                "SELECT pg_size_pretty(pg_total_relation_size('repository_resource')), "
                "pg_size_pretty(pg_total_relation_size('repository_version')), "
                "pg_size_pretty(pg_relation_size('resource_search_gin')), "
                "pg_size_pretty(pg_database_size(current_database()))"
            )
            sizes = cursor.fetchone()
        print(f"{versions} published versions made in {time.perf_counter() - started:.0f} s")
        print(f"resources {sizes[0]}, versions {sizes[1]}, GIN index {sizes[2]}, db {sizes[3]}")
        published = Resource.objects.filter(latest_published__isnull=False)
        some = published.order_by("pk").values_list("pk", flat=True)[VERSIONS // 2]
        baseline = published.filter(pk=some).values("pk", "title")
        print(f"\n-- baseline: one resource by primary key\n{baseline.explain(analyze=True)}")
        for name, text in QUERIES.items():
            rows = search_resources(published, text)
            page = rows.values("pk", "title")[:20]
            print(f"\n-- {name}: first page of 20, ranked")
            print(page.explain(analyze=True, buffers=True))
            counted = time.perf_counter()
            total = rows.count()
            print(
                f"(count of every match: {total} in {1000 * (time.perf_counter() - counted):.0f} ms)"
            )
    finally:
        connection.close()
        subprocess.run(["dropdb", *PG, "--if-exists", DB], check=False)
