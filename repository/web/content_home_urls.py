"""URLs answered on the bare content host: only redirects from the old per-path addresses."""

from django.urls import path

from repository.web import content

urlpatterns = [
    path("v/<int:version_id>/<path:path>", content.legacy_public_file, name="content_legacy"),
]
