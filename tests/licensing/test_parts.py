"""Per-file licensing: each file's licence from globs, components and REUSE; what the whole allows."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from licensing import get_license
from licensing.parts import (
    Analysis,
    PackageParts,
    Part,
    PartsRefused,
    analyse,
    banner_licence,
    combination_problems,
    declared,
    files_to_read,
    licences_named_in,
    matches,
    part_problem,
    whole_licences,
)

MIT_TEXT = "MIT License\n\nCopyright (c) 2013 Mathew Groves\n\nPermission is hereby granted, free of charge, to any person obtaining a copy"
LGPL_TEXT = "GNU LESSER GENERAL PUBLIC LICENSE\n   Version 2.1, February 1999\n ... GNU GENERAL PUBLIC LICENSE"


def run(license: str, tree: dict[str, str], **manifest: object) -> Analysis:
    texts = {p: t for p, t in tree.items() if p in files_to_read(tree)}
    return analyse(license=license, paths=list(tree), manifest=manifest, texts=texts)


def licence_of(analysis: Analysis, path: str) -> str:
    part = analysis.parts.part(path)
    assert part is not None, path
    return part.license


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("**", "a/b/c.js", True),
        ("lib/**", "lib/pixi/pixi.js", True),
        ("lib/**", "libs/x.js", False),
        ("assets/sounds/*.mp3", "assets/sounds/a.mp3", True),
        ("assets/sounds/*.mp3", "assets/sounds/sub/a.mp3", False),
        ("*.js", "app.js", True),
        ("*.js", "lib/app.js", False),
        ("lib/p5", "lib/p5/p5.min.js", True),
        ("lib/p5/", "lib/p5/p5.min.js", True),
        ("index.html", "index.html", True),
        ("index.html", "other/index.html", False),
    ],
)
def test_globs_mean_what_they_mean_in_reuse_toml(pattern: str, path: str, expected: bool) -> None:
    assert matches(pattern, path) is expected


# (name, package licence, files with texts, manifest additions, path, expected licence, via)
RESOLUTION = [
    ("default", "CC-BY-4.0", {"index.html": ""}, {}, "index.html", "CC-BY-4.0", "package licence"),
    (
        "last matching glob wins",
        "CC-BY-NC-4.0",
        {"index.html": "", "app.js": ""},
        {
            "files": [
                {"path": "**", "license": "CC0-1.0"},
                {"path": "*.js", "license": "MIT"},
            ]
        },
        "app.js",
        "MIT",
        "files[1]",
    ),
    (
        "deprecated id normalised",
        "GPL-3.0-or-later",
        {"app.js": ""},
        {"files": [{"path": "*.js", "license": "GPL-3.0+"}]},
        "app.js",
        "GPL-3.0-or-later",
        "files[0]",
    ),
    (
        "header beats glob",
        "CC-BY-4.0",
        {"app.js": "// SPDX-License-Identifier: MIT OR Apache-2.0\n"},
        {"files": [{"path": "**", "license": "CC0-1.0"}]},
        "app.js",
        "MIT OR Apache-2.0",
        "header",
    ),
    (
        "sidecar for a binary file",
        "CC0-1.0",
        {
            "img/a.png": "\x89PNG",
            "img/a.png.license": "SPDX-FileCopyrightText: 2020 Jane\nSPDX-License-Identifier: CC-BY-4.0\n",
        },
        {},
        "img/a.png",
        "CC-BY-4.0",
        "sidecar",
    ),
    (
        "REUSE.toml annotation",
        "CC-BY-NC-4.0",
        {
            "s/a.mp3": "",
            "REUSE.toml": 'version = 1\n[[annotations]]\npath = "s/*.mp3"\nSPDX-License-Identifier = "CC-BY-NC-3.0"\n',
        },
        {},
        "s/a.mp3",
        "CC-BY-NC-3.0",
        "REUSE.toml",
    ),
    (
        "REUSE.toml override beats a header",
        "CC-BY-4.0",
        {
            "a.js": "// SPDX-License-Identifier: MIT\n",
            "REUSE.toml": 'version = 1\n[[annotations]]\npath = "a.js"\nprecedence = "override"\nSPDX-License-Identifier = "Apache-2.0"\n',
        },
        {},
        "a.js",
        "Apache-2.0",
        "REUSE.toml",
    ),
    (
        "dep5 paragraph",
        "CC-BY-4.0",
        {
            "img/x.png": "",
            ".reuse/dep5": "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: img/*\nCopyright: 2020 Jane\nLicense: CC-BY-SA-4.0\n",
        },
        {},
        "img/x.png",
        "CC-BY-SA-4.0",
        ".reuse/dep5",
    ),
    (
        "component",
        "CC0-1.0",
        {"lib/pixi/pixi.min.js": "", "lib/pixi/LICENSE": MIT_TEXT},
        {
            "third_party": [
                {
                    "name": "PIXI.js",
                    "license": "MIT",
                    "paths": ["lib/pixi/**"],
                    "license_file": "lib/pixi/LICENSE",
                }
            ]
        },
        "lib/pixi/pixi.min.js",
        "MIT",
        "third_party",
    ),
]


@pytest.mark.parametrize(
    ("license", "files", "manifest", "path", "expected", "via"),
    [row[1:] for row in RESOLUTION],
    ids=[row[0] for row in RESOLUTION],
)
def test_each_file_gets_the_licence_stated_most_closely(
    license: str, files: dict[str, str], manifest: dict, path: str, expected: str, via: str
) -> None:
    analysis = run(license, files, **manifest)
    assert analysis.problems == ()
    part = analysis.parts.part(path)
    assert part is not None
    assert (part.license, part.via) == (expected, via)


def test_licensing_files_are_not_parts() -> None:
    analysis = run(
        "MIT",
        {
            "LICENSE": MIT_TEXT,
            "LICENSES/MIT.txt": MIT_TEXT,
            "a.js.license": "SPDX-License-Identifier: MIT",
            "a.js": "",
        },
    )
    assert [p.path for p in analysis.parts.files] == ["a.js"]


# (name, whole, part licence, reason words or '' when it may sit in the whole)
WHOLE = [
    ("NC part in CC0 whole", "CC0-1.0", "CC-BY-NC-3.0", "NonCommercial"),
    ("NC part in NC whole", "CC-BY-NC-4.0", "CC-BY-NC-3.0", ""),
    ("NC part in MIT whole", "MIT", "CC-BY-NC-4.0", "NonCommercial"),
    ("ND part in BY whole", "CC-BY-4.0", "CC-BY-ND-4.0", "forbids sharing changed versions"),
    ("ND part in NC-ND whole", "CC-BY-NC-ND-4.0", "CC-BY-ND-4.0", ""),
    ("NC-ND part in ND whole", "CC-BY-ND-4.0", "CC-BY-NC-ND-4.0", "NonCommercial"),
    ("MIT code in CC0 whole", "CC0-1.0", "MIT", ""),
    (
        "Apache-licensed image beside a GPL-2.0 program (aggregate)",
        "GPL-2.0-only",
        "Apache-2.0",
        "",
    ),
    ("LGPL library in CC0 whole", "CC0-1.0", "LGPL-2.1-or-later", ""),
    ("MPL library in CC BY whole", "CC-BY-4.0", "MPL-2.0", ""),
    ("GPL code in CC0 whole", "CC0-1.0", "GPL-3.0-only", "one program"),
    ("GPL code in MIT whole", "MIT", "GPL-2.0-or-later", "one program"),
    ("GPL-2.0+ code in GPL-3.0 whole", "GPL-3.0-or-later", "GPL-2.0-or-later", ""),
    ("GPL-2.0-only code in GPL-3.0 whole", "GPL-3.0-only", "GPL-2.0-only", "one program"),
    ("AGPL code in GPL whole", "GPL-3.0-only", "AGPL-3.0-only", "one program"),
    ("BY-SA image in CC BY whole (collection)", "CC-BY-4.0", "CC-BY-SA-4.0", ""),
    ("BY image in CC0 whole (collection)", "CC0-1.0", "CC-BY-4.0", ""),
]


@pytest.mark.parametrize(
    ("whole", "part", "reason"), [row[1:] for row in WHOLE], ids=[row[0] for row in WHOLE]
)
def test_what_a_part_lets_the_whole_promise(whole: str, part: str, reason: str) -> None:
    said = part_problem(get_license(part), get_license(whole))
    if reason:
        assert reason in said
    else:
        assert said == ""


# Code runs with the rest of the tool as one program, so inside a GPL or AGPL whole it must be
# code that may be relicensed under the whole's licence (GPLv3 §5(c), GPLv2 §2(b)); the FSF's
# licence list says which licences allow that.
CODE_IN_WHOLE = [
    ("Apache code in GPL-2.0-only whole", "GPL-2.0-only", "Apache-2.0", "may not be relicensed"),
    ("Apache code in GPL-3.0-only whole", "GPL-3.0-only", "Apache-2.0", ""),
    ("MIT code in GPL-2.0-only whole", "GPL-2.0-only", "MIT", ""),
    ("LAL-1.3 code in GPL-3.0-only whole", "GPL-3.0-only", "LAL-1.3", "may not be relicensed"),
    ("MPL code in GPL-3.0-or-later whole", "GPL-3.0-or-later", "MPL-2.0", ""),
    ("LGPL code in GPL-3.0-only whole", "GPL-3.0-only", "LGPL-2.1-or-later", ""),
    ("BY-SA 4.0 code in GPL-3.0-only whole", "GPL-3.0-only", "CC-BY-SA-4.0", ""),
    ("BY-NC code in GPL-3.0-only whole", "GPL-3.0-only", "CC-BY-NC-4.0", "NonCommercial"),
    ("Apache code in AGPL-3.0-only whole", "AGPL-3.0-only", "Apache-2.0", ""),
    ("Apache code in MIT whole", "MIT", "Apache-2.0", ""),
]


@pytest.mark.parametrize(
    ("whole", "part", "reason"),
    [row[1:] for row in CODE_IN_WHOLE],
    ids=[row[0] for row in CODE_IN_WHOLE],
)
def test_what_code_lets_the_whole_promise(whole: str, part: str, reason: str) -> None:
    said = part_problem(get_license(part), get_license(whole), part="code")
    if reason:
        assert reason in said
    else:
        assert said == ""


def test_lal_code_in_a_gpl_package_is_reported_but_lal_images_are_not() -> None:
    code = PackageParts(
        "GPL-3.0-only", (Part("js/app.js", "GPL-3.0-only"), Part("js/lib.js", "LAL-1.3"))
    )
    (message,) = combination_problems(code)
    assert message.startswith("js/lib.js is ")
    assert "may not be relicensed" in message
    assert "GPL-3.0-only" not in whole_licences(code)
    images = PackageParts(
        "GPL-3.0-only", (Part("js/app.js", "GPL-3.0-only"), Part("img/hill.png", "LAL-1.3"))
    )
    assert combination_problems(images) == []


def test_an_nc_sound_in_a_cc0_package_is_reported_with_what_to_do() -> None:
    parts = PackageParts(
        "CC0-1.0",
        (Part("index.html", "CC0-1.0"), Part("assets/sounds/x.mp3", "CC-BY-NC-3.0")),
    )
    (message,) = combination_problems(parts)
    assert message.startswith(
        "assets/sounds/x.mp3 is CC BY-NC 3.0, so the package as a whole cannot be CC0 1.0"
    )
    assert 'declare the package NonCommercial (NC) ("license": "CC-BY-NC-4.0"' in message
    assert "or replace the file" in message


def test_an_or_expression_fits_when_one_choice_fits() -> None:
    parts = PackageParts("MIT", (Part("a.js", "GPL-3.0-only OR MIT"),))
    assert combination_problems(parts) == []
    parts = PackageParts("MIT", (Part("a.js", "GPL-3.0-only AND MIT"),))
    assert "one program" in combination_problems(parts)[0]


def test_gpl_code_beside_nc_content_leaves_no_licence_for_the_whole() -> None:
    parts = PackageParts(
        "CC-BY-NC-4.0", (Part("a.js", "GPL-3.0-only"), Part("s.mp3", "CC-BY-NC-4.0"))
    )
    assert whole_licences(parts) == []
    assert "no single licence for the whole fits all the parts" in combination_problems(parts)[0]


@pytest.mark.parametrize(
    ("manifest", "says"),
    [
        ({"files": [{"path": "**", "license": "NOASSERTION"}]}, "no licence was stated"),
        ({"files": [{"path": "**", "license": "MIT OR ("}]}, "does not parse"),
        ({"files": [{"path": "**", "license": "Apache 2"}]}, "Did you mean 'Apache-2.0'?"),
        ({"files": [{"path": "**", "license": "GPL3"}]}, "Did you mean"),
        (
            {"third_party": [{"name": "Howler", "license": "MTI", "paths": ["lib/**"]}]},
            "third_party[0] ('Howler')",
        ),
    ],
)
def test_bad_ids_are_refused_naming_where_and_the_closest_id(manifest: dict, says: str) -> None:
    with pytest.raises(PartsRefused) as refused:
        declared(manifest)
    assert says in str(refused.value)


def test_a_bad_header_is_a_problem_naming_the_file() -> None:
    analysis = run("MIT", {"a.js": "// SPDX-License-Identifier: MTI\n"})
    assert any(
        p.startswith("a.js (header): 'MTI'") and "Did you mean 'MIT'" in p
        for p in analysis.problems
    )


def test_files_in_a_folder_with_its_own_licence_must_be_declared() -> None:
    files = {"index.html": "", "lib/p5/p5.min.js": "", "lib/p5/LICENSE": LGPL_TEXT}
    (problem,) = run("CC0-1.0", files).problems
    assert problem.startswith("lib/p5/p5.min.js is in lib/p5/, which has a licence file of its own")
    assert '"paths": ["lib/p5/**"]' in problem
    # A rule for everything is not a statement about the library either.
    assert run("CC0-1.0", files, files=[{"path": "**", "license": "CC0-1.0"}]).problems
    declared_lgpl = run(
        "CC0-1.0",
        files,
        third_party=[
            {
                "name": "p5.js",
                "license": "LGPL-2.1-only",
                "paths": ["lib/p5/**"],
                "license_file": "lib/p5/LICENSE",
            }
        ],
    )
    assert declared_lgpl.problems == ()


def test_a_component_without_a_licence_file_is_refused_unless_its_licence_asks_nothing() -> None:
    component = {"name": "Howler.js", "license": "MIT", "paths": ["lib/howler.js"]}
    (problem,) = run("CC0-1.0", {"lib/howler.js": ""}, third_party=[component]).problems
    assert "third_party 'Howler.js' (MIT) has no licence file" in problem
    missing = {**component, "license_file": "lib/LICENSE-howler"}
    (problem,) = run("CC0-1.0", {"lib/howler.js": ""}, third_party=[missing]).problems
    assert (
        "names lib/LICENSE-howler as its licence file, but the package has no such file" in problem
    )
    cc0 = {**component, "license": "CC0-1.0"}
    assert run("CC0-1.0", {"lib/howler.js": ""}, third_party=[cc0]).problems == ()


def test_a_component_whose_licence_file_is_another_licence_is_reported() -> None:
    component = {
        "name": "p5",
        "license": "MIT",
        "paths": ["lib/p5/**"],
        "license_file": "lib/p5/LICENSE",
    }
    files = {"lib/p5/p5.js": "", "lib/p5/LICENSE": LGPL_TEXT}
    problems = run("CC0-1.0", files, third_party=[component]).problems
    assert any("lib/p5/LICENSE is the text of LGPL-2.1" in p for p in problems)


def test_a_glob_that_matches_nothing_is_reported() -> None:
    problems = run(
        "CC0-1.0", {"a.mp3": ""}, files=[{"path": "sounds/*.mp3", "license": "CC-BY-4.0"}]
    ).problems
    assert problems == (
        "remixbank.json files[0] ('sounds/*.mp3') covers no file of the package (or only files "
        "whose licence is stated more closely); correct the path or remove the entry.",
    )


def test_reuse_needs_the_texts_in_licenses_once_the_package_uses_it() -> None:
    files = {"a.js": "// SPDX-License-Identifier: MIT\n", "LICENSES/CC0-1.0.txt": "CC0"}
    (problem,) = run("CC0-1.0", files).problems
    assert "a.js is under MIT, but LICENSES/MIT.txt is missing" in problem


def test_reuse_toml_and_dep5_together_are_refused() -> None:
    files = {"a.js": "", "REUSE.toml": "version = 1\n", ".reuse/dep5": "Format: x\n"}
    assert any("both REUSE.toml and .reuse/dep5" in p for p in run("MIT", files).problems)


def test_a_broken_reuse_toml_says_how_to_write_it() -> None:
    problems = run("MIT", {"a.js": "", "REUSE.toml": "version = [\n"}).problems
    assert any(p.startswith("REUSE.toml cannot be read") for p in problems)


@pytest.mark.parametrize(
    ("text", "named"),
    [
        (MIT_TEXT, {"MIT"}),
        ("Apache License\n Version 2.0, January 2004", {"Apache-2.0"}),
        (LGPL_TEXT, {"LGPL-2.1"}),
        ("GNU GENERAL PUBLIC LICENSE\n Version 3, 29 June 2007", {"GPL-3.0"}),
        ("see https://creativecommons.org/licenses/by-nc/3.0/", {"CC-BY-NC-3.0"}),
        ("SPDX-License-Identifier: MPL-2.0", {"MPL-2.0"}),
        ("All rights reserved.", set()),
    ],
)
def test_licence_texts_are_recognised(text: str, named: set[str]) -> None:
    assert licences_named_in(text) == named


def test_the_summary_and_table_group_files_by_statement() -> None:
    analysis = run(
        "CC-BY-NC-4.0",
        {
            "index.html": "",
            "js/app.js": "",
            "img/a.png": "",
            "s/a.mp3": "",
            "s/b.mp3": "",
            "lib/pixi/pixi.js": "",
            "lib/pixi/LICENSE": MIT_TEXT,
        },
        files=[
            {"path": "**", "license": "CC0-1.0", "copyright": "2025 Northfield College"},
            {"path": "js/**", "license": "MIT"},
            {"path": "s/*.mp3", "license": "CC-BY-NC-3.0", "copyright": ["2019 Jane Doe"]},
        ],
        third_party=[
            {
                "name": "PIXI.js",
                "version": "7.4.2",
                "license": "MIT",
                "paths": ["lib/pixi/**"],
                "license_file": "lib/pixi/LICENSE",
            }
        ],
    )
    assert analysis.problems == ()
    parts = analysis.parts
    assert (
        parts.summary()
        == "code: MIT; text and images: CC0 1.0; sounds: CC BY-NC 3.0; 1 third-party component"
    )
    rows = {(r.pattern, r.license, r.files) for r in parts.table()}
    assert ("s/*.mp3", "CC-BY-NC-3.0", 2) in rows
    assert ("lib/pixi/**", "MIT", 1) in rows
    assert PackageParts.from_json(parts.to_json()) == parts


# -- properties ----------------------------------------------------------------------------------

CONTENT = [
    "CC0-1.0",
    "CC-BY-4.0",
    "CC-BY-SA-4.0",
    "CC-BY-NC-4.0",
    "CC-BY-ND-4.0",
    "CC-BY-NC-SA-4.0",
]
CODE = ["MIT", "Apache-2.0", "LGPL-2.1-or-later", "MPL-2.0", "GPL-3.0-or-later", "GPL-2.0-only"]
licences = st.sampled_from(CONTENT + CODE)


@settings(max_examples=60, deadline=None)
@given(st.lists(licences, min_size=1, max_size=6), licences)
def test_adding_a_part_never_widens_what_the_whole_may_be(have: list[str], more: str) -> None:
    before = PackageParts("CC0-1.0", tuple(Part(f"f{i}", lic) for i, lic in enumerate(have)))
    after = PackageParts(before.license, (*before.files, Part("extra", more)))
    assert set(whole_licences(after)) <= set(whole_licences(before))


@settings(max_examples=60, deadline=None)
@given(st.lists(licences, min_size=1, max_size=6), licences)
def test_the_whole_is_refused_exactly_when_it_is_not_among_the_allowed(
    have: list[str], whole: str
) -> None:
    parts = PackageParts(whole, tuple(Part(f"f{i}", lic) for i, lic in enumerate(have)))
    assert (combination_problems(parts) == []) == (whole in whole_licences(parts))


@settings(max_examples=40, deadline=None)
@given(st.lists(licences, min_size=1, max_size=4))
def test_a_package_under_one_of_its_own_parts_licences_never_grants_more_than_nc_or_nd(
    have: list[str],
) -> None:
    parts = PackageParts("CC-BY-NC-ND-4.0", tuple(Part(f"f{i}", lic) for i, lic in enumerate(have)))
    if not any(lic.startswith("GPL") for lic in have):
        assert combination_problems(parts) == []


globs = st.sampled_from(
    ["**", "*.js", "lib/**", "lib/a/*", "assets/**", "index.html", "assets/s/*.mp3"]
)
tree_paths = st.lists(
    st.sampled_from(
        [
            "index.html",
            "app.js",
            "lib/a/x.js",
            "lib/b/y.js",
            "assets/s/a.mp3",
            "assets/i/b.png",
            "data/d.json",
        ]
    ),
    min_size=1,
    unique=True,
)


@settings(max_examples=60, deadline=None)
@given(tree_paths, st.lists(st.tuples(globs, licences), max_size=5), licences)
def test_every_file_gets_one_part_under_a_stated_licence(
    paths: list[str], rules: list[tuple[str, str]], whole: str
) -> None:
    files = [{"path": glob, "license": lic} for glob, lic in rules]
    analysis = analyse(license=whole, paths=paths, manifest={"files": files}, texts={})
    assert sorted(p.path for p in analysis.parts.files) == sorted(paths)
    stated = {whole} | {lic for _, lic in rules}
    for part in analysis.parts.files:
        assert part.license in stated
        matching = [i for i, (glob, _) in enumerate(rules) if matches(glob, part.path)]
        if matching:  # the last matching rule wins
            assert part.via == f"files[{matching[-1]}]"
        else:
            assert part.via == "package licence"


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("/*! howler.js v2.2.4 | (c) 2013-2020, James Simpson | MIT License */", "MIT"),
        (
            "/** @license React v18.2.0\n * This source code is licensed under the MIT license */",
            "MIT",
        ),
        ("/* @license GPL-3.0-or-later */\nvar a;", "GPL-3.0-or-later"),
        ("/* Licensed under the Apache License, Version 2.0 */", "Apache-2.0"),
        ("var x = 1; // MIT License", ""),
        ("/*! jQuery v3.7.1 | (c) OpenJS Foundation | jquery.org/license */", ""),
    ],
)
def test_a_librarys_opening_licence_notice_is_read(text: str, named: str) -> None:
    assert banner_licence(text) == named


def test_a_vendored_file_whose_banner_names_another_licence_must_be_declared() -> None:
    files = {
        "index.html": "",
        "lib/howler.min.js": "/*! howler.js v2.2.4 | MIT License */\nvar Howl;",
    }
    (problem,) = run("CC-BY-4.0", files).problems
    assert problem.startswith(
        "lib/howler.min.js opens with a licence notice naming MIT, but it would be CC-BY-4.0"
    )
    assert "declare it in remixbank.json third_party" in problem
    assert run("CC-BY-4.0", files, files=[{"path": "lib/*.js", "license": "MIT"}]).problems == ()
    assert run("MIT", files).problems == ()


@settings(max_examples=400, deadline=None)
@given(
    pattern=st.text(alphabet="a/*\\.", min_size=1, max_size=10),
    path=st.text(alphabet="a/*\\.", min_size=0, max_size=10),
)
def test_the_linear_glob_matcher_agrees_with_reuse(pattern, path):
    from reuse.global_licensing import AnnotationsItem

    from licensing.parts import glob_matches

    expected = bool(AnnotationsItem(paths={pattern}).matches(path))
    assert glob_matches(pattern, path) == expected, (pattern, path)


def test_a_glob_of_many_wildcards_is_matched_without_backtracking():
    # reuse's regular expression for this glob backtracks for hours over a 60-letter name.
    from licensing.parts import glob_matches, matches

    hostile = "*a" * 12 + "*b"
    assert not matches(hostile, "a" * 60)
    assert not glob_matches("**a" * 12 + "**b", "a/" * 60)
    assert matches(hostile, "a" * 12 + "b")


def test_reuse_toml_with_a_hostile_glob_is_read_in_time():
    toml = (
        'version = 1\n[[annotations]]\npath = "' + "*a" * 12 + '*b"\n'
        'SPDX-License-Identifier = "MIT"\n'
    )
    files = {"index.html": "<p>x</p>", "a" * 60 + ".js": "x", "REUSE.toml": toml}
    result = analyse(license="CC-BY-4.0", paths=list(files), manifest={}, texts=files)
    part = result.parts.part("a" * 60 + ".js")
    assert part is not None and part.license == "CC-BY-4.0"
