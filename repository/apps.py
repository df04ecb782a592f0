"""App configuration for the repository domain."""

from django.apps import AppConfig


class RepositoryConfig(AppConfig):
    name = "repository"
    verbose_name = "Remixbank repository"
    default_auto_field = "django.db.models.BigAutoField"
