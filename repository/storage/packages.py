"""Deposit packages: safe unpacking of a zip with limits, and the manifest check."""

import hashlib
import itertools
import json
import os
import stat
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import jsonschema
from django.conf import settings

import licensing
import licensing.parts
from repository.errors import PackageRefused
from repository.guards import safejson
from repository.storage import cartridge_import, h5p, notebook, scorm

MANIFEST_NAME = "remixbank.json"
# Where the content origin serves an H5P or SCORM package's player, beside the package's files
# (repository.validation.players.PLAYER_FOLDER, which validation may not import from here).
PLAYER_FOLDER = ".remixbank"
MANIFEST_MAX_BYTES = 256 * 1024
MAX_PATH_LENGTH = 1024  # VersionFile.path
CHUNK = 1024 * 1024
# Below this size a high compression ratio is harmless (a small file of spaces), so the
# ratio limit only applies to entries, and packages, larger than this.
RATIO_FLOOR_BYTES = 1024 * 1024
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schemas" / "manifest.schema.json"
# Bidirectional formatting characters: in a name they can make `evil\u202etxt.exe` display as
# `evilexe.txt`, so a reviewer would see another file than the one stored.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


@cache
def manifest_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text())


@dataclass(frozen=True)
class PackageLimits:
    max_files: int
    max_bytes: int
    max_file_bytes: int
    max_ratio: int

    @classmethod
    def from_settings(cls) -> "PackageLimits":
        return cls(
            max_files=settings.PACKAGE_MAX_FILES,
            max_bytes=settings.PACKAGE_MAX_BYTES,
            max_file_bytes=settings.PACKAGE_MAX_FILE_BYTES,
            max_ratio=settings.PACKAGE_MAX_RATIO,
        )


@dataclass(frozen=True)
class UnpackedFile:
    path: str
    local_path: Path
    sha256: str
    size: int


@dataclass
class UnpackedPackage:
    manifest: dict[str, Any]
    files: list[UnpackedFile] = field(default_factory=list)

    @property
    def total_size(self) -> int:
        return sum(f.size for f in self.files)


def checked_name(name: str) -> str:
    """A new file's path, in NFC (how paths are stored), if it is safe and cannot mislead.

    Give it the name as stored in the zip (ZipInfo.orig_filename): zipfile cuts
    ZipInfo.filename at the first NUL, so `remixbank.json\\0.txt` would pass as the manifest.
    """
    check_name_characters(name)
    check_path(name)
    return unicodedata.normalize("NFC", name)


def check_path(name: str) -> str:
    """Return the entry's path if it is a safe relative POSIX path; refuse it otherwise."""
    if "\x00" in name or "\\" in name:
        raise PackageRefused(
            f"Entry {name!r} contains a backslash or NUL byte; use plain '/'-separated paths."
        )
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise PackageRefused(
            f"Entry {name!r} has an absolute path; paths in the package must be relative "
            "to its root."
        )
    if len(name) > MAX_PATH_LENGTH:
        raise PackageRefused(
            f"Entry {name[:60]!r}… has a path of {len(name)} characters; the limit is {MAX_PATH_LENGTH}."
        )
    parts = PurePosixPath(name).parts
    if ".." in name.split("/"):
        raise PackageRefused(
            f"Entry {name!r} climbs out of the package with '..'; remove it and zip the "
            "folder's contents only."
        )
    if not parts or any(p in {"", "."} for p in name.rstrip("/").split("/")):
        raise PackageRefused(f"Entry {name!r} has an empty or '.' path segment.")
    return name


def check_name_characters(name: str) -> None:
    """Refuse control characters (NUL, tab, CR, LF, DEL, C1) and bidi controls in a name."""
    for char in name:
        if unicodedata.category(char) == "Cc":
            raise PackageRefused(
                f"Entry {name!r} has a control character (U+{ord(char):04X}) in its name; "
                "rename the file using printable characters only (no NUL, tab, CR or LF)."
            )
        if char in BIDI_CONTROLS:
            raise PackageRefused(
                f"Entry {name!r} has a bidirectional control character (U+{ord(char):04X}) in "
                "its name, which can make it display as another name; rename the file without it."
            )


