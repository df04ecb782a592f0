"""Deposits: a good package becomes a version; every hostile or broken package is refused cleanly."""

import json
import random
import stat
import warnings
import zipfile
from pathlib import Path

import pytest

from repository.actions.deposits import deposit_package
from repository.errors import PackageRefused, PermissionRefused
from repository.models import Blob, Resource, Version, VersionFile
from repository.storage.packages import PackageLimits
from tests.factories import build_zip, manifest, tool_files

LIMITS = PackageLimits(
    max_files=10, max_bytes=4 * 1024 * 1024, max_file_bytes=3 * 1024 * 1024, max_ratio=50
)


def add_manifest(archive: zipfile.ZipFile, **overrides: object) -> None:
    import json

    archive.writestr("remixbank.json", json.dumps(manifest(**overrides)))


def zip_with(path: Path, build) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns on the duplicate names we make on purpose
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            add_manifest(archive)
            for name, content in tool_files().items():
                archive.writestr(name, content)
            build(archive)
    return path


def special_entry(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = mode << 16
    return info


def overlap_bomb(path: Path) -> Path:
    archive = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED)
    add_manifest(archive)
    for name, content in tool_files().items():
        archive.writestr(name, content)
    archive.writestr("a.bin", b"\0" * 1000)
    archive.writestr("b.bin", b"\1" * 1000)
    archive.filelist[-1].header_offset = archive.filelist[-2].header_offset
    archive.close()
    return path


def encrypted(path: Path) -> Path:
    """A package whose secret.txt carries the 'encrypted' flag in both of its zip headers."""
    zip_with(path, lambda a: a.writestr("secret.txt", b"hidden"))
    data = bytearray(path.read_bytes())
    start = 0
    while (at := data.find(b"secret.txt", start)) != -1:
        if data[at - 46 : at - 42] == b"PK\x01\x02":
            data[at - 46 + 8] |= 0x1
        if data[at - 30 : at - 26] == b"PK\x03\x04":
            data[at - 30 + 6] |= 0x1
        start = at + 1
    path.write_bytes(bytes(data))
    return path


