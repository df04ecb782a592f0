"""Management commands: deposit from the command line, and blob garbage collection."""

import pytest
from django.core.management import CommandError, call_command

from repository.actions.deposits import deposit_package
from repository.models import Blob, Version
from repository.storage import blobs
from tests.factories import build_zip, tool_files


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
    orphan, _ = blobs.put_bytes(b"nobody uses me")  # a row, no reference
    stray, _ = blobs.put_bytes(b"stored but never recorded")
    Blob.objects.filter(sha256=stray).delete()  # bytes without a row
    call_command("collect_blobs", "--grace-hours", "0")
    assert set(Blob.objects.values_list("sha256", flat=True)) == set(
        version.files.values_list("blob_id", flat=True)
    )
    remaining = {p.name for p in blob_folder.rglob("*") if p.is_file()}
    assert remaining == set(version.files.values_list("blob_id", flat=True))
    assert orphan not in remaining and stray not in remaining


def test_collect_blobs_grace_period_protects_young_files(blob_folder, db):
    young, _ = blobs.put_bytes(b"just stored")
    call_command("collect_blobs")
    assert any(p.name == young for p in blob_folder.rglob("*"))


def test_collect_blobs_keeps_validation_artefacts(package, northfield, staff, blob_folder):
    from repository.actions.validation import validate_version
    from repository.models import ValidationStep

    version = deposit_package(package=package, institution=northfield, by=staff)
    run = validate_version(version.pk)
    screenshot, _ = blobs.put_bytes(b"\x89PNG pretend screenshot")
    ValidationStep.objects.filter(run=run, name="run").update(artefacts={"screenshot": screenshot})
    call_command("collect_blobs", "--grace-hours", "0")
    assert blobs.read_blob(screenshot) == b"\x89PNG pretend screenshot"


def test_collect_blobs_spares_bytes_a_deposit_has_touched_but_not_yet_referenced(blob_folder, db):
    # A deposit touches its rows first (committed), then stores bytes, then creates the version.
    content = b"arriving"
    sha, _ = blobs.put_bytes(content)
    call_command("collect_blobs", "--grace-hours", "1")
    assert blobs.read_blob(sha) == content


def test_collect_blobs_on_a_fresh_install_with_no_blob_folder(blob_folder, db, capsys):
    call_command("collect_blobs", "--grace-hours", "0")
    assert "0 unused blob(s) deleted" in capsys.readouterr().out


def test_load_demo_publishes_a_fork_a_remix_and_a_merged_student_contribution_once(
    db, capsys, settings
):
    from repository.models import Contribution, Derivation, Institution, Resource, Version

    settings.VALIDATION_RUN_CONTENT = True  # published only once really run, here, in Chromium

    call_command("load_demo")
    call_command("load_demo")
    assert set(Institution.objects.values_list("slug", flat=True)) == {
        "northfield",
        "southbank",
        "lakeside",
    }
    assert sorted(Resource.objects.values_list("kind", "institution__slug")) == [
        ("scenario", "southbank"),
        ("tool", "lakeside"),
        ("tool", "northfield"),
        ("tool", "southbank"),
    ]
    edges = sorted(
        (d.kind, d.parent.resource.institution.slug, d.child.resource.institution.slug)
        for d in Derivation.objects.select_related(
            "parent__resource__institution", "child__resource__institution"
        )
    )
    assert edges == [
        ("fork", "northfield", "lakeside"),
        ("merge", "northfield", "northfield"),
        ("remix", "northfield", "southbank"),
        ("remix", "southbank", "southbank"),
    ]
    # Every demo version is published, so visitors can see each feature.
    assert set(Version.objects.values_list("state", flat=True)) == {Version.State.PUBLISHED}
    merged = Contribution.objects.get()
    assert merged.state == Contribution.State.MERGED
    assert merged.merged_version is not None
    assert merged.merged_version.contributors == ["Charlie Reed"]
    assert capsys.readouterr().out.endswith("Demo content already loaded.\n")


def test_a_package_holding_the_same_bytes_twice_deposits_with_one_blob(
    tmp_path, northfield, staff, blob_folder
):
    # On PostgreSQL the blob rows' upsert once refused a hash that came twice in one statement.
    same = b"/* shared helper */\nexport const TAU = 2 * Math.PI;\n"
    package = build_zip(
        tmp_path / "twice.zip", tool_files(**{"a/util.js": same, "b/util.js": same})
    )
    version = deposit_package(package=package, institution=northfield, by=staff)
    shas = dict(version.files.values_list("path", "blob_id"))
    assert shas["a/util.js"] == shas["b/util.js"]
    assert blobs.read_blob(shas["a/util.js"]) == same