def name_key(path: str) -> str:
    """Paths equal under this key are the same file on some system: NFC, then case folded."""
    return unicodedata.normalize("NFC", path).rstrip("/").casefold()


def check_unique_paths(paths: list[str]) -> None:
    """Refuse two paths that are the same file on some system (see name_key)."""
    seen: dict[str, str] = {}
    for path in paths:
        key = name_key(path)
        if key in seen:
            raise PackageRefused(duplicate_refusal(path, seen[key]))
        seen[key] = path


def duplicate_refusal(name: str, other: str) -> str:
    if name != other and unicodedata.normalize("NFC", name) == unicodedata.normalize("NFC", other):
        # The two look identical on screen; their escapes show the difference.
        return (
            f"Entry {name!a} duplicates {other!a}: the same name written in two "
            "Unicode forms (NFC and NFD). Rename or remove one of them."
        )
    return (
        f"Entry {name!r} duplicates {other!r} (paths must be unique ignoring case, so the "
        "package unpacks the same everywhere); rename or remove one of them."
    )


def entry_kind_refusal(info: zipfile.ZipInfo) -> str | None:
    mode = info.external_attr >> 16
    kind = stat.S_IFMT(mode)
    if kind == 0 or stat.S_ISREG(mode) or (stat.S_ISDIR(mode) and info.is_dir()):
        return None
    what = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file"
    return (
        f"Entry {info.filename!r} is {what}; packages may hold only regular files and "
        "folders. Replace links with copies of the files."
    )


def inspect_entries(archive: zipfile.ZipFile, limits: PackageLimits) -> list[zipfile.ZipInfo]:
    """Check every entry against the rules before a byte is inflated; return the files."""
    files: list[zipfile.ZipInfo] = []
    seen: dict[str, str] = {}
    declared_total = 0
    compressed_total = 0
    for info in archive.infolist():
        # Every later check, the stored path included, uses the NFC name.
        info.filename = checked_name(info.orig_filename)
        if info.flag_bits & 0x1:
            raise PackageRefused(
                f"Entry {info.filename!r} is encrypted; deposit an unencrypted zip."
            )
        refusal = entry_kind_refusal(info)
        if refusal:
            raise PackageRefused(refusal)
        key = name_key(info.orig_filename)
        if key in seen:
            raise PackageRefused(duplicate_refusal(info.orig_filename, seen[key]))
        seen[key] = info.orig_filename
        if info.is_dir():
            continue
        files.append(info)
        if len(files) > limits.max_files:
            raise PackageRefused(
                f"The package has more than {limits.max_files} files (limit reached at "
                f"{info.filename!r}); remove unneeded files or split the work."
            )
        if info.file_size > limits.max_file_bytes:
            raise PackageRefused(
                f"Entry {info.filename!r} is {info.file_size} bytes; the limit per file is "
                f"{limits.max_file_bytes} bytes."
            )
        declared_total += info.file_size
        compressed_total += info.compress_size
        if declared_total > limits.max_bytes:
            raise PackageRefused(
                f"The package unpacks to more than {limits.max_bytes} bytes (limit passed at "
                f"{info.filename!r}); make it smaller."
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR_BYTES and ratio > limits.max_ratio:
            raise PackageRefused(
                f"Entry {info.filename!r} expands {ratio:.0f} times (limit {limits.max_ratio}); "
                "this looks like a zip bomb."
            )
    if (
        declared_total > RATIO_FLOOR_BYTES
        and declared_total / max(compressed_total, 1) > limits.max_ratio
    ):
        raise PackageRefused(
            f"The package expands {declared_total / max(compressed_total, 1):.0f} times "
            f"(limit {limits.max_ratio}); this looks like a zip bomb."
        )
    check_no_overlap(files)
    check_no_file_folder_clash([i.filename for i in files])
    return files


def check_no_file_folder_clash(paths: list[str]) -> None:
    """Refuse a path that is both a file and a folder (`lib` and `lib/a.js`), ignoring case."""
    files = {name_key(p): p for p in paths}
    for path in paths:
        parts = path.split("/")
        for depth in range(1, len(parts)):
            prefix = name_key("/".join(parts[:depth]))
            if prefix in files:
                raise PackageRefused(
                    f"{files[prefix]!r} is a file, but {path!r} uses it as a folder; rename one of them."
                )


def check_no_overlap(files: list[zipfile.ZipInfo]) -> None:
    """Refuse entries that share compressed data (the 'overlapping files' zip bomb)."""
    ordered = sorted(files, key=lambda i: i.header_offset)
    for current, following in itertools.pairwise(ordered):
        # 30 bytes of local header plus the name is the least an entry occupies before its data.
        end = current.header_offset + 30 + name_length(current) + current.compress_size
        if end > following.header_offset:
            raise PackageRefused(
                f"Entries {current.filename!r} and {following.filename!r} overlap in the zip; "
                "this is a zip bomb pattern. Re-create the zip with a standard tool."
            )


def name_length(info: zipfile.ZipInfo) -> int:
    """Bytes the entry's name takes in its header: UTF-8 when flagged, else cp437."""
    encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
    try:
        return len(info.orig_filename.encode(encoding))
    except UnicodeEncodeError:
        return len(info.orig_filename.encode("utf-8"))


def read_entry(
    archive: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo], path: str, limit: int
) -> bytes:
    """The bytes of one (checked) entry that the deposit reads itself, within `limit`."""
    info = entries[path]
    if info.file_size > limit:
        raise PackageRefused(f"{path} is larger than {limit} bytes.")
    try:
        raw = archive.read(info)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError) as exc:
        raise PackageRefused(f"{path} is damaged in the zip: {exc}.") from None
    if len(raw) > limit:
        raise PackageRefused(f"{path} inflates past its declared size; the zip is damaged.")
    return raw


