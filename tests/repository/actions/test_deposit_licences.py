"""Deposits under software licences: MIT and Apache-2.0 code deposits; bad licence values refused."""

from pathlib import Path

import pytest

from repository.actions.deposits import deposit_package
from repository.errors import PackageRefused
from repository.models import Blob, Resource, Version
from repository.validation.steps import PASSED, check_licence
from tests.factories import build_zip, manifest, tool_files

MIT_TEXT = b"""MIT License

Copyright (c) 2026 Ada Lovelace

Permission is hereby granted, free of charge, to any person obtaining a copy of this software...
"""


APACHE_TEXT = b"""
                                 Apache License
                           Version 2.0, January 2004
                        http://www.apache.org/licenses/
"""


@pytest.mark.parametrize(
    ("licence", "short_name", "text"),
    [("Apache-2.0", "Apache 2.0", APACHE_TEXT), ("MIT", "MIT", MIT_TEXT)],
)
def test_a_software_licensed_package_deposits_and_passes_its_licence_step(
    licence: str, short_name: str, text: bytes, tmp_path: Path, northfield, staff
) -> None:
    package = build_zip(
        tmp_path / "tool.zip",
        tool_files(**{"LICENSE": text}),
        manifest_data=manifest(license=licence),
    )
    version = deposit_package(package=package, institution=northfield, by=staff)
    assert version.licence == licence
    outcome = check_licence(version)
    assert outcome.status == PASSED, outcome.messages
    assert outcome.messages[0] == f"Licensed {short_name}."


def test_a_deprecated_spdx_id_is_stored_as_the_current_one(tmp_path: Path, northfield, staff):
    package = build_zip(tmp_path / "tool.zip", manifest_data=manifest(license="GPL-3.0+"))
    version = deposit_package(package=package, institution=northfield, by=staff)
    assert version.licence == "GPL-3.0-or-later"
    assert version.manifest["license"] == "GPL-3.0-or-later"


@pytest.mark.parametrize(
    ("licence", "says"),
    [
        ("Apache 2", "Did you mean 'Apache-2.0'?"),
        ("NOASSERTION", "no licence was stated"),
        ("MIT OR (", "does not parse: it ends too early"),
        ("MIT OR Apache-2.0", "Name the one licence you offer the whole package under"),
    ],
)
def test_a_bad_licence_value_is_refused_in_words_and_stores_nothing(
    licence: str, says: str, tmp_path: Path, northfield, staff, blob_folder
) -> None:
    package = build_zip(tmp_path / "tool.zip", manifest_data=manifest(license=licence))
    with pytest.raises(PackageRefused) as refused:
        deposit_package(package=package, institution=northfield, by=staff)
    assert says in refused.value.message
    assert "licensing." not in refused.value.message
    assert Resource.objects.count() == Version.objects.count() == Blob.objects.count() == 0
