"""`manage.py deposit`: the full address, and --wait following a real worker to its verdict."""

import pytest
from django.core.management import CommandError, call_command

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
def test_wait_exits_2_when_the_tool_could_not_be_run_here(
    package, northfield, staff, blob_folder, capsys
):
    with (
        celery_worker(blob_dir=blob_folder, run_content=False),
        pytest.raises(CommandError, match="Validation: not run") as refused,
    ):
        deposit(package, staff, *WAIT)
    assert refused.value.returncode == 2
    assert "  run: skipped" in capsys.readouterr().out