def read_manifest_json(archive: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo]) -> Any:
    raw = read_entry(archive, entries, MANIFEST_NAME, MANIFEST_MAX_BYTES)
    try:
        return safejson.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PackageRefused(f"{MANIFEST_NAME} is not valid JSON: {exc}.") from None


def read_manifest(archive: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo]) -> dict[str, Any]:
    """The checked manifest: remixbank.json's, or, for an H5P or SCORM package or a Common
    Cartridge (told apart by h5p.json or the namespaces of the imsmanifest.xml at its root), one
    made from theirs, which a remixbank.json beside them may add to but not contradict."""
    names = set(entries)

    def read(path: str) -> bytes:
        return read_entry(archive, entries, path, h5p.JSON_MAX_BYTES)

    derived: dict[str, Any] | None = None
    tool_paths = names - {MANIFEST_NAME}
    if h5p.H5P_JSON in names:
        derived, source = h5p.h5p_manifest(names, read), h5p.H5P_JSON
    elif scorm.IMSMANIFEST in names:
        derived, source = scorm.scorm_manifest(names, read), scorm.IMSMANIFEST
        if derived is None and (cartridge := cartridge_import.read_cartridge(names, read)):
            derived, tool_paths = cartridge.manifest, set(cartridge.tool_paths.values())
    if derived is not None:
        given = read_manifest_json(archive, entries) if MANIFEST_NAME in names else {}
        manifest = merged_manifest(derived, given, source)
        if derived["package"]["format"] != cartridge_import.COMMON_CARTRIDGE and (
            problem := player_folder_problem(names)
        ):
            raise PackageRefused(problem)
        return check_manifest(manifest, tool_paths)
    notebooks = [n for n in names if "/" not in n and n.lower().endswith(notebook.SUFFIX)]
    if MANIFEST_NAME not in names and len(notebooks) == 1:
        entry = notebooks[0]
        raw = read_entry(archive, entries, entry, notebook.NOTEBOOK_MAX_BYTES)
        return check_manifest(notebook.notebook_manifest(entry, raw), names)
    if MANIFEST_NAME not in names:
        raise PackageRefused(
            f"The package has no {MANIFEST_NAME} at its root. Add one (see the manifest "
            "schema at /schemas/manifest.schema.json); zip the folder's contents, not the "
            "folder. H5P files (with h5p.json) and SCORM packages (with imsmanifest.xml) need "
            "none."
        )
    manifest = read_manifest_json(archive, entries)
    if isinstance(manifest, dict) and "package" in manifest:
        raise PackageRefused(
            f"{MANIFEST_NAME} sets package, which Remixbank fills in itself from an H5P "
            "package's h5p.json or a SCORM package's imsmanifest.xml; remove it."
        )
    checked = check_manifest(manifest, names - {MANIFEST_NAME})
    if checked["kind"] == "notebook":
        entry = checked["entry_point"]
        notebook.check_notebook(
            entry, read_entry(archive, entries, entry, notebook.NOTEBOOK_MAX_BYTES)
        )
    return checked


