"""Full-text search over resources' title and summary: a GIN index, on PostgreSQL only.

The index is an expression index kept out of the model state on purpose: SQLite has no
equivalent (migration 0009 gives it FTS5 instead), and repository/models/search.py (SEARCH_VECTOR) spells the very same
expression so that PostgreSQL's planner can use it. Change both together.
"""

from django.db import migrations

CREATE = """
CREATE INDEX IF NOT EXISTS resource_search_gin ON repository_resource USING gin (
    to_tsvector('english'::regconfig, COALESCE(title, '') || ' ' || COALESCE(summary, ''))
)
"""
DROP = "DROP INDEX IF EXISTS resource_search_gin"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("repository", "0002_api_client"),
    ]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
