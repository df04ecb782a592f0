"""Full-text search over resources' title and summary, one set of rules on every database.

Every word must match, as a whole word or the start of one ("trac" finds "tracker"), after
stemming ("controller" finds "controllers") and leaving out common English words, as
PostgreSQL's 'english' configuration does. Results are ranked: resources with every word in the title
first, then by relevance, then by title. PostgreSQL uses its own full-text search (the GIN
index of migration 0003); SQLite uses an FTS5 table that triggers keep in step with the
resources (migration 0009, and ensure_sqlite_index() after every migrate, because SQLite's
table rebuilds drop triggers).
"""

import re
from typing import Any

from django.db import connection
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import RawSQL

# Exactly the expression of the GIN index in migration 0003, so PostgreSQL can use it.
SEARCH_VECTOR = (
    "to_tsvector('english'::regconfig, "
    "COALESCE(repository_resource.title, '') || ' ' || COALESCE(repository_resource.summary, ''))"
)
RANK_VECTOR = (
    "setweight(to_tsvector('english'::regconfig, COALESCE(repository_resource.title, '')), 'A')"
    " || setweight(to_tsvector('english'::regconfig, COALESCE(repository_resource.summary, '')),"
    " 'B')"
)
MAX_WORDS = 20
WORD = re.compile(r"\w+")
# PostgreSQL's English stop words (tsearch_data/english.stop), left out on SQLite too, so a
# query finds the same resources on both.
STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his
    himself she her hers herself it its itself they them their theirs themselves what which
    who whom this that these those am is are was were be been being have has had having do
    does did doing a an the and but if or because as until while of at by for with about
    against between into through during before after above below to from up down in out on
    off over under again further then once here there when where why how all any both each
    few more most other some such no nor not only own same so than too very s t can will just
    don should now""".split()  # noqa: SIM905 - kept as PostgreSQL's file lists them
)


def query_words(text: str) -> list[str]:
    """The words of a search that must all match, lower-cased, stop words left out."""
    words = [w for w in WORD.findall(text.lower()) if w not in STOP_WORDS]
    return list(dict.fromkeys(words))[:MAX_WORDS]


def search_resources(queryset: QuerySet[Any], text: str) -> QuerySet[Any]:
    """Resources of `queryset` matching every word of `text`, best first.

    The order, on both databases: resources whose title holds every word come first
    (`title_match`), then by the database's relevance score (`search_rank`, higher is better:
    more occurrences in shorter text, title words weighing more), then by title.
    """
    words = query_words(text)
    if not words:
        return queryset.none()
    if connection.vendor == "postgresql":
        query = " & ".join(f"{w}:*" for w in words)
        matches = RawSQL(  # noqa: S611 - the query is a bound parameter
            f"{SEARCH_VECTOR} @@ to_tsquery('english'::regconfig, %s)",
            [query],
            output_field=BooleanField(),
        )
        queryset = queryset.filter(matches)
        in_title = RawSQL(
            "to_tsvector('english'::regconfig, COALESCE(repository_resource.title, '')) "
            "@@ to_tsquery('english'::regconfig, %s)",
            [query],
            output_field=BooleanField(),
        )
        # Normalization 1: divided by 1 + the log of the length, as bm25() favours short text.
        rank = RawSQL(  # noqa: S611 - the query is a bound parameter
            f"ts_rank({RANK_VECTOR}, to_tsquery('english'::regconfig, %s), 1)",
            [query],
            output_field=FloatField(),
        )
    elif connection.vendor == "sqlite":
        # Each word quoted, so FTS5's own syntax (AND, NEAR, column:) in a query is just text.
        query = " ".join(f'"{w}"*' for w in words)
        found = RawSQL(
            "SELECT rowid FROM repository_resource_fts WHERE repository_resource_fts MATCH %s",
            [query],
        )
        queryset = queryset.filter(pk__in=found)
        in_title = RawSQL(
            "EXISTS (SELECT 1 FROM repository_resource_fts WHERE repository_resource_fts "
            "MATCH %s AND rowid = repository_resource.id)",
            [f"title : ({query})"],
            output_field=BooleanField(),
        )
        # bm25() is lower for better matches, so it is negated. Title words weigh 4 times.
        rank = RawSQL(
            "SELECT -bm25(repository_resource_fts, 4.0, 1.0) FROM repository_resource_fts "
            "WHERE repository_resource_fts MATCH %s AND rowid = repository_resource.id",
            [query],
            output_field=FloatField(),
        )
    else:
        raise NotImplementedError(f"no full-text search for {connection.vendor}")
    return queryset.annotate(title_match=in_title, search_rank=rank).order_by(
        "-title_match", "-search_rank", "title", "pk"
    )


SQLITE_INDEX = [
    """CREATE VIRTUAL TABLE IF NOT EXISTS repository_resource_fts USING fts5(
        title, summary, content='repository_resource', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    )""",
    """CREATE TRIGGER IF NOT EXISTS repository_resource_fts_insert
    AFTER INSERT ON repository_resource BEGIN
        INSERT INTO repository_resource_fts(rowid, title, summary)
        VALUES (new.id, new.title, new.summary);
    END""",
    """CREATE TRIGGER IF NOT EXISTS repository_resource_fts_delete
    AFTER DELETE ON repository_resource BEGIN
        INSERT INTO repository_resource_fts(repository_resource_fts, rowid, title, summary)
        VALUES ('delete', old.id, old.title, old.summary);
    END""",
    """CREATE TRIGGER IF NOT EXISTS repository_resource_fts_update
    AFTER UPDATE OF title, summary ON repository_resource BEGIN
        INSERT INTO repository_resource_fts(repository_resource_fts, rowid, title, summary)
        VALUES ('delete', old.id, old.title, old.summary);
        INSERT INTO repository_resource_fts(rowid, title, summary)
        VALUES (new.id, new.title, new.summary);
    END""",
]
TRIGGERS = {
    "repository_resource_fts_insert",
    "repository_resource_fts_delete",
    "repository_resource_fts_update",
}
REBUILD = "INSERT INTO repository_resource_fts(repository_resource_fts) VALUES ('rebuild')"


def ensure_sqlite_index(db: BaseDatabaseWrapper) -> bool:
    """Create SQLite's search table and triggers where missing, and rebuild it if they were.

    Returns whether anything was missing. A no-op on other databases, and on a SQLite
    database without the resource table (before the first migrate).
    """
    if db.vendor != "sqlite":
        return False
    with db.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE name = 'repository_resource' OR "
            "(type = 'trigger' AND tbl_name = 'repository_resource') OR name = %s",
            ["repository_resource_fts"],
        )
        present = {row[0] for row in cursor.fetchall()}
        if "repository_resource" not in present:
            return False
        if TRIGGERS | {"repository_resource_fts"} <= present:
            return False
        for statement in SQLITE_INDEX:
            cursor.execute(statement)
        # Rows written while the triggers were missing are indexed again from the table.
        cursor.execute(REBUILD)
    return True


def drop_sqlite_index(db: BaseDatabaseWrapper) -> None:
    if db.vendor != "sqlite":
        return
    with db.cursor() as cursor:
        for name in sorted(TRIGGERS):
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        cursor.execute("DROP TABLE IF EXISTS repository_resource_fts")
