"""Full-text search on SQLite: an FTS5 table over resources' title and summary, kept by triggers.

PostgreSQL has its GIN index (migration 0003) and gets nothing here. The statements live in
repository/models/search.py, which also restores the triggers after later migrations (SQLite drops a
table's triggers when Django rebuilds the table).
"""

from django.db import migrations


def create_index(apps, schema_editor):
    from repository.models.search import ensure_sqlite_index

    ensure_sqlite_index(schema_editor.connection)


def drop_index(apps, schema_editor):
    from repository.models.search import drop_sqlite_index

    drop_sqlite_index(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("repository", "0008_variant_run_public_ids"),
    ]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
