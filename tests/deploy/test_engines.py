"""The production engines, for real: a worker on RabbitMQ, blobs in S3-compatible storage."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from repository.actions.deposits import deposit_package
from repository.actions.forks import fork_version
from repository.models import Version
from repository.storage import blobs
from tests.conftest import forget_blob_storage
from tests.factories import validated
from tests.worker import ROOT, celery_worker, deposit_command, wait_for, worker_database_url

RABBITMQ = "amqp://guest:guest@127.0.0.1:5672//"


def reachable(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def require_service(port: int, name: str) -> None:
    # A skip, which fails the run in CI (tests/skip_gate.py): there .ci/run starts the service.
    if not reachable(port):
        pytest.skip(f"{name} is not running on 127.0.0.1:{port}")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_worker_on_rabbitmq_validates_a_deposit_made_by_another_process(
    package, northfield, staff, blob_folder
):
    require_service(5672, "RabbitMQ")
    env = {
        **os.environ,
        "CELERY_BROKER_URL": RABBITMQ,
        "DATABASE_URL": worker_database_url(),
        "BLOB_STORAGE_DIR": str(blob_folder),
    }
    with celery_worker(blob_dir=blob_folder, run_content=False, broker=RABBITMQ):
        subprocess.run(
            deposit_command(package, staff.email),
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        version = Version.objects.get()

        def judged() -> bool:
            version.refresh_from_db()
            # This worker runs no content: the honest verdict is not run, never published.
            return version.state == Version.State.NOT_RUN

        assert wait_for(judged), f"still {version.state}"


@pytest.fixture
def s3_storage(settings, tmp_path):
    """A moto S3 server on a free port, with the blob storage pointed at it."""
    boto3 = pytest.importorskip("boto3")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "moto_server"), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert wait_for(lambda: reachable(port), timeout=30), "moto_server did not start"
        endpoint = f"http://127.0.0.1:{port}"
        client = boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id="k",
            aws_secret_access_key="s",
            region_name="us-east-1",
        )
        client.create_bucket(Bucket="remixbank-test")
        settings.STORAGES = {
            **settings.STORAGES,
            "blobs": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": "remixbank-test",
                    "endpoint_url": endpoint,
                    "access_key": "k",
                    "secret_key": "s",
                    "region_name": "us-east-1",
                    "file_overwrite": False,
                    "default_acl": None,
                },
            },
        }
        forget_blob_storage()
        yield client
    finally:
        forget_blob_storage()
        server.terminate()
        server.wait(timeout=10)


def bucket_keys(client) -> set[str]:
    return {o["Key"] for o in client.list_objects_v2(Bucket="remixbank-test").get("Contents", [])}


def test_blobs_live_in_s3_compatible_storage(
    s3_storage, package, northfield, staff, southbank, outsider
):
    version = deposit_package(package=package, institution=northfield, by=staff)
    keys = bucket_keys(s3_storage)
    shas = set(version.files.values_list("blob_id", flat=True))
    assert {k.rsplit("/", 1)[-1] for k in keys} == shas
    validated(version.pk)  # reads every blob back over S3 and checks its hash
    version.refresh_from_db()
    assert version.state == Version.State.PUBLISHED
    fork_version(version, into=southbank, by=outsider)
    assert bucket_keys(s3_storage) == keys  # a fork stores nothing
    orphan, _ = blobs.put_bytes(b"unreferenced")
    assert orphan in {k.rsplit("/", 1)[-1] for k in bucket_keys(s3_storage)}
    time.sleep(0.01)
    call_command("collect_blobs", "--grace-hours", "0")
    assert {k.rsplit("/", 1)[-1] for k in bucket_keys(s3_storage)} == shas
