"""Lineage walks: ancestors or descendants of a version with one recursive CTE.

Plain `WITH RECURSIVE` that PostgreSQL and SQLite both run. UNION (not UNION ALL) drops
repeated (version, depth) rows, the depth bound keeps a diamond-rich DAG from blowing up,
and the outer query keeps each version once at its shortest distance. Visibility is applied
afterwards by the caller (Version.objects.visible_to), so hidden versions are walked
through but never shown. Cost is about 1 µs per visited row (notes/performance.md §3.3).
"""

from typing import Literal

from django.db import connection

from repository.models import Derivation

Direction = Literal["ancestors", "descendants"]

MAX_DEPTH = 50
MAX_ROWS = 500


def walk(version_id: int, direction: Direction, *, depth: int) -> list[tuple[int, int]]:
    """Return (version id, distance) pairs, nearest first, at most MAX_ROWS + 1 of them."""
    start, step = (
        ("child_id", "parent_id") if direction == "ancestors" else ("parent_id", "child_id")
    )
    table = connection.ops.quote_name(Derivation._meta.db_table)
    # Column and table names come from the code above, never from the request.
    sql = f"""
        WITH RECURSIVE walk(id, depth) AS (
            SELECT {step}, 1 FROM {table} WHERE {start} = %s
            UNION
            SELECT d.{step}, w.depth + 1 FROM {table} d JOIN walk w ON d.{start} = w.id
            WHERE w.depth < %s
        )
        SELECT id, MIN(depth) AS distance FROM walk GROUP BY id ORDER BY distance, id LIMIT %s
    """  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [version_id, min(depth, MAX_DEPTH), MAX_ROWS + 1])
        return [(int(row[0]), int(row[1])) for row in cursor.fetchall()]