def player_folder_problem(paths: set[str]) -> str | None:
    """What is wrong when an H5P or SCORM package has files where its player is served."""
    reserved = sorted(n for n in paths if n.split("/", 1)[0] == PLAYER_FOLDER)
    if not reserved:
        return None
    return (
        f"{reserved[0]!r} is in the folder {PLAYER_FOLDER}/, where Remixbank serves the "
        "player of H5P and SCORM packages; rename that folder."
    )


def merged_manifest(derived: dict[str, Any], given: Any, source: str) -> dict[str, Any]:
    """`derived` (from h5p.json or imsmanifest.xml) with what remixbank.json adds to it.

    remixbank.json may name subjects, level, a description, licences by part, and a title or
    authors of its own; a licence it states must be the one `source` states.
    """
    if not isinstance(given, dict):
        raise PackageRefused(f"{MANIFEST_NAME} must be a JSON object.")
    for key in ("package", "entry_point"):
        if key in given:
            raise PackageRefused(
                f"{MANIFEST_NAME} sets {key}, which Remixbank takes from {source}; remove it."
            )
    if given.get("kind", "tool") != "tool":
        raise PackageRefused(
            f"{MANIFEST_NAME} says kind={given['kind']!r}, but a package with {source} is a tool."
        )
    stated, claimed = derived["license"], given.get("license")
    if stated and claimed:
        try:
            same = licensing.manifest_license(str(claimed)) == licensing.manifest_license(stated)
        except licensing.UnknownLicence:
            same = False
        if not same:
            raise PackageRefused(
                f"{source} says the licence is {stated}, but {MANIFEST_NAME} says {claimed}: "
                "the package cannot be under both. Make them agree (in the H5P editor's "
                "metadata, or the LOM rights of a SCORM manifest), then deposit it again; "
                "nothing was stored."
            )
    manifest = {**derived, **{k: v for k, v in given.items() if v not in (None, "", [])}}
    if not manifest.get("license"):
        raise PackageRefused(
            f"{source} does not say under which licence the package may be shared. Choose one "
            "in the H5P editor's metadata (Reuse and licence), name it in the LOM rights of a "
            "SCORM or Common Cartridge manifest (e.g. its Creative Commons deed URL), or state "
            f"it in a {MANIFEST_NAME} "
            'beside it, e.g. {"license": "CC-BY-SA-4.0"}.'
        )
    if not manifest.get("title"):
        raise PackageRefused(f"{source} gives no title; add one, or a title in {MANIFEST_NAME}.")
    if not manifest.get("authors"):
        raise PackageRefused(
            f"{source} names no author. Add the authors (in the H5P editor's metadata, or "
            f"a vCard in the SCORM manifest's LOM), or list them in {MANIFEST_NAME}, e.g. "
            '{"authors": [{"name": "Ada Lovelace"}]}.'
        )
    if derived.get("files") and given.get("files"):
        manifest["files"] = [*derived["files"], *given["files"]]  # the later rule wins
    return manifest


