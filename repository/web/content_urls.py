"""URLs answered on a version's origin (`v<id>-<token>.<content host>`): its files, nothing else."""

from django.urls import path

from repository.web import content

urlpatterns = [
    path("", content.version_file, name="content_file"),
    path("<path:path>", content.version_file, name="content_file"),
]
