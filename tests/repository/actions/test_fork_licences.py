"""A fork under a new licence gets a LICENSE of its own (originals kept where their terms ask),
so it passes its own licence step instead of failing on the inherited LICENSE file."""

import pytest

from repository.actions.deposits import deposit_package
from repository.actions.forks import fork_version
from repository.actions.validation import validate_version
from repository.models import Version
from repository.storage import blobs
from tests.factories import build_zip, manifest, tool_files, validated

CC0_LICENSE = (
    b"CC0 1.0 Universal\n\nTo the extent possible under law, the authors have waived all "
    b"copyright. See https://creativecommons.org/publicdomain/zero/1.0/legalcode\n"
)
BY_LICENSE = b"Licensed under CC BY 4.0: https://creativecommons.org/licenses/by/4.0/\n"
MIT_LICENSE = (
    b"MIT License\n\nCopyright (c) 2024 Zo\xc3\xab Ndlovu\n\nPermission is hereby granted, free of "
    b"charge, to any person obtaining a copy of this software...\n"
)
# Words from the full text of each new licence, which the fork's LICENSE.txt must include
# (GPLv3 §4 "give all recipients a copy of this License"; CC 4.0 §3(a)(1)(A)(v) allows a link).
FULL_TEXT = {
    "CC-BY-4.0": "Licensed Rights means the rights granted to You",
    "CC-BY-SA-4.0": "BY-SA Compatible License means a license listed at",
    "GPL-3.0-or-later": "TERMS AND CONDITIONS",
}
PIXI_LICENSE = b"The MIT License\n\nCopyright (c) 2013-2023 Mathew Groves, Chad Engler\n"


def deposit(tmp_path, institution, by, licence, licence_file):
    files = tool_files(
        **{
            "LICENSE.txt": licence_file,
            "vendor/pixi/LICENSE": PIXI_LICENSE,
            "vendor/pixi/pixi.js": b"//",
        }
    )
    pixi = {
        "name": "PixiJS",
        "version": "7.2.4",
        "url": "https://pixijs.com/",
        "license": "MIT",
        "copyright": ["Copyright (c) 2013-2023 Mathew Groves, Chad Engler"],
        "paths": ["vendor/pixi/**"],
        "license_file": "vendor/pixi/LICENSE",
    }
    data = manifest(license=licence, third_party=[pixi])
    package = build_zip(tmp_path / "p.zip", files, manifest_data=data)
    version = deposit_package(package=package, institution=institution, by=by)
    validated(version.pk)
    version.refresh_from_db()
    assert version.state == Version.State.PUBLISHED
    return version


def licence_step(version: Version):
    validate_version(version.pk)
    version.refresh_from_db()
    run = version.validation_runs.first()
    assert run is not None
    return run.steps.get(name="licence")


def text_of(version: Version, path: str) -> str:
    return blobs.read_blob(version.files.get(path=path).blob_id).decode()


@pytest.mark.parametrize(
    ("source_licence", "source_file", "fork_licence", "kept"),
    [
        # CC0 asks for no notice: its LICENSE would only contradict the new licence.
        ("CC0-1.0", CC0_LICENSE, "CC-BY-4.0", None),
        # CC BY 4.0 §3(a)(1)(A)(iii): retain the notice that refers to the licence.
        ("CC-BY-4.0", BY_LICENSE, "CC-BY-SA-4.0", "LICENSES/CC-BY-4.0.txt"),
        # MIT: "this permission notice shall be included in all copies"; GPLv3 §4 asks for
        # its own full text, so the fork's LICENSE.txt carries it, not a link.
        ("MIT", MIT_LICENSE, "GPL-3.0-or-later", "LICENSES/MIT.txt"),
    ],
)
def test_a_relicensed_fork_passes_its_own_licence_step(
    tmp_path,
    northfield,
    staff,
    southbank,
    outsider,
    source_licence,
    source_file,
    fork_licence,
    kept,
):
    source = deposit(tmp_path, northfield, staff, source_licence, source_file)
    fork = fork_version(source, into=southbank, by=outsider, licence=fork_licence)
    step = licence_step(fork)
    assert step.status == "passed", step.messages
    new = text_of(fork, "LICENSE.txt")
    assert source.resource.title in new
    assert new.startswith(f"SPDX-License-Identifier: {fork_licence}\n")
    assert FULL_TEXT[fork_licence] in new, "the new licence's full text is included"
    paths = set(fork.files.values_list("path", flat=True))
    assert ("LICENSES/" + source_licence + ".txt" in paths) == (kept is not None)
    if kept:
        assert text_of(fork, kept) == source_file.decode() and kept in new
    # Components keep their own notices; every other file is the source's blob, shared.
    shared = dict(source.files.exclude(path="LICENSE.txt").values_list("path", "blob_id"))
    assert {p: b for p, b in fork.files.values_list("path", "blob_id") if p in shared} == shared
    assert "LICENSE.txt written for" in fork.changelog
    assert "PixiJS 7.2.4 (MIT, in vendor/pixi/**)" in new
    # The source's own files stay under its licence; the new one covers the whole.
    parts = fork.licence_parts
    assert parts.license == fork_licence
    app = parts.part("app.js")
    assert app is not None and app.license == source_licence
    assert [c.name for c in parts.components] == ["PixiJS"]


def test_a_fork_under_the_same_licence_keeps_the_tree_as_it_is(
    tmp_path, northfield, staff, southbank, outsider
):
    source = deposit(tmp_path, northfield, staff, "CC-BY-4.0", BY_LICENSE)
    fork = fork_version(source, into=southbank, by=outsider, licence="CC-BY-4.0")
    assert dict(fork.files.values_list("path", "blob_id")) == dict(
        source.files.values_list("path", "blob_id")
    )
    assert licence_step(fork).status == "passed"