HOSTILE = {
    "traversal": (lambda a: a.writestr("../escape.txt", b"x"), "climbs out of the package"),
    "absolute path": (lambda a: a.writestr("/etc/cron.d/evil", b"x"), "absolute path"),
    "backslash": (lambda a: a.writestr("sub\\..\\..\\evil.txt", b"x"), "backslash"),
    "symlink": (
        lambda a: a.writestr(special_entry("link", stat.S_IFLNK | 0o777), b"/etc/passwd"),
        "is a symbolic link",
    ),
    "fifo": (
        lambda a: a.writestr(special_entry("pipe", stat.S_IFIFO | 0o644), b""),
        "not a regular file",
    ),
    "too many files": (
        lambda a: [a.writestr(f"f{i}.txt", b"x") for i in range(12)],
        "more than 10 files",
    ),
    "too many bytes": (
        lambda a: [
            a.writestr(f"big{i}.bin", random.Random(i).randbytes(1_500_000)) for i in range(3)
        ],
        "unpacks to more than 4194304 bytes",
    ),
    "file too big": (
        lambda a: a.writestr("huge.bin", bytes(range(256)) * 16384),
        "the limit per file is 3145728 bytes",
    ),
    "zip bomb ratio": (
        lambda a: a.writestr("zeros.bin", b"\0" * 2_000_000),
        "looks like a zip bomb",
    ),
    "duplicate path": (lambda a: a.writestr("app.js", b"again"), "duplicates 'app.js'"),
    "duplicate path by case": (lambda a: a.writestr("APP.JS", b"again"), "duplicates 'app.js'"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_package_is_refused_and_stores_nothing(
    case, tmp_path, northfield, staff, blob_folder
):
    build, message = HOSTILE[case]
    package = zip_with(tmp_path / "hostile.zip", build)
    with pytest.raises(PackageRefused, match=message.replace("(", r"\(").replace(".", r"\.")):
        deposit_package(package=package, institution=northfield, by=staff, limits=LIMITS)
    assert_nothing_stored(blob_folder)


def assert_nothing_stored(blob_folder: Path) -> None:
    assert Resource.objects.count() == 0
    assert Version.objects.count() == 0
    assert Blob.objects.count() == 0
    assert not blob_folder.exists() or not any(p.is_file() for p in blob_folder.rglob("*"))


def write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


BROKEN = {
    "not a zip": (lambda p: write(p, b"this is a text file, not a zip"), "not a zip file"),
    "empty file": (lambda p: write(p, b""), "not a zip file"),
    "missing manifest": (
        lambda p: build_zip(p, manifest_data="omit"),
        "no remixbank.json at its root",
    ),
    "manifest missing title": (
        lambda p: build_zip(p, manifest_data={k: v for k, v in manifest().items() if k != "title"}),
        "'title' is a required property",
    ),
    "manifest wrong kind": (
        lambda p: build_zip(p, manifest_data=manifest(kind="video")),
        "invalid at kind",
    ),
    "unknown licence": (
        lambda p: build_zip(p, manifest_data=manifest(license="CC-BY-SA-9.0")),
        "CC-BY-SA-9.0",
    ),
    "entry point missing": (
        lambda p: build_zip(p, manifest_data=manifest(entry_point="start.html")),
        "entry point 'start.html'",
    ),
    "overlapping entries": (overlap_bomb, "overlap"),
    "encrypted": (encrypted, "is encrypted"),
    "damaged manifest": (lambda p: damaged_manifest(p), "remixbank.json is damaged in the zip"),
    "file used as a folder": (
        lambda p: build_zip(p, tool_files(**{"lib": b"x", "lib/a.js": b"y"})),
        "'lib' is a file, but 'lib/a.js' uses it as a folder",
    ),
    "manifest nested too deep": (
        lambda p: raw_manifest_zip(p, b'{"title": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
        "remixbank.json is not valid JSON: arrays and objects are nested more than 64 levels deep",
    ),
    "too many entries declared": (
        lambda p: zip_with(p, lambda a: [a.writestr(f"d{i}/", b"") for i in range(1100)]),
        "lists 1103 entries",
    ),
}


def raw_manifest_zip(path: Path, raw: bytes) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("remixbank.json", raw)
        for name, content in tool_files().items():
            archive.writestr(name, content)
    return path


def damaged_manifest(path: Path) -> Path:
    """A zip whose stored manifest bytes were altered after zipping (its CRC no longer matches)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("remixbank.json", json.dumps(manifest()))
        for name, content in tool_files().items():
            archive.writestr(name, content)
    data = bytearray(path.read_bytes())
    at = data.find(b'"kind"')
    data[at + 1] = ord("K")
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_package_is_refused_with_a_reason(case, tmp_path, northfield, staff, blob_folder):
    build, message = BROKEN[case]
    package = build(tmp_path / "broken.zip")
    with pytest.raises(PackageRefused) as refused:
        deposit_package(package=package, institution=northfield, by=staff, limits=LIMITS)
    assert message in refused.value.message
    assert_nothing_stored(blob_folder)


def test_deposit_creates_uploaded_version_and_queues_validation(
    package, northfield, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        version = deposit_package(package=package, institution=northfield, by=staff)
    assert version.state == Version.State.UPLOADED
    assert version.number == 1
    assert version.licence == "CC-BY-SA-4.0"
    assert version.authors == ["Ada Lovelace"]
    assert sorted(version.files.values_list("path", flat=True)) == ["app.js", "index.html"]
    assert version.resource.title == "Counter"
    assert version.resource.institution == northfield
    assert len(callbacks) == 1


def test_same_content_is_stored_once(package, tmp_path, northfield, staff, blob_folder):
    first = deposit_package(package=package, institution=northfield, by=staff)
    retitled = build_zip(tmp_path / "v2.zip", manifest_data=manifest(changelog="Clearer wording."))
    second = deposit_package(
        package=retitled, institution=northfield, by=staff, resource=first.resource
    )
    assert second.number == 2
    assert Blob.objects.count() == 2
    assert len([p for p in blob_folder.rglob("*") if p.is_file()]) == 2
    assert VersionFile.objects.count() == 4


def test_identical_reupload_is_refused_as_nothing_changed(package, northfield, staff):
    first = deposit_package(package=package, institution=northfield, by=staff)
    with pytest.raises(PackageRefused, match="Nothing changed since v1"):
        deposit_package(package=package, institution=northfield, by=staff, resource=first.resource)
    assert Version.objects.count() == 1


@pytest.mark.parametrize("persona", ["student", "outsider"])
def test_only_staff_of_the_institution_deposit(persona, request, package, northfield, blob_folder):
    person = request.getfixturevalue(persona)
    with pytest.raises(PermissionRefused, match="Only staff of Northfield University"):
        deposit_package(package=package, institution=northfield, by=person)
    assert_nothing_stored(blob_folder)


def test_new_version_must_keep_the_resource_kind(tmp_path, package, northfield, staff):
    tool = deposit_package(package=package, institution=northfield, by=staff)
    scenario_package = build_zip(
        tmp_path / "scenario.zip",
        {"scenario.json": b"{}"},
        manifest_data=manifest(kind="scenario", entry_point="scenario.json"),
    )
    with pytest.raises(PackageRefused, match="a resource keeps its kind"):
        deposit_package(
            package=scenario_package, institution=northfield, by=staff, resource=tool.resource
        )
    assert Version.objects.count() == 1


def test_ten_thousand_file_package_is_refused_under_the_default_limits(
    tmp_path, northfield, staff, blob_folder
):
    files = {f"assets/{n:05d}.txt": b"x" for n in range(10_000)}
    package = build_zip(tmp_path / "many.zip", tool_files(**files))
    with pytest.raises(PackageRefused, match="2000 files"):
        deposit_package(package=package, institution=northfield, by=staff)
    assert_nothing_stored(blob_folder)


def zip_named(path: Path, names: dict[str, bytes], *, with_manifest: bool = True) -> Path:
    """A tool package plus entries with these names; `#` in a name becomes a NUL byte.

    zipfile cuts names at NUL when writing too, so the byte is patched into both headers.
    """
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        if with_manifest:
            add_manifest(archive)
        for name, content in {**tool_files(), **names}.items():
            archive.writestr(name, content)
    data = path.read_bytes()
    for name in names:
        if "#" in name:
            data = data.replace(name.encode(), name.replace("#", "\0").encode())
    path.write_bytes(data)
    return path


NAMES = {
    "NUL hides a second manifest": (
        lambda p: zip_named(
            p,
            {"remixbank.json#.txt": json.dumps(manifest(title="Not the manifest")).encode()},
            with_manifest=False,
        ),
        "Entry 'remixbank.json\\x00.txt' has a control character (U+0000) in its name",
    ),
    "line feed": (
        lambda p: zip_named(p, {"notes\r\n.txt": b"x"}),
        "Entry 'notes\\r\\n.txt' has a control character (U+000D) in its name; rename the file",
    ),
    "tab in a folder": (
        lambda p: zip_named(p, {"a\tb/c.txt": b"x"}),
        "has a control character (U+0009)",
    ),
    "right-to-left override": (
        lambda p: zip_named(p, {"invoice\u202etxt.js": b"x"}),
        "Entry 'invoice\\u202etxt.js' has a bidirectional control character (U+202E)",
    ),
    "isolate": (
        lambda p: zip_named(p, {"a\u2067b.txt": b"x"}),
        "bidirectional control character (U+2067)",
    ),
    "NFC and NFD twins": (
        lambda p: zip_named(p, {"caf\u00e9.txt": b"one", "cafe\u0301.txt": b"two"}),
        "Entry 'cafe\\u0301.txt' duplicates 'caf\\xe9.txt': the same name written in two "
        "Unicode forms (NFC and NFD). Rename or remove one of them.",
    ),
    "equal after case folding": (
        lambda p: zip_named(p, {"STRASSE.txt": b"one", "stra\u00dfe.txt": b"two"}),
        "Entry 'straße.txt' duplicates 'STRASSE.txt' (paths must be unique ignoring case",
    ),
    "a folder and a file folded equal": (
        lambda p: zip_named(p, {"Stra\u00dfe": b"one", "STRASSE/a.txt": b"two"}),
        "'Straße' is a file, but 'STRASSE/a.txt' uses it as a folder",
    ),
}


@pytest.mark.parametrize("case", sorted(NAMES))
def test_a_name_that_could_mislead_is_refused_and_stores_nothing(
    case, tmp_path, northfield, staff, blob_folder
):
    build, message = NAMES[case]
    with pytest.raises(PackageRefused) as refused:
        deposit_package(package=build(tmp_path / "names.zip"), institution=northfield, by=staff)
    assert message in refused.value.message
    assert_nothing_stored(blob_folder)


def test_names_are_stored_in_nfc_and_the_entry_point_found_in_nfc(tmp_path, northfield, staff):
    nfd = "exerci\u0301cio.html"
    package = tmp_path / "nfd.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("remixbank.json", json.dumps(manifest(entry_point=nfd)))
        archive.writestr(nfd, tool_files()["index.html"])
    version = deposit_package(package=package, institution=northfield, by=staff)
    assert list(version.files.values_list("path", flat=True)) == ["exerc\u00edcio.html"]
    assert version.entry_point == "exerc\u00edcio.html"


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://files.example.org/ada",
        "//example.org/ada",
        "https://",
        "http://exa mple.org/",
    ],
)
def test_an_author_url_must_be_http_or_https(url, tmp_path, northfield, staff, blob_folder):
    authors = [{"name": "Ada Lovelace", "url": url}]
    package = build_zip(tmp_path / "url.zip", manifest_data=manifest(authors=authors))
    with pytest.raises(PackageRefused) as refused:
        deposit_package(package=package, institution=northfield, by=staff)
    assert refused.value.message == (
        f"remixbank.json is invalid at authors/0/url: {url!r} is not a web address; give an "
        "absolute http:// or https:// URL such as https://example.org/ada, or leave url out."
    )
    assert_nothing_stored(blob_folder)


def test_an_https_author_url_is_kept(tmp_path, northfield, staff):
    authors = [{"name": "Ada Lovelace", "url": "https://example.org/ada"}]
    package = build_zip(tmp_path / "url.zip", manifest_data=manifest(authors=authors))
    version = deposit_package(package=package, institution=northfield, by=staff)
    assert version.manifest["authors"] == authors


def test_too_many_declared_external_resources_are_counted_and_the_fix_named(
    tmp_path, northfield, staff, blob_folder
):
    urls = [f"https://cdn.example.org/lib/part-{i}.js" for i in range(51)]
    package = build_zip(tmp_path / "many.zip", manifest_data=manifest(external_resources=urls))
    with pytest.raises(PackageRefused) as refused:
        deposit_package(package=package, institution=northfield, by=staff)
    assert refused.value.message == (
        "remixbank.json is invalid at external_resources: 51 entries, more than the 50 allowed; "
        "declare a site or folder once, ending in / (e.g. https://cdn.example.org/), and every "
        "URL under it is covered."
    )
    assert "part-7.js" not in refused.value.message  # counted, never printed whole
