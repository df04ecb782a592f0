"""H5P and SCORM deposits: read from h5p.json / imsmanifest.xml, refused clearly when broken."""

import json
import stat
import zipfile
from pathlib import Path

import pytest

from repository.actions.deposits import deposit_package
from repository.errors import PackageRefused
from repository.models import Blob, Resource, Version
from repository.storage import packages
from repository.validation import players
from tests.packages import (
    QUIZ_CONTENT,
    SCO_NEVER_STARTS_JS,
    h5p_json,
    h5p_package,
    scorm_files,
    scorm_package,
    write_zip,
)


def assert_nothing_stored(blob_folder: Path) -> None:
    assert Resource.objects.count() == 0
    assert Version.objects.count() == 0
    assert Blob.objects.count() == 0
    assert not blob_folder.exists() or not any(p.is_file() for p in blob_folder.rglob("*"))


def test_h5p_deposit_reads_h5p_json_and_keeps_every_library(tmp_path, northfield, staff):
    version = deposit_package(
        package=h5p_package(tmp_path / "quiz.h5p"), institution=northfield, by=staff
    )
    assert version.resource.title == "Planètes : le quiz"
    assert version.resource.kind == "tool"
    assert version.licence == "CC-BY-SA-4.0"
    assert [a["name"] for a in version.manifest["authors"]] == ["Zoë Ångström", "Kofi Mensah"]
    assert version.manifest["language"] == "fr"
    assert "Ajout de l'image de Mercure (Kofi Mensah)" in version.manifest["changelog"]
    package = version.manifest["package"]
    assert package["format"] == "h5p"
    assert package["main_library"] == "H5P.RemixbankQuiz"
    assert package["source"] == "https://example.org/quiz-planetes"
    assert [lib["library"] for lib in package["libraries"]] == [
        "H5P.RemixbankQuiz-1.0",
        "H5P.RemixbankStyles-1.0",
    ]
    paths = set(version.files.values_list("path", flat=True))
    assert {"h5p.json", "H5P.RemixbankQuiz-1.0/js/quiz.js", "content/images/mercure.png"} <= paths
    # The image's credit in content.json becomes its licence by part.
    assert {
        "path": "content/images/mercure.png",
        "license": "CC-BY-SA-4.0",
        "copyright": "Zoë Ångström",
    } in version.manifest["files"]
    assert players.launch_path(players.config_of(version.manifest), version.entry_point) == (
        ".remixbank/h5p/index.html"
    )


def test_remixbank_json_beside_h5p_json_adds_subjects(tmp_path, northfield, staff):
    extra = {"subjects": ["astronomie"], "level": "collège", "description": "Un quiz."}
    package = h5p_package(tmp_path / "quiz.h5p", add={"remixbank.json": json.dumps(extra).encode()})
    version = deposit_package(package=package, institution=northfield, by=staff)
    assert version.manifest["subjects"] == ["astronomie"]
    assert version.manifest["level"] == "collège"
    assert version.licence == "CC-BY-SA-4.0"


@pytest.mark.parametrize(
    ("code", "version", "spdx"),
    [
        ("CC BY", "4.0", "CC-BY-4.0"),
        ("CC BY-NC-SA", "3.0", "CC-BY-NC-SA-3.0"),
        ("CC0 1.0", None, "CC0-1.0"),
        ("CC PDM", None, "CC-PDM-1.0"),
        ("GNU GPL", "v3", "GPL-3.0-only"),
    ],
)
def test_h5p_licence_codes_map_to_spdx(tmp_path, northfield, staff, code, version, spdx):
    h5p = h5p_json(license=code, licenseVersion=version)
    content = {**QUIZ_CONTENT, "image": {**QUIZ_CONTENT["image"], "copyright": {"license": "U"}}}
    deposited = deposit_package(
        package=h5p_package(tmp_path / "quiz.h5p", h5p=h5p, content=content),
        institution=northfield,
        by=staff,
    )
    assert deposited.licence == spdx


def test_scorm_12_deposit_reads_the_manifest(tmp_path, northfield, staff):
    version = deposit_package(
        package=scorm_package(tmp_path / "scorm12.zip", "1.2"), institution=northfield, by=staff
    )
    assert version.resource.title == "La photosynthèse en cinq minutes"
    assert version.licence == "CC-BY-4.0"
    assert version.manifest["authors"] == [{"name": "Søren Ødegaard"}]
    assert version.manifest["description"].startswith("Un module court")
    assert version.entry_point == "sco/index.html"
    package = version.manifest["package"]
    assert package["format"] == "scorm-1.2"
    assert package["launch"] == "sco/index.html"
    assert package["sco"] == "item-lesson"
    [organisation] = package["organisations"]
    assert organisation["title"] == "La photosynthèse"
    assert [(i["title"], i["sco"]) for i in organisation["items"]] == [
        ("Leçon et question", True),
        ("Notes pour l'enseignant", False),
    ]


