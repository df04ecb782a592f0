"""Per-student variants of a published scenario, run in the sims sandbox on request."""

import pytest
from django.urls import reverse

from repository.actions.deposits import deposit_package
from repository.actions.validation import validate_version
from repository.actions.variants import execute_variant_run, request_variant_run
from repository.errors import DomainError
from repository.management.commands.load_demo import SCENARIO_DIR, scenario_manifest, zip_folder
from repository.models import VariantRun


@pytest.fixture
def scenario(tmp_path, northfield, staff):
    package = zip_folder(SCENARIO_DIR, tmp_path / "scenario.zip", scenario_manifest())
    version = deposit_package(package=package, institution=northfield, by=staff)
    validate_version(version.pk)
    version.refresh_from_db()
    return version


def test_a_student_runs_their_variant_and_sees_its_checks_and_plots(
    client, scenario, student, django_capture_on_commit_callbacks
):
    from repository.actions.variants import version_scenario
    from sims.variants import variant

    client.force_login(student)
    args = ["northfield", scenario.resource.slug, scenario.number]
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(reverse("version_variant_runs", args=args), {"student": "s1234"})
    run = VariantRun.objects.get()
    assert response["Location"] == reverse("version_variant_run", args=[*args, run.pk])
    assert len(queued) == 1
    assert run.parameters == variant(version_scenario(scenario), "s1234")
    run = execute_variant_run(run.pk)  # what the sandbox worker does
    assert run.state in {VariantRun.State.PASSED, VariantRun.State.FAILED}, run.messages
    assert any("energy" in m for m in run.messages)
    page = client.get(reverse("version_variant_run", args=[*args, run.pk])).content.decode()
    plot = next(f for f in run.files if f["name"].endswith(".png"))
    url = reverse("version_variant_run_file", args=[*args, run.pk, plot["sha256"], plot["name"]])
    assert url in page
    assert b"".join(client.get(url).streaming_content).startswith(b"\x89PNG")


def test_the_same_variant_is_run_once(scenario, student, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        first = request_variant_run(scenario, student_id="s1", by=student)
    execute_variant_run(first.pk)
    with django_capture_on_commit_callbacks() as again:
        second = request_variant_run(scenario, student_id="s1", by=student)
    assert second.pk == first.pk
    assert (len(queued), len(again)) == (1, 0)


def test_a_variant_needs_a_student_id_and_a_scenario_with_variants(
    scenario, student, package, northfield, staff
):
    with pytest.raises(DomainError, match="student id"):
        request_variant_run(scenario, student_id="  ", by=student)
    tool = deposit_package(package=package, institution=northfield, by=staff)
    validate_version(tool.pk)
    tool.refresh_from_db()
    with pytest.raises(DomainError, match="declares no variants"):
        request_variant_run(tool, student_id="s1", by=student)
    assert not VariantRun.objects.exists()
