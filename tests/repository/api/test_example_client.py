"""The worked-example API client, run as a program against a live site and a real worker."""

import subprocess
import sys

import pytest

from repository.actions.api_clients import register_api_client
from repository.models import Version
from tests.factories import build_zip, manifest, tool_files
from tests.worker import ROOT, celery_worker

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def run_client(
    site: str, client, secret: str, package, *extra: str
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "repository.api.example_client", str(package), "--site", site]
    # `--client-secret=…` in one argument: a generated secret may start with "-", which argparse
    # would otherwise read as the next option.
    command += ["--client-id", client.application.client_id, f"--client-secret={secret}", *extra]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180)


def test_exit_codes_follow_the_verdict_and_resource_adds_a_version(
    live_server, admin, northfield, tmp_path, blob_folder
):
    client, secret = register_api_client(institution=northfield, name="Our VLE", by=admin)
    external = {
        **tool_files(),
        "index.html": b'<script src="https://cdn.example.org/x.js"></script>',
    }
    failing = build_zip(tmp_path / "failing.zip", external)
    with celery_worker(blob_dir=blob_folder, run_content=False):
        failed = run_client(live_server.url, client, secret, failing)
        assert failed.returncode == 1, failed.stdout + failed.stderr
        assert "Verdict: failed" in failed.stdout

        first = Version.objects.get()
        fixed = build_zip(tmp_path / "fixed.zip", manifest_data=manifest(changelog="No CDN."))
        second = run_client(
            live_server.url, client, secret, fixed, "--resource", str(first.resource_id)
        )
    # The run step cannot run on this worker, so the honest verdict is "not run" (exit 2).
    assert second.returncode == 2, second.stdout + second.stderr
    assert "Verdict: not run" in second.stdout
    assert list(first.resource.versions.values_list("number", flat=True)) == [2, 1]


def test_a_refused_deposit_exits_5_with_the_reason(live_server, admin, northfield, tmp_path):
    client, secret = register_api_client(institution=northfield, name="Our VLE", by=admin)
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"not a zip")
    refused = run_client(live_server.url, client, secret, broken)
    assert refused.returncode == 5
    assert "Refused (" in refused.stdout and "zip" in refused.stdout
    assert not Version.objects.exists()
