"""App configuration for the repository domain."""

import importlib
from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


class RepositoryConfig(AppConfig):
    name = "repository"
    verbose_name = "Remixbank repository"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(restore_search_index, sender=self)
        # The trusted Celery app, configured from these settings, becomes the current app, so
        # tasks sent from any Django process (web, commands, workers) use this broker.
        importlib.import_module("deploy.celery")


def restore_search_index(using: str = "default", **kwargs: Any) -> None:
    """Put back SQLite's search triggers, which a migration that rebuilds the table drops."""
    from repository.models.search import ensure_sqlite_index

    ensure_sqlite_index(connections[using])
