"""Backup and restore as deploy/backup.md says: pg_dump -Fc + a tar of the blob folder, restored
into an empty database and an empty folder, then `manage.py verify_store`.

The instance runs on a PostgreSQL cluster of the test's own (real pg_dump/pg_restore of the
same major version); every command runs as its own process, as an operator would run it.
"""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from repository.models.blobs import storage_name
from tests.services import PrivatePostgres, postgres_bin, private_postgres
from tests.worker import ROOT

TIMEOUT = 600


@dataclass
class Instance:
    database_url: str
    blob_folder: Path
    scratch: Path

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DEBUG": "false",
            "SECRET_KEY": "backup-restore-test-key",
            "DATABASE_URL": self.database_url,
            "STORAGE_BACKEND": "local",
            "BLOB_STORAGE_DIR": str(self.blob_folder),
            "REMIXBANK_DATA_DIR": str(self.scratch / "data"),
            "CELERY_BROKER_URL": "filesystem://",
            "CELERY_BROKER_FOLDER": str(self.scratch / "broker"),
            "VALIDATION_RUN_CONTENT": "false",
        }

    def run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, *command],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        if check and done.returncode != 0:
            pytest.fail(
                f"{' '.join(command)} exited {done.returncode}:\n{done.stdout}{done.stderr}"
            )
        return done

    def verify_store(self, *options: str) -> subprocess.CompletedProcess[str]:
        return self.run("manage.py", "verify_store", *options, check=False)

    def export(self, folder: Path) -> dict[str, dict[str, str]]:
        self.run("-m", "tests.repository.management.store_instance", "export", str(folder))
        return json.loads((folder / "trees.json").read_text())


@dataclass
class Backup:
    cluster: PrivatePostgres
    original: Instance
    restored: Instance
    dump: Path
    blob_archive: Path
    deposited: Path  # the files as deposited, under <institution>/<resource>/v<n>/
    before: Path  # every version's tree exported from the original before the backup
    trees: dict[str, dict[str, str]]


def tool(name: str) -> str:
    """A PostgreSQL client binary; without it the test cannot run (a failure in CI)."""
    return postgres_bin(name)  # skips, naming the binary: tests/skip_gate.py fails it in CI


@pytest.fixture(scope="module")
def backup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Backup]:
    scratch = tmp_path_factory.mktemp("backup")
    pg_dump, pg_restore = tool("pg_dump"), tool("pg_restore")
    with private_postgres() as cluster:
        cluster.create_database("remixbank")
        original = Instance(cluster.url("remixbank"), scratch / "blobs", scratch / "original")
        original.run("manage.py", "migrate", "--no-input")
        original.run("-m", "tests.repository.management.store_instance", "populate", str(scratch))
        before = scratch / "before"
        trees = original.export(before)

        # Back up: the database first, then the blob folder (blobs are only ever added).
        dump = scratch / "remixbank.dump"
        subprocess.run(
            [pg_dump, "-Fc", "--no-owner", "-f", str(dump), "-d", original.database_url],
            check=True,
            timeout=TIMEOUT,
        )
        archive = scratch / "blobs.tar"
        subprocess.run(
            ["tar", "-C", str(original.blob_folder), "-cf", str(archive), "."],
            check=True,
            timeout=TIMEOUT,
        )

        # Restore into an empty database and an empty folder.
        cluster.create_database("restored")
        restored = Instance(cluster.url("restored"), scratch / "restored-blobs", scratch / "r")
        subprocess.run(
            [pg_restore, "--no-owner", "--exit-on-error", "-d", restored.database_url, str(dump)],
            check=True,
            timeout=TIMEOUT,
        )
        restored.blob_folder.mkdir()
        extract(archive, restored.blob_folder)
        yield Backup(
            cluster, original, restored, dump, archive, scratch / "deposited", before, trees
        )


def extract(archive: Path, into: Path) -> None:
    subprocess.run(["tar", "-C", str(into), "-xf", str(archive)], check=True, timeout=TIMEOUT)


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_populated_instance_has_versions_a_fork_sharing_blobs_and_the_deposited_files(backup):
    trees = backup.trees
    assert set(trees) == {
        "northfield/orbits-an-explorable/v1",
        "northfield/orbits-an-explorable/v2",
        "northfield/counter/v1",
        "southbank/orbits-our-way/v1",
    }
    fork, source = trees["southbank/orbits-our-way/v1"], trees["northfield/orbits-an-explorable/v2"]
    shared = set(fork.values()) & set(source.values())
    assert len(shared) > 10, "the fork should reuse the source's blobs, not copy them"
    # Every file as deposited is in its version's tree, byte for byte.
    deposited = files_under(backup.deposited)
    exported = files_under(backup.before)
    assert deposited and all(exported[path] == content for path, content in deposited.items())


def test_restore_into_an_empty_instance_verifies_and_every_file_matches_byte_for_byte(
    backup, tmp_path
):
    done = backup.restored.verify_store()
    assert done.returncode == 0, done.stdout + done.stderr
    blobs = len({sha for tree in backup.trees.values() for sha in tree.values()})
    summary = done.stdout.strip().splitlines()[-1]
    assert summary.startswith("Store OK: ") and "checked against their SHA-256" in summary
    assert int(summary.split()[2]) >= blobs

    after = tmp_path / "after"
    assert backup.restored.export(after) == backup.trees
    original, restored = files_under(backup.before), files_under(after)
    assert restored.keys() == original.keys()
    different = [path for path in original if original[path] != restored[path]]
    assert not different


def test_verify_store_names_a_damaged_and_a_missing_blob_with_every_version_using_them(
    backup, tmp_path
):
    folder = tmp_path / "blobs"
    folder.mkdir()
    extract(backup.blob_archive, folder)
    restored = Instance(backup.restored.database_url, folder, tmp_path)
    explorable = backup.trees["northfield/orbits-an-explorable/v1"]
    damaged_path, missing_path = "js/physics.js", "css/style.css"
    damaged, missing = explorable[damaged_path], explorable[missing_path]
    blob = folder / storage_name(damaged)
    content = bytearray(blob.read_bytes())
    content[len(content) // 2] ^= 0x01  # one flipped bit, same size
    blob.write_bytes(bytes(content))
    (folder / storage_name(missing)).unlink()

    done = restored.verify_store()
    assert done.returncode == 1
    users = [address for address, tree in backup.trees.items() if damaged in tree.values()]
    assert len(users) >= 3  # v1, v2 and the fork share it
    for address in users:
        institution, resource, number = address.split("/")
        where = f"{institution}/{resource} {number}"
        assert f"DAMAGED: {where} {damaged_path} blob {damaged}" in done.stdout
        assert f"MISSING: {where} {missing_path} blob {missing}" in done.stdout
    assert "problem(s) found" in done.stderr and "deploy/backup.md" in done.stderr

    quick = restored.verify_store("--quick")
    assert quick.returncode == 1
    assert (
        f"MISSING: northfield/orbits-an-explorable v1 {missing_path} blob {missing}" in quick.stdout
    )
    assert damaged not in quick.stdout  # same size: --quick checks presence and size only
