"""Populate an instance for the backup test, or export every version's tree from one.

Run as a separate process against the instance named by DATABASE_URL and BLOB_STORAGE_DIR:
`python -m tests.repository.management.store_instance populate|export FOLDER`. `populate`
deposits through the real actions (two versions of a multi-licence explorable, a second
tool, a fork sharing their blobs) and writes the deposited files under FOLDER/deposited/;
`export` writes each version's tree, read back through the blob store, under
FOLDER/<institution>/<resource>/v<number>/ plus FOLDER/trees.json ({address: {path: sha}}).
"""

import json
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import django

if TYPE_CHECKING:
    from repository.models import Version


def populate(folder: Path) -> None:
    from repository.actions.deposits import deposit_package
    from repository.actions.forks import fork_version
    from repository.models import Membership
    from tests.factories import (
        InstitutionFactory,
        MembershipFactory,
        UserFactory,
        build_zip,
        manifest,
        multi_licence_tool,
        tool_files,
        validated,
    )

    northfield = InstitutionFactory.create(slug="northfield", name="Northfield University")
    southbank = InstitutionFactory.create(slug="southbank", name="Southbank College")
    bob = UserFactory.create(email="bob@northfield.ac.uk", username="bob@northfield.ac.uk")
    dana = UserFactory.create(email="dana@southbank.ac.uk", username="dana@southbank.ac.uk")
    MembershipFactory.create(user=bob, institution=northfield, role=Membership.Role.STAFF)
    MembershipFactory.create(user=dana, institution=southbank, role=Membership.Role.STAFF)

    files, data = multi_licence_tool()
    second = {**files, "data/planets.json": '[{"name": "Jupiter, géante gazeuse"}]'.encode()}
    second["notes/leçon.md"] = "# Leçon\n\nOrbites elliptiques : l'excentricité.\n".encode()
    counter = tool_files(**{"data/ünïcode.json": '{"greeting": "こんにちは"}'.encode()})
    packages = [
        ("explorable-v1", files, data, None),
        ("explorable-v2", second, data, "explorable-v1"),
        ("counter-v1", counter, manifest(title="Counter"), None),
    ]
    deposited: dict[str, Version] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for label, tree, manifest_data, previous in packages:
            zip_path = build_zip(Path(scratch) / f"{label}.zip", tree, manifest_data=manifest_data)
            resource = deposited[previous].resource if previous else None
            version = deposit_package(
                package=zip_path, institution=northfield, by=bob, resource=resource
            )
            validated(version.pk)
            deposited[label] = version
            for path, content in tree.items():
                target = folder / "deposited" / address_folder(version) / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(content)
    deposited["explorable-v2"].refresh_from_db()
    fork_version(deposited["explorable-v2"], into=southbank, by=dana, title="Orbits, our way")


def export(folder: Path) -> None:
    from repository.models import Version
    from repository.storage.blobs import read_blob

    trees: dict[str, dict[str, str]] = {}
    versions = Version.objects.select_related("resource__institution").order_by("pk")
    for version in versions:
        tree = trees.setdefault(str(address_folder(version)), {})
        for path, sha in version.files.values_list("path", "blob_id"):
            tree[path] = sha
            target = folder / address_folder(version) / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(read_blob(sha))  # checks the hash as it reads
    (folder / "trees.json").write_text(json.dumps(trees, indent=1, sort_keys=True))


def address_folder(version: "Version") -> Path:
    return Path(version.resource.institution.slug, version.resource.slug, f"v{version.number}")


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "deploy.settings")
    django.setup()
    {"populate": populate, "export": export}[sys.argv[1]](Path(sys.argv[2]))