def check_manifest(manifest: Any, paths: set[str]) -> dict[str, Any]:
    """Check a manifest against the schema, the licence catalogue and the package's files."""
    validator = jsonschema.Draft202012Validator(manifest_schema())
    errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(top level)"
        raise PackageRefused(f"{MANIFEST_NAME} is invalid at {where}: {schema_message(first)}.")
    for index, author in enumerate(manifest["authors"]):
        if isinstance(author, dict) and "url" in author:
            check_author_url(author["url"], f"authors/{index}/url")
    try:
        licence = licensing.manifest_license(manifest["license"])
    except licensing.UnknownLicence as exc:
        raise PackageRefused(f"{MANIFEST_NAME}: {exc}") from None
    if not licensing.is_known(licence):
        # `license` is what a reuser may do with the whole; parts are stated in `files`.
        raise PackageRefused(
            f"{MANIFEST_NAME}: the license {licence!r} is an expression of several licences; "
            "license says what a reuser may do with the package as a whole. Name the one "
            "licence you offer the whole package under (for dual-licensed code such as 'MIT OR "
            "Apache-2.0', the one you choose), and state the licences of its parts in files, "
            'e.g. {"path": "lib/**", "license": "MIT OR Apache-2.0"}.'
        )
    manifest = {**manifest, "license": licence}  # deprecated SPDX ids stored as current ones
    if "part_licences" in manifest:
        problems = licensing.parts.part_licence_problems(manifest["part_licences"], licence)
        if problems:
            raise PackageRefused(" ".join(problems))
        manifest["part_licences"] = {
            part: licensing.current_id(value) for part, value in manifest["part_licences"].items()
        }
    for index, component in enumerate(manifest.get("third_party", [])):
        if "url" in component:
            check_author_url(component["url"], f"third_party/{index}/url")
    try:
        licensing.parts.declared(manifest)  # every per-file licence known and parseable
    except licensing.parts.PartsRefused as exc:
        raise PackageRefused(" ".join(exc.problems)) from None
    # Paths are stored in NFC (check_path), so the entry point is looked up in NFC too.
    manifest = {**manifest, "entry_point": unicodedata.normalize("NFC", manifest["entry_point"])}
    if manifest["entry_point"] not in paths:
        raise PackageRefused(
            f"The entry point {manifest['entry_point']!r} named in {MANIFEST_NAME} is not in "
            "the package; add the file or correct entry_point."
        )
    return manifest


def schema_message(error: jsonschema.ValidationError) -> str:
    """The schema's complaint in words; a list too long is counted, never printed whole."""
    if error.validator == "maxItems" and isinstance(error.instance, list):
        hint = ""
        if list(error.absolute_path)[:1] == ["external_resources"]:
            hint = (
                "; declare a site or folder once, ending in / (e.g. https://cdn.example.org/), "
                "and every URL under it is covered"
            )
        return f"{len(error.instance)} entries, more than the {error.validator_value} allowed{hint}"
    return str(error.message)


def check_author_url(url: str, where: str) -> None:
    """Refuse anything but an absolute http(s) URL: pages link to it (a javascript: URL runs)."""
    try:
        parts = urlsplit(url)
        valid = parts.scheme.lower() in {"http", "https"} and bool(parts.hostname)
    except ValueError:  # e.g. an unbalanced [ in the host
        valid = False
    if not valid or not url.isprintable() or any(c.isspace() for c in url):
        raise PackageRefused(
            f"{MANIFEST_NAME} is invalid at {where}: {url!r} is not a web address; give an "
            "absolute http:// or https:// URL such as https://example.org/ada, or leave url out."
        )


