"""The licence and content validation steps, on real deposited versions."""

import pytest

from repository.actions.deposits import deposit_package
from repository.actions.forks import fork_version
from repository.actions.validation import validate_version
from repository.errors import PackageRefused
from repository.models import Derivation, Version
from repository.validation.steps import check_content, check_licence
from tests.factories import build_zip, manifest, stored_version, tool_files

CC_BY_NC_DEED = b"This work is licensed under https://creativecommons.org/licenses/by-nc/4.0/\n"


def deposit(tmp_path, northfield, staff, files=None, **manifest_overrides):
    package = build_zip(tmp_path / "p.zip", files, manifest_data=manifest(**manifest_overrides))
    return deposit_package(package=package, institution=northfield, by=staff)


def test_licence_file_that_disagrees_with_the_manifest_is_refused_saying_which_wins(
    tmp_path, northfield, staff, blob_folder
):
    with pytest.raises(PackageRefused) as refused:
        deposit(tmp_path, northfield, staff, tool_files(LICENSE=CC_BY_NC_DEED))
    message = refused.value.message
    assert (
        "LICENSE names CC-BY-NC-4.0, but remixbank.json says the package as a whole is CC-BY-SA-4.0"
        in message
    )
    assert "remixbank.json wins" in message
    assert "replace LICENSE with the text of CC BY-SA 4.0" in message
    assert not Version.objects.exists()
    assert not [p for p in blob_folder.rglob("*") if p.is_file()]


def test_a_stored_version_whose_licence_file_disagrees_fails_the_licence_step(db):
    version = stored_version(
        {**tool_files(), "LICENSE": CC_BY_NC_DEED}, licence="CC-BY-SA-4.0", state="uploaded"
    )
    outcome = check_licence(version)
    assert outcome.status == "failed"
    assert "LICENSE names CC-BY-NC-4.0, but remixbank.json says" in outcome.messages[0]


def test_licence_file_that_agrees_passes(tmp_path, northfield, staff):
    version = deposit(
        tmp_path, northfield, staff, tool_files(LICENSE=CC_BY_NC_DEED), license="CC-BY-NC-4.0"
    )
    assert check_licence(version).status == "passed"


def test_derived_work_must_carry_a_licence_its_sources_allow(
    tmp_path, northfield, staff, southbank, outsider
):
    source = deposit(tmp_path, northfield, staff)
    validate_version(source.pk)
    source.refresh_from_db()
    fork = fork_version(source, into=southbank, by=outsider)
    assert check_licence(fork).status == "passed"
    # A version recorded as derived from a BY-NC-SA work while carrying BY-SA breaks the rules.
    nc_source = deposit(tmp_path, northfield, staff, license="CC-BY-NC-SA-4.0")
    Derivation.objects.create(child=fork, parent=nc_source, kind=Derivation.Kind.REMIX)
    outcome = check_licence(fork)
    assert outcome.status == "failed"
    assert "BY-NC-SA" in outcome.messages[0]


def test_undeclared_external_script_fails_the_content_step(tmp_path, northfield, staff):
    page = b'<!doctype html><script src="https://cdn.example.com/lib.js"></script><p>x</p>'
    version = deposit(tmp_path, northfield, staff, {"index.html": page})
    outcome = check_content(version)
    assert outcome.status == "failed"
    assert (
        "Loads https://cdn.example.com/lib.js from outside the package (in index.html)"
        in outcome.messages[0]
    )


def test_declared_external_resource_is_reported_not_failed(tmp_path, northfield, staff):
    page = b'<!doctype html><link rel="stylesheet" href="//fonts.example.org/a.css"><p>x</p>'
    version = deposit(
        tmp_path,
        northfield,
        staff,
        {"index.html": page},
        external_resources=["//fonts.example.org/a.css"],
    )
    outcome = check_content(version)
    assert outcome.status == "passed"
    assert "declared in external_resources" in outcome.messages[0]


def test_html_in_metadata_is_reported_as_shown_as_text(tmp_path, northfield, staff):
    version = deposit(tmp_path, northfield, staff, title="<b>Bold</b> title")
    outcome = check_content(version)
    assert outcome.status == "passed"
    assert "title contains HTML; it is shown as plain text" in outcome.messages[0]


def test_failed_content_step_fails_the_version(tmp_path, northfield, staff):
    page = b'<!doctype html><script src="http://evil.example/x.js"></script>'
    version = deposit(tmp_path, northfield, staff, {"index.html": page})
    run = validate_version(version.pk)
    assert run is not None
    version.refresh_from_db()
    assert version.state == Version.State.FAILED
    assert [s.name for s in run.steps.all()] == ["package", "licence", "content"]


def test_run_steps_are_recorded_as_skipped_when_content_runs_are_off(tmp_path, northfield, staff):
    from repository.actions.deposits import deposit_package
    from repository.management.commands.load_demo import (
        SCENARIO_DIR,
        scenario_manifest,
        zip_folder,
    )

    package = zip_folder(SCENARIO_DIR, tmp_path / "scenario.zip", scenario_manifest())
    version = deposit_package(package=package, institution=northfield, by=staff)
    run = validate_version(version.pk)
    assert run is not None
    assert run.steps.get(name="run").status == "skipped"


def test_the_package_step_checks_a_scenario_file_without_running_it(tmp_path, northfield, staff):
    """A starter that is not there fails the package step at once, saying what to fix."""
    import shutil

    from repository.actions.deposits import deposit_package
    from repository.actions.validation import validate_version
    from repository.management.commands.load_demo import (
        SCENARIO_DIR,
        scenario_manifest,
        zip_folder,
    )

    folder = tmp_path / "scenario"
    shutil.copytree(SCENARIO_DIR, folder)
    (folder / "student_controller.py").unlink()
    package = zip_folder(folder, tmp_path / "scenario.zip", scenario_manifest())
    version = deposit_package(package=package, institution=northfield, by=staff)
    run = validate_version(version.pk)
    assert run is not None
    step = run.steps.get(name="package")
    assert step.status == "failed"
    assert any(
        m.startswith("hill_tracker.json: ") and "student_controller.py" in m for m in step.messages
    ), step.messages
    assert not run.steps.filter(name="run").exists()
