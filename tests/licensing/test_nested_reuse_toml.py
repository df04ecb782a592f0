"""Nested REUSE.toml files (REUSE 3.2): each case is answered by reuse itself on disk, and ours must agree."""

from pathlib import Path

import pytest

from licensing.parts import analyse

ROOT_BY = 'version = 1\n[[annotations]]\npath = "**"\nSPDX-License-Identifier = "CC-BY-4.0"\nSPDX-FileCopyrightText = "2025 Åsa Lindqvist"\n'
P5_LGPL = 'version = 1\n[[annotations]]\npath = "**"\nSPDX-License-Identifier = "LGPL-2.1-or-later"\nSPDX-FileCopyrightText = "2018 The p5.js authors"\n'
SOUNDS_RELATIVE = (
    'version = 1\n[[annotations]]\npath = "*.mp3"\nSPDX-License-Identifier = "CC-BY-NC-3.0"\n'
)
ROOT_OVERRIDE_LIB = 'version = 1\n[[annotations]]\npath = "lib/**"\nprecedence = "override"\nSPDX-License-Identifier = "MIT"\n'
NESTED_OVERRIDE = 'version = 1\n[[annotations]]\npath = "widget.js"\nprecedence = "override"\nSPDX-License-Identifier = "Apache-2.0"\n'
ROOT_AGGREGATE = 'version = 1\n[[annotations]]\npath = "**"\nprecedence = "aggregate"\nSPDX-License-Identifier = "CC0-1.0"\n'
NESTED_COPYRIGHT_ONLY = (
    'version = 1\n[[annotations]]\npath = "**"\nSPDX-FileCopyrightText = "2024 Jürgen Weiß"\n'
)

# (name, files, the file asked about)
CASES = [
    (
        "a nested file speaks for its own folder",
        {"REUSE.toml": ROOT_BY, "lib/p5/REUSE.toml": P5_LGPL, "lib/p5/p5.min.js": "var p5;"},
        "lib/p5/p5.min.js",
    ),
    (
        "the root still covers what the nested file does not",
        {"REUSE.toml": ROOT_BY, "lib/p5/REUSE.toml": P5_LGPL, "index.html": "<p>é</p>"},
        "index.html",
    ),
    (
        "nested paths are relative to their folder, * stays in it",
        {
            "REUSE.toml": ROOT_BY,
            "assets/sounds/REUSE.toml": SOUNDS_RELATIVE,
            "assets/sounds/gong.mp3": "",
            "assets/sounds/old/gong.mp3": "",
        },
        "assets/sounds/gong.mp3",
    ),
    (
        "a subfolder the nested glob does not reach falls to the root",
        {
            "REUSE.toml": ROOT_BY,
            "assets/sounds/REUSE.toml": SOUNDS_RELATIVE,
            "assets/sounds/gong.mp3": "",
            "assets/sounds/old/gong.mp3": "",
        },
        "assets/sounds/old/gong.mp3",
    ),
    (
        "an override at the root beats a nested file",
        {"REUSE.toml": ROOT_OVERRIDE_LIB, "lib/p5/REUSE.toml": P5_LGPL, "lib/p5/p5.js": "x"},
        "lib/p5/p5.js",
    ),
    (
        "a nested override beats the file's own header",
        {
            "REUSE.toml": ROOT_BY,
            "lib/w/REUSE.toml": NESTED_OVERRIDE,
            "lib/w/widget.js": "// SPDX-License-Identifier: MIT\nvar w;",
        },
        "lib/w/widget.js",
    ),
    (
        "a header beats the closest nested annotation",
        {
            "REUSE.toml": ROOT_BY,
            "lib/p5/REUSE.toml": P5_LGPL,
            "lib/p5/addon.js": "// SPDX-License-Identifier: MIT\n// SPDX-FileCopyrightText: 2023 Chloé\n",
        },
        "lib/p5/addon.js",
    ),
    (
        "a root aggregate adds to the nested closest",
        {"REUSE.toml": ROOT_AGGREGATE, "lib/p5/REUSE.toml": P5_LGPL, "lib/p5/p5.js": "x"},
        "lib/p5/p5.js",
    ),
    (
        "a nested copyright-only annotation keeps the root's licence",
        {"REUSE.toml": ROOT_BY, "img/REUSE.toml": NESTED_COPYRIGHT_ONLY, "img/map.png": ""},
        "img/map.png",
    ),
]


def reuse_says(tmp_path: Path, files: dict[str, str], path: str) -> tuple[set[str], set[str]]:
    """What the reuse library itself answers for `path`, from the files written to disk."""
    from reuse.project import Project

    for name, text in files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    infos = Project.from_directory(tmp_path).reuse_info_of(tmp_path / path)
    licences = {str(e) for info in infos for e in info.spdx_expressions}
    notices = {
        str(c).removeprefix("SPDX-FileCopyrightText: ") for i in infos for c in i.copyright_notices
    }
    return licences, notices


@pytest.mark.parametrize(("files", "path"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_nested_reuse_toml_files_are_read_as_reuse_reads_them(
    tmp_path: Path, files: dict[str, str], path: str
) -> None:
    licences, notices = reuse_says(tmp_path, files, path)
    assert licences, "each case states a licence for the file"
    result = analyse(license="CC-BY-4.0", paths=list(files), manifest={}, texts=files)
    part = result.parts.part(path)
    assert part is not None
    ours = {e.strip("()") for e in part.license.split(" AND ")}
    assert ours == licences, (part.license, part.via)
    assert {n.removeprefix("Copyright ") for n in part.copyright} == {
        n.removeprefix("Copyright ") for n in notices
    }


def test_the_table_names_the_nested_file_that_stated_the_licence() -> None:
    files = {"REUSE.toml": ROOT_BY, "lib/p5/REUSE.toml": P5_LGPL, "lib/p5/p5.min.js": "var p5;"}
    result = analyse(license="CC-BY-4.0", paths=list(files), manifest={}, texts=files)
    part = result.parts.part("lib/p5/p5.min.js")
    assert part is not None
    assert (part.via, part.pattern) == ("lib/p5/REUSE.toml", "lib/p5/**")
    assert [p.path for p in result.parts.files] == ["lib/p5/p5.min.js"]  # REUSE.toml is no part


def test_a_broken_nested_reuse_toml_is_named_and_says_how_to_write_it() -> None:
    files = {
        "REUSE.toml": ROOT_BY,
        "lib/p5/REUSE.toml": "version = 1\n[[annotations]\n",
        "a.js": "",
    }
    result = analyse(license="CC-BY-4.0", paths=list(files), manifest={}, texts=files)
    assert any(
        p.startswith("lib/p5/REUSE.toml cannot be read:") and "`version = 1`" in p
        for p in result.problems
    ), result.problems