def test_scorm_2004_deposit_is_told_apart(tmp_path, northfield, staff):
    version = deposit_package(
        package=scorm_package(tmp_path / "scorm2004.zip", "2004"), institution=northfield, by=staff
    )
    assert version.manifest["package"]["format"] == "scorm-2004"
    assert players.launch_path(players.config_of(version.manifest), version.entry_point) == (
        ".remixbank/scorm/index.html"
    )


def lying_media(path: Path) -> Path:
    credit = {"license": "CC BY-NC", "version": "4.0", "author": "Agence spatiale"}
    content = {**QUIZ_CONTENT, "image": {**QUIZ_CONTENT["image"], "copyright": credit}}
    return h5p_package(path, content=content)


def private_content(path: Path) -> Path:
    return h5p_package(path, h5p=h5p_json(license="C"))


def nested_zip(path: Path) -> Path:
    return h5p_package(path, add={"../H5P.Evil-1.0/library.json": b"{}"})


def symlinked(path: Path) -> Path:
    h5p_package(path)
    with zipfile.ZipFile(path, "a") as archive:
        info = zipfile.ZipInfo("content/images/link.png")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    return path


BAD = {
    "missing library": (
        lambda p: h5p_package(p, drop=["H5P.RemixbankStyles-1.0/"]),
        r"lacks 1 of the libraries its content needs: H5P\.RemixbankStyles-1\.0 \(needed by "
        r"h5p\.json, H5P\.RemixbankQuiz-1\.0/library\.json\)",
    ),
    "missing library script": (
        lambda p: h5p_package(p, drop=["H5P.RemixbankQuiz-1.0/js/quiz.js"]),
        r"H5P\.RemixbankQuiz-1\.0/library\.json loads 'js/quiz\.js' \(preloadedJs\)",
    ),
    "main library not a dependency": (
        lambda p: h5p_package(p, h5p=h5p_json(mainLibrary="H5P.MultiChoice")),
        "mainLibrary 'H5P.MultiChoice', which is not among its preloadedDependencies",
    ),
    "no content": (lambda p: h5p_package(p, drop=["content/"]), "has no content/content.json"),
    "licence contradicts remixbank.json": (
        lambda p: h5p_package(
            p, add={"remixbank.json": json.dumps({"license": "CC-BY-4.0"}).encode()}
        ),
        "h5p.json says the licence is CC-BY-SA-4.0, but remixbank.json says CC-BY-4.0",
    ),
    "licence lies about a credited image": (
        lying_media,
        r"CC BY-NC 4\.0 is NonCommercial",
    ),
    "all rights reserved": (private_content, "says Copyright \\(all rights reserved\\)"),
    "undisclosed licence": (
        lambda p: h5p_package(p, h5p=h5p_json(license="U")),
        "does not say under which licence",
    ),
    "no author": (lambda p: h5p_package(p, h5p=h5p_json(authors=[])), "h5p.json names no author"),
    "h5p traversal": (nested_zip, "climbs out of the package"),
    "h5p symlink": (symlinked, "is a symbolic link"),
    "h5p uses the player's folder": (
        lambda p: h5p_package(p, add={".remixbank/h5p/index.html": b"<p>mine</p>"}),
        "where Remixbank serves the player",
    ),
    "scorm manifest names an absent file": (
        lambda p: scorm_package(p, "1.2", drop=["sco/sco.js"]),
        r"names 1 file\(s\) the package does not have: sco/sco\.js \(resource res-sco\)",
    ),
    "scorm launch page absent": (
        lambda p: scorm_package(p, "2004", drop=["sco/index.html"]),
        r"sco/index\.html \(resource res-sco\)",
    ),
    "scorm manifest not xml": (
        lambda p: write_zip(p, {**scorm_files("1.2"), "imsmanifest.xml": b"<manifest><oops>"}),
        "imsmanifest.xml is not well-formed XML",
    ),
    "scorm without a SCO": (
        lambda p: write_zip(
            p,
            {
                **scorm_files("1.2"),
                "imsmanifest.xml": scorm_files("1.2")["imsmanifest.xml"].replace(
                    b'scormtype="sco"', b'scormtype="asset"'
                ),
            },
        ),
        "has no SCO",
    ),
    "scorm remixbank.json sets the entry point": (
        lambda p: scorm_package(
            p, "1.2", add={"remixbank.json": json.dumps({"entry_point": "x.html"}).encode()}
        ),
        "sets entry_point, which Remixbank takes from imsmanifest.xml",
    ),
    "plain package claims a format": (
        lambda p: write_zip(
            p,
            {
                "index.html": b"<p>hi</p>",
                "remixbank.json": json.dumps(
                    {
                        "kind": "tool",
                        "title": "T",
                        "license": "MIT",
                        "authors": ["A"],
                        "entry_point": "index.html",
                        "package": {"format": "h5p"},
                    }
                ).encode(),
            },
        ),
        "sets package, which Remixbank fills in itself",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_broken_h5p_and_scorm_packages_are_refused_and_store_nothing(
    case, tmp_path, northfield, staff, blob_folder
):
    build, message = BAD[case]
    package = build(tmp_path / "package.zip")
    with pytest.raises(PackageRefused, match=message):
        deposit_package(package=package, institution=northfield, by=staff)
    assert_nothing_stored(blob_folder)


def test_an_sco_that_never_starts_is_still_deposited(tmp_path, northfield, staff):
    """Only running it shows the SCO never calls LMSInitialize: the deposit takes it."""
    package = scorm_package(tmp_path / "lazy.zip", "1.2", sco_js=SCO_NEVER_STARTS_JS)
    version = deposit_package(package=package, institution=northfield, by=staff)
    assert version.state == Version.State.UPLOADED


def test_the_reserved_folder_is_named_the_same_on_both_sides():
    assert packages.PLAYER_FOLDER == players.PLAYER_FOLDER


@pytest.mark.parametrize(("given", "spdx"), [(4, "CC-BY-SA-4.0"), (3.0, "CC-BY-SA-3.0")])
def test_h5p_licence_version_written_as_a_number_is_read(tmp_path, northfield, staff, given, spdx):
    """Hand-made h5p.json files write licenseVersion as a JSON number: read it, do not crash."""
    package = h5p_package(tmp_path / "quiz.h5p", h5p=h5p_json(licenseVersion=given))
    version = deposit_package(package=package, institution=northfield, by=staff)
    assert version.licence == spdx


MISSHAPEN_H5P = {
    "licenseVersion a list": (h5p_json(licenseVersion=["4.0"]), "licenseVersion"),
    "authors not a list": (h5p_json(authors=7), "authors"),
    "changes not a list": (h5p_json(changes=3), "changes"),
}


@pytest.mark.parametrize("case", sorted(MISSHAPEN_H5P))
def test_misshapen_h5p_json_is_refused_by_name(case, tmp_path, northfield, staff, blob_folder):
    document, field = MISSHAPEN_H5P[case]
    package = h5p_package(tmp_path / "quiz.h5p", h5p=document)
    with pytest.raises(PackageRefused, match=rf"h5p\.json.*{field}"):
        deposit_package(package=package, institution=northfield, by=staff)
    assert_nothing_stored(blob_folder)


def test_misshapen_library_json_is_refused_by_name(tmp_path, northfield, staff, blob_folder):
    library = {"machineName": "H5P.RemixbankStyles", "majorVersion": 1, "minorVersion": 0}
    broken = {**library, "title": "Styles", "preloadedCss": 5}
    package = h5p_package(
        tmp_path / "quiz.h5p",
        add={"H5P.RemixbankStyles-1.0/library.json": json.dumps(broken).encode()},
    )
    with pytest.raises(
        PackageRefused, match=r"H5P\.RemixbankStyles-1\.0/library\.json.*preloadedCss"
    ):
        deposit_package(package=package, institution=northfield, by=staff)
    assert_nothing_stored(blob_folder)


def test_credit_version_written_as_a_number_is_read(tmp_path, northfield, staff):
    credit = {"license": "CC BY", "version": 4, "author": "Agence spatiale"}
    content = {**QUIZ_CONTENT, "image": {**QUIZ_CONTENT["image"], "copyright": credit}}
    package = h5p_package(tmp_path / "quiz.h5p", content=content)
    version = deposit_package(package=package, institution=northfield, by=staff)
    rules = [r for r in version.manifest["files"] if r["path"].startswith("content/")]
    assert rules and rules[0]["license"] == "CC-BY-4.0"


@pytest.mark.parametrize("element", ["manifest", "resources"])
def test_scorm_xml_base_of_the_manifest_or_its_resources_is_followed(
    element, tmp_path, northfield, staff
):
    """IMS content packaging lets <manifest> and <resources> carry xml:base (files kept in a
    folder of the zip): the SCO launched is the file under that folder."""
    files = scorm_files("2004")
    manifest = files.pop("imsmanifest.xml").decode()
    tag = f"<{element} "
    if element == "resources":
        manifest = manifest.replace("<resources>", '<resources xml:base="module/">')
    else:
        manifest = manifest.replace(tag, f'{tag}xml:base="module/" ', 1)
    moved = {f"module/{path}": data for path, data in files.items()}
    package = write_zip(tmp_path / "based.zip", {"imsmanifest.xml": manifest.encode(), **moved})
    version = deposit_package(package=package, institution=northfield, by=staff)
    assert version.manifest["package"]["launch"] == "module/sco/index.html"
    assert version.entry_point == "module/sco/index.html"
