"""The vendored full licence texts: one for each catalogue licence with an SPDX id, and in use."""

import pytest

from licensing import all_licenses, notices, texts
from licensing.parts import licences_named_in

# The SPDX ids of the catalogue that spdx-license-list 6.12.0 has no text for.
WITHOUT_TEXT = {"CC-BY-NC-3.0-IGO"}


def test_every_catalogue_licence_with_an_spdx_id_has_its_text_and_nothing_else_is_vendored():
    spdx = {lic.id for lic in all_licenses() if not lic.id.startswith("LicenseRef-")}
    assert texts.vendored_ids() == spdx - WITHOUT_TEXT
    assert (texts.FOLDER / "LICENSE").read_text().startswith("Creative Commons CC0 1.0")


@pytest.mark.parametrize(
    ("licence", "named"),
    [
        ("MIT", "MIT"),
        ("Apache-2.0", "Apache-2.0"),
        ("GPL-2.0-only", "GPL-2.0"),
        ("GPL-3.0-or-later", "GPL-3.0"),
        ("LGPL-2.1-or-later", "LGPL-2.1"),
        ("AGPL-3.0-only", "AGPL-3.0"),
        ("MPL-2.0", "MPL-2.0"),
    ],
)
def test_a_vendored_text_is_the_licence_it_is_named_for(licence, named):
    text = texts.full_text(licence)
    assert text is not None and text.endswith("\n") and "\r" not in text
    assert named in licences_named_in(text)


def test_deprecated_ids_find_the_current_text_and_ports_without_an_id_have_none():
    assert texts.full_text("GPL-3.0+") == texts.full_text("GPL-3.0-or-later")
    assert texts.full_text("LicenseRef-CC-BY-SA-3.0-US") is None


def source() -> notices.Source:
    return notices.Source("Pendel: Schwingungen", ["Zoë Ndlovu"], "MIT", "https://x.example/v1")


def test_a_licence_file_for_an_expression_includes_every_licence_it_names_in_full():
    text = notices.licence_file(title="Wellen", license_id="MIT OR Apache-2.0", source=source())
    assert text.startswith("SPDX-License-Identifier: MIT OR Apache-2.0\n")
    assert "The full text of MIT License (MIT)" in text
    assert "The full text of Apache License 2.0 (Apache-2.0)" in text
    assert "END OF TERMS AND CONDITIONS" in text  # Apache-2.0's own words, not a link
    assert licences_named_in(text) >= {"MIT", "Apache-2.0"}


def test_a_licence_file_by_part_names_each_part_and_includes_each_text():
    text = notices.licence_file(
        title="Wellen",
        license_id="GPL-3.0-or-later",
        source=source(),
        by_part={"code": "GPL-3.0-or-later", "content": "CC-BY-SA-4.0"},
    )
    assert "by part (code: GNU GPL v3.0 or later; content: CC BY-SA 4.0)" in text
    assert text.count("TERMS AND CONDITIONS") >= 1
    assert "Attribution-ShareAlike 4.0 International Public License" in text
    # Each text once, even when the whole and a part share a licence.
    assert text.count("The full text of GNU General Public License v3.0 or later") == 1


def test_a_licence_without_a_vendored_text_is_linked_instead():
    text = notices.licence_file(
        title="Karte", license_id="LicenseRef-CC-BY-SA-3.0-US", source=source()
    )
    assert "The full text of" not in text
    assert "Full text: https://creativecommons.org/licenses/by-sa/3.0/us/legalcode" in text
