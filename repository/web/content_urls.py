"""URLs answered on the content origin, and nothing else."""

from django.urls import path

from repository.web import content

urlpatterns = [
    path("v/<int:version_id>/<path:path>", content.public_file, name="content_file"),
    path("p/<str:token>/<path:path>", content.preview_file, name="content_preview"),
]
