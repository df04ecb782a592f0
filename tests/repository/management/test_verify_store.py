"""`manage.py verify_store` in-process: a sound store passes; damage is named and fails."""

import pytest
from django.core.management import CommandError, call_command

from repository.actions.deposits import deposit_package
from repository.actions.forks import fork_version
from repository.models.blobs import storage_name
from repository.storage import blobs
from tests.factories import build_zip, multi_licence_tool, validated


@pytest.fixture
def explorable(tmp_path, northfield, staff, blob_folder):
    files, data = multi_licence_tool()
    version = deposit_package(
        package=build_zip(tmp_path / "explorable.zip", files, manifest_data=data),
        institution=northfield,
        by=staff,
    )
    validated(version.pk)
    version.refresh_from_db()
    return version


def address(version) -> str:
    return f"{version.resource.institution.slug}/{version.resource.slug} v{version.number}"


def test_a_sound_store_passes_with_a_summary(explorable, capsys):
    call_command("verify_store")
    out = capsys.readouterr().out
    count = explorable.files.count()
    assert out.startswith("Store OK: ") and f"{count} version file(s)" in out


def test_a_flipped_byte_and_a_deleted_blob_are_named_for_the_version_and_its_fork(
    explorable, blob_folder, southbank, outsider, capsys
):
    fork = fork_version(explorable, into=southbank, by=outsider)
    damaged = explorable.files.get(path="js/physics.js").blob_id
    missing = explorable.files.get(path="index.html").blob_id
    path = blob_folder / storage_name(damaged)
    content = bytearray(path.read_bytes())
    content[0] ^= 0x80
    path.write_bytes(bytes(content))
    blobs.delete_blob(missing)

    with pytest.raises(CommandError, match=r"^\d+ problem\(s\) found"):
        call_command("verify_store")
    out = capsys.readouterr().out
    for version in (explorable, fork):
        assert f"DAMAGED: {address(version)} js/physics.js blob {damaged}" in out
        assert f"MISSING: {address(version)} index.html blob {missing}" in out


def test_quick_checks_presence_and_size_without_reading(explorable, blob_folder, capsys):
    truncated = explorable.files.get(path="js/main.js").blob_id
    path = blob_folder / storage_name(truncated)
    path.write_bytes(path.read_bytes()[:-1])
    with pytest.raises(CommandError):
        call_command("verify_store", "--quick")
    assert f"DAMAGED: {address(explorable)} js/main.js blob {truncated}" in capsys.readouterr().out


def test_a_damaged_blob_no_version_uses_is_still_reported(blob_folder, db, capsys):
    sha, _ = blobs.put_bytes(b"a screenshot nobody's tree holds")
    blobs.delete_blob(sha)
    with pytest.raises(CommandError):
        call_command("verify_store", "--quick")
    assert f"MISSING: (used by no version) blob {sha}" in capsys.readouterr().out
