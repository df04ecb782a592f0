"""Per-file licensing at deposit: a multi-licence tool deposits with a true table; bad input is refused."""

from pathlib import Path
from typing import Any

import pytest

from repository.actions.deposits import deposit_package
from repository.errors import PackageRefused
from repository.models import Resource, Version
from repository.validation.steps import PASSED, check_licence, check_package
from tests.factories import build_zip, multi_licence_tool


def deposit(
    tmp_path: Path, files: dict[str, bytes], data: dict[str, Any], northfield, staff
) -> Version:
    package = build_zip(tmp_path / "orbits.zip", files, manifest_data=data)
    return deposit_package(package=package, institution=northfield, by=staff)


def test_a_multi_licence_tool_deposits_with_a_true_licence_table(
    tmp_path, northfield, staff, client
):
    files, data = multi_licence_tool()
    version = deposit(tmp_path, files, data, northfield, staff)
    parts = version.licence_parts
    assert parts.license == "CC-BY-NC-4.0"
    by_path = {p.path: (p.license, p.via, p.component) for p in parts.files}
    assert by_path["index.html"] == ("CC0-1.0", "files[0]", "")
    assert by_path["js/physics.js"] == ("MIT", "header", "")
    assert by_path["js/main.js"] == ("CC0-1.0", "header", "")
    assert by_path["assets/sounds/click.mp3"] == ("CC-BY-NC-3.0", "REUSE.toml", "")
    assert by_path["assets/sounds/chime.ogg"] == ("LicenseRef-CC-Sampling-Plus-1.0", "sidecar", "")
    assert by_path["lib/pixi/pixi.min.js"] == ("MIT", "third_party", "PIXI.js")
    assert by_path["lib/howler/howler.core.min.js"] == ("MIT", "third_party", "Howler.js")
    assert by_path["lib/p5/p5.min.js"] == ("LGPL-2.1-only", "third_party", "p5.js")
    # Licence texts, REUSE.toml and sidecars state licences; they are not parts themselves.
    assert not {
        "LICENSE",
        "REUSE.toml",
        "LICENSES/MIT.txt",
        "assets/sounds/chime.ogg.license",
    } & set(by_path)
    assert [c.name for c in parts.components] == ["PIXI.js", "Howler.js", "p5.js"]
    assert parts.summary() == (
        "code: CC0 1.0, MIT; text, images and data: CC0 1.0; "
        "sounds: CC Sampling+ 1.0, CC BY-NC 3.0; 3 third-party components"
    )
    for check in (check_package, check_licence):
        outcome = check(version)
        assert outcome.status == PASSED, (check.__name__, outcome.messages)
    assert check_licence(version).messages[1].startswith("By part: code: CC0 1.0, MIT;")

    client.force_login(staff)
    page = client.get(version.get_absolute_url()).content.decode()
    assert "Licences by part" in page
    assert "sounds: CC Sampling+ 1.0, CC BY-NC 3.0; 3 third-party components" in page
    assert "<code>assets/sounds/*.mp3</code>" in page
    assert '<a href="https://creativecommons.org/licenses/by-nc/3.0/">CC BY-NC 3.0</a>' in page
    assert "2014 kwahmah_02 (freesound.org)" in page
    assert '<a href="https://github.com/processing/p5.js">p5.js</a> 1.9.0' in page
    assert "licence text in <code>lib/p5/LICENSE</code>" in page


def _without_p5(files: dict[str, bytes], data: dict[str, Any]) -> None:
    data["third_party"] = [c for c in data["third_party"] if c["name"] != "p5.js"]


def _no_howler_licence_file(files: dict[str, bytes], data: dict[str, Any]) -> None:
    del data["third_party"][1]["license_file"]
    del files["lib/howler/LICENSE.md"]


def _whole_cc0(files: dict[str, bytes], data: dict[str, Any]) -> None:
    data["license"] = "CC0-1.0"


def _contradicting_licence_txt(files: dict[str, bytes], data: dict[str, Any]) -> None:
    files["LICENSE.txt"] = b"Licensed under https://creativecommons.org/licenses/by-sa/4.0/\n"


def _noassertion(files: dict[str, bytes], data: dict[str, Any]) -> None:
    data["files"].append({"path": "assets/img/*.png", "license": "NOASSERTION"})


