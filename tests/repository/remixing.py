"""Helpers shared by the remix, lineage, contribution, upstream and credit tests."""

from pathlib import Path
from typing import Any

from repository.actions.deposits import deposit_package
from repository.models import Institution, Membership, Resource, Version
from tests import factories
from tests.conftest import member
from tests.factories import InstitutionFactory, build_zip, manifest, tool_files


def published(
    tmp_path: Path,
    institution: Institution,
    by,
    *,
    files: dict[str, bytes] | None = None,
    resource: Resource | None = None,
    **fields: Any,
) -> Version:
    """Deposit a tool package, validate it (content runs are off in tests) and return it published."""
    n = len(list(tmp_path.glob("*.zip")))
    package = build_zip(
        tmp_path / f"p{n}.zip", files or tool_files(), manifest_data=manifest(**fields)
    )
    version = deposit_package(package=package, institution=institution, by=by, resource=resource)
    factories.validated(version.pk)
    version.refresh_from_db()
    assert version.state == Version.State.PUBLISHED, [
        list(r.steps.all()) for r in version.validation_runs.all()
    ]
    return version


def validated(version: Version) -> Version:
    factories.validated(version.pk)
    version.refresh_from_db()
    return version


def eastgate_staff():
    eastgate = InstitutionFactory.create(slug="eastgate", name="Eastgate Institute")
    return eastgate, member(eastgate, "erin@eastgate.ac.uk", "Erin", Membership.Role.STAFF)
