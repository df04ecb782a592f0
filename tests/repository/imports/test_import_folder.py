"""Bulk import of a folder: every package deposited, refused with its reason, or a duplicate."""

import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from repository.actions.imports import DEPOSITED, DUPLICATE, REFUSED, import_folder
from repository.models import Blob, Resource, Version
from tests.factories import (
    build_zip,
    explorable_files,
    explorable_manifest,
    features_manifest,
    features_tool_files,
    multi_licence_tool,
)
from tests.packages import h5p_package, scorm_package

GOOD = {
    "atelier-des-mots.zip": "Atelier des mots",
    "lune/phases-de-la-lune.zip": "Les phases de la Lune",
    "lune/marées.zip": "Les marées",
    "multi-licence.zip": None,  # its title comes from multi_licence_tool
    "planetes.h5p": "Planètes : le quiz",
    "scorm/cours-12.zip": None,
}


def authority_folder(root: Path) -> Path:
    """An authority's folder as it comes: tools, H5P, SCORM, a copy, a broken zip, a stray note."""
    folder = root / "authority"
    (folder / "lune").mkdir(parents=True)
    (folder / "scorm").mkdir()
    build_zip(
        folder / "atelier-des-mots.zip", features_tool_files(), manifest_data=features_manifest()
    )
    build_zip(
        folder / "lune/phases-de-la-lune.zip",
        explorable_files(seed=1),
        manifest_data=explorable_manifest(),
    )
    build_zip(
        folder / "lune/marées.zip",
        explorable_files(seed=2, images=2),
        manifest_data={**explorable_manifest(), "title": "Les marées"},
    )
    files, data = multi_licence_tool()
    build_zip(folder / "multi-licence.zip", files, manifest_data=data)
    h5p_package(folder / "planetes.h5p")
    scorm_package(folder / "scorm/cours-12.zip", "1.2")
    # The same bytes under another name, as a second copy on a shared drive would be.
    shutil.copy(folder / "atelier-des-mots.zip", folder / "zz-copie-atelier.zip")
    whole = (folder / "lune/marées.zip").read_bytes()
    (folder / "broken.zip").write_bytes(whole[: len(whole) // 2])
    build_zip(folder / "no-manifest.zip", features_tool_files(), manifest_data="omit")
    (folder / "LISEZMOI.txt").write_text("Ressources de l'académie, rangées par thème.\n")
    (folder / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    return folder


def by_name(report):
    return {o.name: o for o in report.outcomes}


def test_a_mixed_folder_is_deposited_refused_or_reported_duplicate_one_by_one(
    tmp_path, northfield, staff
):
    folder = authority_folder(tmp_path)
    seen: list[tuple[int, int, str]] = []
    report = import_folder(
        folder,
        institution=northfield,
        by=staff,
        on_outcome=lambda i, n, o: seen.append((i, n, o.name)),
    )
    outcomes = by_name(report)
    assert ".DS_Store" not in outcomes
    assert [i for i, _, _ in seen] == list(range(1, 11))
    assert {n for _, n, _ in seen} == {10}
    for name, title in GOOD.items():
        assert outcomes[name].status == DEPOSITED, outcomes[name].message
        if title:
            assert outcomes[name].version.resource.title == title
    assert outcomes["planetes.h5p"].version.manifest["package"]["format"] == "h5p"
    assert outcomes["scorm/cours-12.zip"].version.manifest["package"]["format"] == "scorm-1.2"
    copy = outcomes["zz-copie-atelier.zip"]
    assert copy.status == DUPLICATE
    assert copy.version == outcomes["atelier-des-mots.zip"].version
    assert "Atelier des mots v1" in copy.message
    assert outcomes["broken.zip"].status == REFUSED
    assert "zip" in outcomes["broken.zip"].message
    assert outcomes["no-manifest.zip"].status == REFUSED
    assert "has no remixbank.json at its root" in outcomes["no-manifest.zip"].message
    assert outcomes["LISEZMOI.txt"].status == REFUSED
    assert "Not a package" in outcomes["LISEZMOI.txt"].message
    assert report.summary == (
        "10 packages: 6 deposited, 1 duplicates of existing content, 3 refused."
    )
    # The refused packages left nothing: only the deposited versions' files are stored.
    assert Resource.objects.count() == 6
    assert Version.objects.count() == 6
    stored = {
        sha for v in Version.objects.all() for sha in v.files.values_list("blob_id", flat=True)
    }
    assert set(Blob.objects.values_list("sha256", flat=True)) == stored


def test_a_re_run_deposits_nothing_and_reports_every_package_as_a_duplicate(
    tmp_path, northfield, staff
):
    folder = authority_folder(tmp_path)
    first = by_name(import_folder(folder, institution=northfield, by=staff))
    blobs = Blob.objects.count()
    again = by_name(import_folder(folder, institution=northfield, by=staff))
    for name in GOOD:
        assert again[name].status == DUPLICATE, again[name].message
        assert again[name].version == first[name].version
    assert again["broken.zip"].status == REFUSED
    assert Version.objects.count() == 6
    assert Blob.objects.count() == blobs


def test_another_institution_importing_the_same_folder_gets_its_own_resources(
    tmp_path, northfield, staff, southbank, outsider
):
    folder = authority_folder(tmp_path)
    import_folder(folder, institution=northfield, by=staff)
    theirs = by_name(import_folder(folder, institution=southbank, by=outsider))
    assert theirs["atelier-des-mots.zip"].status == DEPOSITED
    assert theirs["atelier-des-mots.zip"].version.resource.institution == southbank


def test_someone_who_may_not_deposit_gets_every_package_refused_and_nothing_stored(
    tmp_path, northfield, student
):
    folder = authority_folder(tmp_path)
    report = import_folder(folder, institution=northfield, by=student)
    assert {o.status for o in report.outcomes} == {REFUSED}
    assert Version.objects.count() == 0
    assert Blob.objects.count() == 0


def test_the_command_prints_progress_and_the_report_and_fails_when_any_was_refused(
    tmp_path, northfield, staff, capsys
):
    folder = authority_folder(tmp_path)
    args = [str(folder), "--institution", "northfield", "--user", staff.email]
    with pytest.raises(CommandError, match="3 packages were refused"):
        call_command("import_folder", *args)
    out = capsys.readouterr().out
    assert "[2/10] atelier-des-mots.zip: deposited" in out
    assert "Refused (3):" in out
    assert "  broken.zip: " in out
    assert "10 packages: 6 deposited, 1 duplicates of existing content, 3 refused." in out


def test_the_command_exits_cleanly_when_every_package_went_in(tmp_path, northfield, staff, capsys):
    folder = tmp_path / "clean"
    folder.mkdir()
    h5p_package(folder / "planetes.h5p")
    args = [str(folder), "--institution", "northfield", "--user", staff.email]
    call_command("import_folder", *args)
    call_command("import_folder", *args)
    out = capsys.readouterr().out
    assert "1 packages: 0 deposited, 1 duplicates of existing content, 0 refused." in out
    assert Version.objects.count() == 1


def test_the_command_names_a_missing_folder(tmp_path, northfield, staff):
    with pytest.raises(CommandError, match="is not a folder"):
        call_command(
            "import_folder",
            str(tmp_path / "nowhere"),
            "--institution",
            "northfield",
            "--user",
            staff.email,
        )


def test_a_symbolic_link_in_the_folder_is_refused_and_not_followed(tmp_path, northfield, staff):
    """A link may point anywhere on the machine (another authority's drop, the site's own
    files): only packages that are in the folder are imported."""
    folder = tmp_path / "authority"
    folder.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    h5p_package(elsewhere / "privé.h5p")
    (folder / "lien-vers-privé.h5p").symlink_to(elsewhere / "privé.h5p")
    scorm_package(folder / "cours-12.zip", "1.2")
    report = by_name(import_folder(folder, institution=northfield, by=staff))
    assert report["cours-12.zip"].status == DEPOSITED
    link = report["lien-vers-privé.h5p"]
    assert link.status == REFUSED
    assert "symbolic link" in link.message
    assert Version.objects.count() == 1