def _misspelt_component(files: dict[str, bytes], data: dict[str, Any]) -> None:
    data["third_party"][0]["license"] = "MTI"


def _unparsable_header(files: dict[str, bytes], data: dict[str, Any]) -> None:
    files["js/physics.js"] = (
        b"// SPDX-License-Identifier: MIT OR (Apache-2.0\nexport const x = 1;\n"
    )


def _nd_image(files: dict[str, bytes], data: dict[str, Any]) -> None:
    files["assets/img/orbit.png.license"] = b"SPDX-License-Identifier: CC-BY-ND-4.0\n"
    files["LICENSES/CC-BY-ND-4.0.txt"] = (
        b"https://creativecommons.org/licenses/by-nd/4.0/legalcode\n"
    )


def _misspelt_gnu_id(files: dict[str, bytes], data: dict[str, Any]) -> None:
    data["third_party"][2]["license"] = "LGPL-2.1-onyl"


BAD = [
    (_without_p5, "lib/p5/p5.min.js is in lib/p5/, which has a licence file of its own"),
    (_no_howler_licence_file, "third_party 'Howler.js' (MIT) has no licence file"),
    (
        _whole_cc0,
        "assets/sounds/chime.ogg is CC Sampling+ 1.0, so the package as a whole cannot be CC0 1.0",
    ),
    (
        _whole_cc0,
        "assets/sounds/click.mp3 is CC BY-NC 3.0, so the package as a whole cannot be CC0 1.0",
    ),
    (_contradicting_licence_txt, "LICENSE.txt names CC-BY-SA-4.0, but remixbank.json says"),
    (_contradicting_licence_txt, "remixbank.json wins"),
    (_noassertion, "no licence was stated"),
    (
        _misspelt_component,
        "third_party[0] ('PIXI.js'): 'MTI' is not a licence Remixbank knows. Did you mean 'MIT'?",
    ),
    (
        _unparsable_header,
        "js/physics.js (header): The licence expression 'MIT OR (Apache-2.0' does not parse",
    ),
    (
        _nd_image,
        "assets/img/orbit.png is CC BY-ND 4.0, so the package as a whole cannot be CC BY-NC 4.0",
    ),
    (_nd_image, 'declare the package NoDerivatives (ND) ("license": "CC-BY-NC-ND-4.0"'),
    (_misspelt_gnu_id, "Did you mean 'LGPL-2.1-only' or"),
]


@pytest.mark.parametrize(
    ("spoil", "says"), BAD, ids=[f"{s.__name__}-{n}" for n, (s, _) in enumerate(BAD)]
)
def test_bad_licensing_is_refused_in_words_and_stores_nothing(
    spoil, says: str, tmp_path, northfield, staff, blob_folder
) -> None:
    files, data = multi_licence_tool()
    spoil(files, data)
    with pytest.raises(PackageRefused) as refused:
        deposit(tmp_path, files, data, northfield, staff)
    assert says in refused.value.message
    assert not Version.objects.exists()
    assert not Resource.objects.exists()
    assert not [p for p in blob_folder.rglob("*") if p.is_file()]


def test_a_fork_reads_its_parts_from_the_stored_files_and_passes_its_licence_step(
    tmp_path, northfield, staff
):
    from repository.actions.forks import fork_version

    files, data = multi_licence_tool()
    source = deposit(tmp_path, files, data, northfield, staff)
    fork = fork_version(source, into=northfield, by=staff, licence="CC-BY-NC-SA-4.0")
    # create_version read the REUSE headers, sidecar and REUSE.toml from blob storage.
    assert fork.licence_parts.files == source.licence_parts.files
    assert fork.licence_parts.license == "CC-BY-NC-SA-4.0"
    assert check_licence(fork).status == PASSED, check_licence(fork).messages


def test_the_licence_step_reports_parts_the_whole_cannot_carry(db):
    from tests.factories import stored_version

    files, data = multi_licence_tool()
    # A version stored by older code, before per-file licensing was checked at deposit.
    version = stored_version(files, licence="CC-BY-4.0", manifest={**data, "license": "CC-BY-4.0"})
    outcome = check_licence(version)
    assert outcome.status == "failed"
    assert any(
        m.startswith(
            "assets/sounds/click.mp3 is CC BY-NC 3.0, so the package as a whole cannot be CC BY 4.0"
        )
        for m in outcome.messages
    ), outcome.messages
