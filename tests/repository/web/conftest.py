"""Fixtures of the page tests: one published version, and a small catalogue of three."""

import pytest

from repository.actions.deposits import deposit_package
from tests.factories import validated
from tests.repository.web.pages import publish


@pytest.fixture
def published(package, northfield, staff):
    version = deposit_package(package=package, institution=northfield, by=staff)
    validated(version.pk)
    version.refresh_from_db()
    return version


@pytest.fixture
def catalogue(tmp_path, northfield, southbank, staff, outsider):
    return [
        publish(tmp_path, northfield, staff, "a", title="Optics bench", subjects=["physics"]),
        publish(tmp_path, northfield, staff, "b", title="Fractions", license="CC-BY-NC-4.0"),
        publish(tmp_path, southbank, outsider, "c", title="Levers", level="primary"),
    ]