def check_entry_count(zip_path: Path, limits: PackageLimits) -> None:
    """Refuse a zip that declares far too many entries before its directory is parsed.

    zipfile builds an object per entry on opening, so half a million entries would cost
    gigabytes of memory before any other check could run.
    """
    most = limits.max_files * 2 + 1000  # files plus their folders, and some slack
    try:
        with open(zip_path, "rb") as handle:
            end = zipfile._EndRecData(handle)  # type: ignore[attr-defined]
    except OSError:
        return
    if end is not None and end[zipfile._ECD_ENTRIES_TOTAL] > most:  # type: ignore[attr-defined]
        raise PackageRefused(
            f"The zip lists {end[zipfile._ECD_ENTRIES_TOTAL]} entries; at most {limits.max_files} "  # type: ignore[attr-defined]
            "files are allowed. Remove unneeded files or split the work."
        )


def unpack_package(zip_path: Path, staging: Path, limits: PackageLimits) -> UnpackedPackage:
    """Check and unpack a package into `staging` (an empty folder the caller deletes).

    Raises PackageRefused naming the offending entry and the limit.
    """
    check_entry_count(zip_path, limits)
    try:
        archive = zipfile.ZipFile(zip_path)
    except zipfile.BadZipFile:
        upload = Path(zip_path)
        if upload.stat().st_size <= notebook.NOTEBOOK_MAX_BYTES and notebook.looks_like_notebook(
            upload.read_bytes()
        ):
            return unpack_package(notebook_alone(upload, staging), staging, limits)
        raise PackageRefused(
            "The upload is not a zip file. Make a .zip of the folder's contents "
            f"with {MANIFEST_NAME} at its root."
        ) from None
    except (UnicodeDecodeError, ValueError, EOFError, OSError) as exc:
        raise PackageRefused(
            f"The zip's directory is damaged ({exc}); re-create the zip with a standard tool."
        ) from None
    with archive:
        infos = inspect_entries(archive, limits)
        entries = {i.filename: i for i in infos}
        manifest = read_manifest(archive, entries)
        package = UnpackedPackage(manifest=manifest)
        # A cartridge keeps only its web content, relative to the folder it shares.
        tool_paths = cartridge_tool_paths(archive, entries, manifest)
        for index, info in enumerate(infos):
            if info.filename == MANIFEST_NAME:
                continue
            path = info.filename if tool_paths is None else tool_paths.get(info.filename)
            if path is None:
                continue
            local = staging / f"{index:06d}"
            package.files.append(extract_entry(archive, info, local, path))
    return package


def notebook_alone(path: Path, staging: Path) -> Path:
    """A notebook uploaded on its own (not zipped), as a package of that one file."""
    target = staging / "notebook.zip"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(path, "notebook.ipynb")
    return target


def cartridge_tool_paths(
    archive: zipfile.ZipFile, entries: dict[str, zipfile.ZipInfo], manifest: dict[str, Any]
) -> dict[str, str] | None:
    """For a Common Cartridge, each web content file's path in the tool; else None (all kept)."""
    if manifest.get("package", {}).get("format") != cartridge_import.COMMON_CARTRIDGE:
        return None

    def read(path: str) -> bytes:
        return read_entry(archive, entries, path, h5p.JSON_MAX_BYTES)

    cartridge = cartridge_import.read_cartridge(set(entries), read)
    return cartridge.tool_paths if cartridge else None


def extract_entry(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, local: Path, path: str | None = None
) -> UnpackedFile:
    """Inflate one entry to `local`, counting real bytes so a lying header cannot pass."""
    digest = hashlib.sha256()
    written = 0
    fd = os.open(local, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as out, archive.open(info) as source:
            while chunk := source.read(CHUNK):
                written += len(chunk)
                if written > info.file_size:
                    raise PackageRefused(
                        f"Entry {info.filename!r} inflates past its declared size; the zip is damaged."
                    )
                digest.update(chunk)
                out.write(chunk)
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
        raise PackageRefused(f"Entry {info.filename!r} is damaged: {exc}.") from None
    except NotImplementedError as exc:
        raise PackageRefused(
            f"Entry {info.filename!r} uses a compression method we cannot read ({exc}); "
            "re-create the zip with deflate."
        ) from None
    return UnpackedFile(path or info.filename, local, digest.hexdigest(), written)
