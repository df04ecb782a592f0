"""A fork may license the forker's changes to the code and to the content separately.

The source mixes GPL-3.0-only code with CC BY-SA 4.0 text and images and ships an MIT library:
each part's new licence must be one that part allows (code with code, content with content),
and fit inside the fork's licence as a whole. Every refusal says why in plain words and makes
nothing.
"""

import pytest

from licensing.parts import Component, PackageParts, Part
from repository.actions.forks import fork_version
from repository.errors import LicenceRefused
from repository.models import Resource, Version
from repository.storage import blobs
from tests.factories import ResourceFactory, stored_version

FILES = {
    "index.html": '<!doctype html><meta charset="utf-8"><title>Pendel</title><p>Schwingungsdauer für Anfänger</p>'.encode(),
    "js/pendulum.js": b"// SPDX-License-Identifier: GPL-3.0-only\nexport const g = 9.81;\n",
    "images/pendel.svg": b'<svg xmlns="http://www.w3.org/2000/svg"><line x2="9"/></svg>',
    "lib/katex/katex.min.js": b"/*! KaTeX | MIT */ var katex;\n",
    "lib/katex/LICENSE": b"The MIT License (MIT)\n\nCopyright (c) 2013-2020 Khan Academy\n",
    "LICENSE": b"GNU GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007\n",
}


@pytest.fixture
def source(northfield):
    return gpl_tool(northfield)


def gpl_tool(institution) -> Version:
    """GPL-3.0-only code, CC BY-SA 4.0 text and images, and KaTeX (MIT) as a component."""
    parts = PackageParts(
        "GPL-3.0-only",
        (
            Part("index.html", "CC-BY-SA-4.0", ("2026 Jürgen Weiß",), "files[0]", "*.html"),
            Part("images/pendel.svg", "CC-BY-SA-4.0", (), "files[1]", "images/**"),
            Part("js/pendulum.js", "GPL-3.0-only", (), "header", "js/pendulum.js"),
            Part("lib/katex/katex.min.js", "MIT", (), "third_party", "lib/katex/**", "KaTeX"),
        ),
        (
            Component(
                name="KaTeX",
                license="MIT",
                paths=("lib/katex/**",),
                version="0.16.9",
                url="https://katex.org/",
                license_file="lib/katex/LICENSE",
            ),
        ),
    )
    return stored_version(
        FILES,
        resource=ResourceFactory(institution=institution, title="Pendel"),
        licence="GPL-3.0-only",
        authors=["Jürgen Weiß"],
        parts=parts.to_json(),
    )


def test_a_fork_records_a_licence_for_each_part_and_says_so_in_its_licence_file(
    source, southbank, outsider
):
    fork = fork_version(
        source,
        into=southbank,
        by=outsider,
        licence="GPL-3.0-only",
        part_licences={"code": "GPL-3.0-only", "content": "CC-BY-SA-4.0"},
    )
    assert fork.manifest["part_licences"] == {"code": "GPL-3.0-only", "content": "CC-BY-SA-4.0"}
    text = blobs.read_blob(fork.files.get(path="LICENSE.txt").blob_id).decode()
    assert "by part (code: GNU GPL v3.0 only; content: CC BY-SA 4.0)" in text
    assert "TERMS AND CONDITIONS" in text  # the GPL's own text, not a link
    assert "Attribution-ShareAlike 4.0 International Public License" in text
    assert "KaTeX 0.16.9 (MIT, in lib/katex/**)" in text
    # The component keeps its own terms and its licence file.
    katex = fork.licence_parts.part("lib/katex/katex.min.js")
    assert katex is not None and katex.license == "MIT"
    assert fork.files.filter(path="lib/katex/LICENSE").exists()


# (what is asked, words the refusal must say)
REFUSED = [
    ({"code": "MIT"}, "For the code (GPL-3.0-only): MIT may not carry an adaptation"),
    ({"code": "MIT"}, "copyleft code never becomes permissive"),
    ({"content": "CC-BY-4.0"}, "For the content (CC-BY-SA-4.0): CC BY 4.0 may not carry"),
    ({"content": "CC-BY-NC-SA-4.0"}, "What you can do: choose"),
    (
        {"sounds": "CC0-1.0"},
        "'Pendel' has no sounds part to license separately (it has code and content)",
    ),
    ({"code": "GPL 3"}, "is not a licence Remixbank knows"),
    ({"code": "GPL-3.0-or-later"}, "For the code (GPL-3.0-only)"),
]


