"""`manage.py deposit`: the full address, and --wait following a real worker to its verdict."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from repository.models import Version
from tests.factories import build_zip, manifest, tool_files
from tests.worker import celery_worker

WAIT = ["--wait", "--timeout", "120"]


def deposit(package, user, *extra: str) -> None:
    call_command(
        "deposit", str(package), "--institution", "northfield", "--user", user.email, *extra
    )


def test_deposit_prints_the_full_address_and_says_validation_is_queued(
    package, northfield, staff, capsys, settings
):
    deposit(package, staff)
    version = Version.objects.get()
    out = capsys.readouterr().out
    assert f"{settings.SITE_URL}{version.get_absolute_url()}" in out
    assert "validation queued" in out


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_wait_prints_every_step_and_returns_when_validation_passed(
    package, northfield, staff, blob_folder, capsys
):
    with celery_worker(blob_dir=blob_folder, run_content=True):
        deposit(package, staff, *WAIT)
    out = capsys.readouterr().out
    for step in ("package", "licence", "content", "run"):
        assert f"  {step}: passed" in out
    assert "Verdict: passed (published)" in out


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_wait_exits_1_when_the_deposit_fails_validation(
    tmp_path, northfield, staff, blob_folder, capsys
):
    files = {**tool_files(), "index.html": b'<script src="https://cdn.example.org/x.js"></script>'}
    package = build_zip(tmp_path / "external.zip", files, manifest_data=manifest())
    with (
        celery_worker(blob_dir=blob_folder, run_content=False),
        pytest.raises(CommandError, match="Validation: failed") as refused,
    ):
        deposit(package, staff, *WAIT)
    assert refused.value.returncode == 1
    assert "  content: failed" in capsys.readouterr().out


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_tool_a_worker_cannot_run_is_not_run_everywhere_and_never_published(
    package, northfield, staff, blob_folder, capsys, client
):
    """A real worker on an installation without Chromium or bubblewrap (VALIDATION_RUN_CONTENT
    off, as the run command sets it there): exit 2, and the page, its badge, the API, the
    e-mail and publication all say not run."""
    from rest_framework.test import APIClient

    with (
        celery_worker(blob_dir=blob_folder, run_content=False),
        pytest.raises(CommandError, match="Validation: not run") as refused,
    ):
        deposit(package, staff, *WAIT)  # publish on pass was asked
    assert refused.value.returncode == 2
    out = capsys.readouterr().out
    assert "  run: skipped" in out
    assert "Verdict: not run (not yet validated)" in out
    version = Version.objects.get()
    assert (version.state, version.published_at) == (Version.State.NOT_RUN, None)
    assert version.resource.latest_published is None
    client.force_login(staff)
    page = client.get(version.get_absolute_url()).content.decode()
    assert "Not yet validated: the validator could not run it (no browser or sandbox" in page
    assert "Validation passed" not in page and "badge-passed" not in page
    status = client.get(
        reverse("version_status", args=["northfield", version.resource.slug, version.number])
    ).json()
    assert status["badge"]["text"].startswith("Not yet validated: the validator could not run")
    api = APIClient()
    api.force_authenticate(staff)
    body = api.get(f"/api/v1/versions/{version.pk}/validation/").json()
    assert (body["verdict"], body["state"], body["run"]["state"]) == (
        "not run",
        "not_run",
        "not_run",
    )
    assert "no browser or sandbox" in body["reasons"][0]
    client.logout()
    assert client.get(version.get_absolute_url()).status_code == 404  # not public
    listed = APIClient().get("/api/v1/versions/").json()["results"]
    assert version.pk not in [v["id"] for v in listed]
