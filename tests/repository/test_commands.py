"""Management commands: deposit from the command line, and blob garbage collection."""

import pytest
from django.core.management import CommandError, call_command

from repository import blobstore
from repository.actions.deposits import deposit_package
from repository.models import Blob, Version


def test_deposit_command_deposits(package, northfield, staff, capsys):
    call_command("deposit", str(package), "--institution", "northfield", "--user", staff.email)
    version = Version.objects.get()
    assert version.get_absolute_url() in capsys.readouterr().out


def test_deposit_command_reports_a_refusal(tmp_path, northfield, staff):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"nope")
    with pytest.raises(CommandError, match="not a zip file"):
        call_command("deposit", str(bad), "--institution", "northfield", "--user", staff.email)


def test_collect_blobs_keeps_referenced_blobs_and_removes_unused(
    package, northfield, staff, blob_folder
):
    version = deposit_package(package=package, institution=northfield, by=staff)
    orphan, _ = blobstore.put_bytes(b"nobody uses me")
    Blob.objects.create(sha256=orphan, size=14)
    stray, _ = blobstore.put_bytes(b"stored but never recorded")
    call_command("collect_blobs", "--grace-hours", "0")
    assert set(Blob.objects.values_list("sha256", flat=True)) == set(
        version.files.values_list("blob_id", flat=True)
    )
    remaining = {p.name for p in blob_folder.rglob("*") if p.is_file()}
    assert remaining == set(version.files.values_list("blob_id", flat=True))
    assert orphan not in remaining and stray not in remaining


def test_collect_blobs_grace_period_protects_young_files(blob_folder, db):
    young, _ = blobstore.put_bytes(b"just stored")
    call_command("collect_blobs")
    assert any(p.name == young for p in blob_folder.rglob("*"))