@pytest.mark.parametrize(("asked", "says"), REFUSED)
def test_a_part_licence_the_part_does_not_allow_is_refused_in_words_and_makes_nothing(
    source, southbank, outsider, asked, says
):
    before = (Resource.objects.count(), Version.objects.count())
    with pytest.raises(LicenceRefused) as refused:
        fork_version(
            source, into=southbank, by=outsider, licence="GPL-3.0-only", part_licences=asked
        )
    assert says in refused.value.message
    assert "licensing." not in refused.value.message
    assert (Resource.objects.count(), Version.objects.count()) == before


@pytest.fixture
def permissive_source(northfield):
    """MIT code and CC BY 4.0 content, as most explorables are."""
    parts = PackageParts(
        "CC-BY-4.0",
        (
            Part("index.html", "CC-BY-4.0"),
            Part("images/pendel.svg", "CC-BY-4.0"),
            Part("js/pendulum.js", "MIT", ("2026 Jürgen Weiß",), "files[0]", "js/**"),
        ),
    )
    files = {k: v for k, v in FILES.items() if not k.startswith(("lib/", "LICENSE"))}
    return stored_version(
        files,
        resource=ResourceFactory(institution=northfield, title="Pendel (MIT)"),
        licence="CC-BY-4.0",
        authors=["Jürgen Weiß"],
        parts=parts.to_json(),
    )


def test_a_part_licence_that_does_not_fit_inside_the_whole_is_refused(
    permissive_source, southbank, outsider
):
    # GPL code may come from MIT code, but a GPL program must be licensed as a whole under the
    # GPL (GPLv3 §5(c)), so it cannot sit in a fork that promises CC BY-SA 4.0 for all of it.
    before = Version.objects.count()
    with pytest.raises(LicenceRefused) as refused:
        fork_version(
            permissive_source,
            into=southbank,
            by=outsider,
            licence="CC-BY-SA-4.0",
            part_licences={"code": "GPL-3.0-or-later", "content": "CC-BY-SA-4.0"},
        )
    message = refused.value.message
    assert message.startswith(
        "Your code would be GNU GPL v3.0 or later inside a fork licensed CC BY-SA 4.0"
    )
    assert "GPLv3 §5(c)" in message
    assert "What you can do: choose a licence for the whole" in message
    assert Version.objects.count() == before
    # The same choice under a GPL whole is allowed: content BY-SA 4.0 goes one-way into GPLv3.
    fork = fork_version(
        permissive_source,
        into=southbank,
        by=outsider,
        licence="GPL-3.0-or-later",
        part_licences={"code": "GPL-3.0-or-later", "content": "CC-BY-SA-4.0"},
    )
    assert fork.manifest["part_licences"]["code"] == "GPL-3.0-or-later"


@pytest.mark.parametrize(
    ("part_licences", "says"),
    [
        ({"code": "Apache 2"}, "Did you mean 'Apache-2.0'?"),
        ({"code": "GPL-3.0-or-later"}, "cannot sit inside a package licensed CC BY 4.0"),
        ({"content": "MIT OR Apache-2.0"}, "is an expression; name the one licence"),
        ({"sounds": "CC0-1.0"}, "part_licences"),
    ],
)
def test_a_deposit_with_bad_part_licences_is_refused_in_words_and_stores_nothing(
    tmp_path, northfield, staff, blob_folder, part_licences, says
):
    from repository.actions.deposits import deposit_package
    from repository.errors import PackageRefused
    from tests.factories import build_zip, manifest

    data = manifest(license="CC-BY-4.0", part_licences=part_licences)
    package = build_zip(tmp_path / "tool.zip", manifest_data=data)
    with pytest.raises(PackageRefused) as refused:
        deposit_package(package=package, institution=northfield, by=staff)
    assert says in refused.value.message
    assert Resource.objects.count() == Version.objects.count() == 0
