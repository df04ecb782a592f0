"""Helpers shared by the page tests: publish a version, a version's URL, the cards' titles."""

from django.urls import reverse

from repository.actions.deposits import deposit_package
from repository.models import Version
from tests.factories import build_zip, manifest, validated


def version_url(version: Version, name: str = "version", *extra: object) -> str:
    return reverse(
        name,
        args=[version.resource.institution.slug, version.resource.slug, version.number, *extra],
    )


def publish(tmp_path, institution, by, name="p", **fields):
    package = build_zip(tmp_path / f"{name}.zip", manifest_data=manifest(**fields))
    version = deposit_package(package=package, institution=institution, by=by)
    validated(version.pk)
    version.refresh_from_db()
    return version


def titles(response) -> list[str]:
    return [c["resource"].title for c in response.context["cards"]]
