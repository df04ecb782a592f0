"""Per-file licensing: which licence each file of a package is under, and what the whole allows.

A package states its licences in three ways, read in this order of precedence (the REUSE
specification 3.3, https://reuse.software/spec-3.3/, sections "Precedence" and "REUSE.toml"):
1. REUSE information: a `REUSE.toml` annotation marked `precedence = "override"`; else the
   file's own `SPDX-License-Identifier` / `SPDX-FileCopyrightText` header, or its `.license`
   sidecar; a `"closest"` annotation fills what the file leaves out; `"aggregate"` annotations
   and `.reuse/dep5` paragraphs add to it (both apply). A REUSE.toml may sit in any folder
   and speaks for it (REUSE 3.2); nested ones combine as the `reuse` library combines them.
   Read with the `reuse` library.
2. `third_party` components in remixbank.json (name, version, source URL, licence, copyright,
   the paths they cover, their licence and notice files).
3. `files` rules in remixbank.json: a glob (REUSE.toml's syntax: `*` within a folder, `**`
   across folders) and an SPDX expression; the last rule that matches a file wins, as in
   REUSE.toml.
Anything else falls under the package's own licence (remixbank.json `license`), except files in
a folder that carries its own LICENSE or COPYING file: those are someone else's work, and must
be declared.

The package's `license` is what a reuser may do with the whole. The parts of a package sit side
by side unchanged (a collection, CC FAQ "If I create a collection ..."), so each keeps its own
licence, and the whole may promise no more than any part allows (`part_problem`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import PurePosixPath
from typing import Any

from license_expression import ExpressionError

from licensing import rules, software
from licensing.catalogue import License, UnknownLicence, all_licenses, get_license, license_for_url
from licensing.expressions import choices, manifest_license

PACKAGE_LICENCE = "package licence"
HEADER, SIDECAR, REUSE_TOML, DEP5 = "header", "sidecar", "REUSE.toml", ".reuse/dep5"
REUSE_TOML_PATH, DEP5_PATH, MANIFEST_NAME = "REUSE.toml", ".reuse/dep5", "remixbank.json"
# Bytes of a file read for its REUSE header: headers sit at the top (REUSE spec, "Comment
# headers"); minified libraries keep their licence comment there too.
HEADER_BYTES = 16 * 1024
# Files that hold licensing information rather than content, which REUSE does not ask to be
# covered (reuse's own ignore list: LICENSE*, COPYING*, LICENSES/, .reuse/, *.license,
# REUSE.toml), and the manifest itself.
_LICENCE_FILE = re.compile(r"^(LICEN[CS]E|COPYING|NOTICE)([-.].*)?$", re.IGNORECASE)
# What a file is, by its extension, for the licence summary ("code: MIT; sounds: ...").
_KINDS = {
    "code": "js mjs cjs ts jsx tsx wasm css scss py lua",
    "text": "html htm xhtml md txt rst pdf",
    "images": "png jpg jpeg gif webp avif svg ico bmp tif tiff",
    "sounds": "mp3 ogg oga wav flac m4a aac opus mid midi",
    "video": "mp4 webm ogv mov m4v",
    "fonts": "woff woff2 ttf otf eot",
    "data": "json csv tsv xml geojson yaml yml toml glb gltf obj",
}
KIND_OF = {ext: kind for kind, exts in _KINDS.items() for ext in exts.split()}
KIND_ORDER = (*_KINDS, "other files")
# Extensions whose files may carry a REUSE comment header.
_TEXT_EXTENSIONS = frozenset(
    {"js", "mjs", "cjs", "ts", "jsx", "tsx", "css", "scss", "html", "htm", "xhtml", "svg"}
    | {"md", "txt", "rst", "py", "lua", "json", "xml", "yaml", "yml", "toml", "csv", "tsv"}
    | {"glsl", "frag", "vert"}
)
MOST_PATHS_NAMED = 3


class PartsRefused(ValueError):
    """The per-file licensing of a package is wrong; `problems` says each thing to fix."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(" ".join(self.problems))


@dataclass(frozen=True)
class FileRule:
    """One `files` entry of remixbank.json: a glob and the licence of the files it matches."""

    path: str
    license: str
    copyright: tuple[str, ...] = ()


@dataclass(frozen=True)
class Component:
    """A third-party part: someone else's library, font or media, kept under its own terms."""

    name: str
    license: str
    paths: tuple[str, ...]
    version: str = ""
    url: str = ""
    copyright: tuple[str, ...] = ()
    license_file: str = ""
    notice_file: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "version": self.version,
            "url": self.url,
            "license": self.license,
            "copyright": list(self.copyright),
            "paths": list(self.paths),
            "license_file": self.license_file,
            "notice_file": self.notice_file,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Component:
        return cls(
            name=str(data["name"]),
            license=str(data["license"]),
            paths=tuple(data.get("paths", ())),
            version=str(data.get("version", "")),
            url=str(data.get("url", "")),
            copyright=tuple(data.get("copyright", ())),
            license_file=str(data.get("license_file", "")),
            notice_file=str(data.get("notice_file", "")),
        )


@dataclass(frozen=True)
class Part:
    """One file's licensing: its licence (an SPDX expression), copyright, and where it was said.

    `pattern` is what the licence was stated for (a glob, a REUSE.toml path, or the file itself);
    `via` names the statement ("header", "sidecar", "REUSE.toml", ".reuse/dep5",
    "files[2]", "third_party", "package licence"); `component` the third-party part it belongs to.
    """

    path: str
    license: str
    copyright: tuple[str, ...] = ()
    via: str = PACKAGE_LICENCE
    pattern: str = ""
    component: str = ""

    @property
    def kind(self) -> str:
        return kind_of(self.path)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "license": self.license,
            "copyright": list(self.copyright),
            "via": self.via,
            "pattern": self.pattern,
            "component": self.component,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Part:
        return cls(
            path=str(data["path"]),
            license=str(data["license"]),
            copyright=tuple(data.get("copyright", ())),
            via=str(data.get("via", PACKAGE_LICENCE)),
            pattern=str(data.get("pattern", "")),
            component=str(data.get("component", "")),
        )


@dataclass(frozen=True)
class Row:
    """One line of a version's licence table: files stated together under one licence."""

    pattern: str
    license: str
    copyright: tuple[str, ...]
    component: str
    via: str
    files: int


@dataclass(frozen=True)
class PackageParts:
    """A package's licensing: the licence of the whole, each file's part, the components."""

    license: str
    files: tuple[Part, ...] = ()
    components: tuple[Component, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "license": self.license,
            "files": [p.to_json() for p in self.files],
            "components": [c.to_json() for c in self.components],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PackageParts:
        return cls(
            license=str(data["license"]),
            files=tuple(Part.from_json(p) for p in data.get("files", ())),
            components=tuple(Component.from_json(c) for c in data.get("components", ())),
        )

    def part(self, path: str) -> Part | None:
        return next((p for p in self.files if p.path == path), None)

    def licences(self) -> list[str]:
        """Every distinct licence expression of the files, the package's own first."""
        return list(dict.fromkeys(p.license for p in self.files))

    @property
    def is_uniform(self) -> bool:
        """True when every file is under the package's licence and there are no components."""
        return not self.components and all(p.license == self.license for p in self.files)

    def table(self) -> list[Row]:
        """The licence table: one row per statement, in the order files are listed."""
        rows: dict[tuple[str, str, tuple[str, ...], str, str], int] = {}
        for part in self.files:
            pattern = part.pattern if part.pattern or part.via == PACKAGE_LICENCE else part.path
            key = (pattern, part.license, part.copyright, part.component, part.via)
            rows[key] = rows.get(key, 0) + 1
        table = [Row(*key, files=count) for key, count in rows.items()]
        return sorted(table, key=lambda r: (r.via == PACKAGE_LICENCE, bool(r.component), r.pattern))

    def summary(self) -> str:
        """'code: MIT; text and images: CC BY-SA 4.0; 3 third-party components'."""
        by_kind: dict[str, list[str]] = {}
        for part in self.files:
            if not part.component:
                names = by_kind.setdefault(part.kind, [])
                if part.license not in names:
                    names.append(part.license)
        grouped: dict[tuple[str, ...], list[str]] = {}
        for kind in KIND_ORDER:
            if kind in by_kind:
                grouped.setdefault(tuple(by_kind[kind]), []).append(kind)
        pieces = [
            f"{_and(kinds)}: {', '.join(short_name(e) for e in licences)}"
            for licences, kinds in grouped.items()
        ]
        if self.components:
            count = len(self.components)
            pieces.append(f"{count} third-party component{'s' if count != 1 else ''}")
        return "; ".join(pieces) or short_name(self.license)


def _and(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def kind_of(path: str) -> str:
    """'code', 'text', 'images', 'sounds', 'video', 'fonts', 'data' or 'other files'."""
    return KIND_OF.get(PurePosixPath(path).suffix.lower().lstrip("."), "other files")


def short_name(expression: str) -> str:
    """An expression in people's words: 'MIT OR Apache-2.0' -> 'MIT or Apache 2.0'."""
    try:
        return get_license(expression).short_name
    except UnknownLicence:
        pass
    words = {"AND": "and", "OR": "or", "WITH": "with"}

    def name(token: str) -> str:
        try:
            return get_license(token).short_name
        except UnknownLicence:
            return words.get(token, token)

    return re.sub(r"[^\s()]+", lambda m: name(m.group()), expression)


def is_licensing_file(path: str) -> bool:
    """True for files that state licences (LICENSE, LICENSES/, REUSE.toml, sidecars, manifest)."""
    parts = path.split("/")
    return (
        path in (MANIFEST_NAME, REUSE_TOML_PATH)
        or parts[0] in ("LICENSES", ".reuse")
        or path.endswith(".license")
        or bool(_LICENCE_FILE.match(parts[-1]))
        or parts[-1] == "REUSE.toml"
    )


def files_to_read(paths: Iterable[str]) -> list[str]:
    """The files whose text `analyse` needs: licensing files and text files that may have headers.

    Give `analyse` their first HEADER_BYTES bytes as text (licence files in full, up to a size
    the caller bounds).
    """
    return [
        path
        for path in paths
        if is_licensing_file(path)
        or PurePosixPath(path).suffix.lower().lstrip(".") in _TEXT_EXTENSIONS
    ]


# -- globs -------------------------------------------------------------------------------------


@cache
def _glob(pattern: str) -> Any:
    """REUSE.toml's glob syntax: `*` matches within a folder, `**` across folders, `\\*` a star.

    Matched by reuse's own AnnotationsItem (reuse.global_licensing), so a rule means the same in
    remixbank.json and in REUSE.toml.
    """
    from reuse.global_licensing import AnnotationsItem

    return AnnotationsItem(paths={pattern})


@cache
def _literal(pattern: str) -> str:
    """The part of a glob before its first wildcard: every path it matches starts with it."""
    return pattern.split("*")[0].split("\\")[0]


def matches(pattern: str, path: str) -> bool:
    """True when the glob `pattern` covers `path`; a folder ('lib/p5' or 'lib/p5/') covers its files."""
    bare = pattern.rstrip("/")
    if not bare:
        return False
    if "*" not in bare and path.startswith(bare + "/"):
        return True
    return glob_matches(bare, path)


_STAR, _GLOBSTAR = object(), object()


@cache
def _glob_tokens(pattern: str) -> tuple[object, ...]:
    """The glob as reuse's AnnotationsItem translates it, step for step: characters, `*`, `**`."""
    tokens: list[object] = []
    escaping = globstar = False
    previous = ""
    for char in pattern:
        if char == "\\":
            if previous == "\\" and escaping:
                escaping = False
                tokens.append("\\")
            else:
                escaping = True
        elif char == "*":
            if escaping:
                tokens.append("*")
                escaping = False
            elif previous == "*" and not globstar:
                globstar = True
                tokens.append(_GLOBSTAR)
        elif char == "/":
            if not globstar:
                if previous == "*":
                    tokens.append(_STAR)
                tokens.append("/")
            escaping = False
        else:
            if previous == "*" and not globstar:
                tokens.append(_STAR)
            tokens.append(char)
            globstar = escaping = False
        previous = char
    if previous == "*" and not globstar:
        tokens.append(_STAR)
    return tuple(tokens)


def glob_matches(pattern: str, path: str) -> bool:
    """Whether the REUSE glob `pattern` matches the whole of `path`.

    Simple globs go to reuse's own regular expression. One with several wildcards is walked as
    a set of positions instead, in time proportional to the pattern times the path, because
    backtracking through `*a*a*a*a*b` against a long path takes hours: a package could stall
    the worker that reads its licensing.
    """
    tokens = _glob_tokens(pattern)
    if sum(1 for t in tokens if t is _STAR or t is _GLOBSTAR) < 2:
        return bool(_glob(pattern).matches(path))
    end = len(tokens)

    def closure(states: set[int]) -> set[int]:
        todo, seen = list(states), set(states)
        while todo:
            i = todo.pop()
            if i < end and (tokens[i] is _STAR or tokens[i] is _GLOBSTAR) and i + 1 not in seen:
                seen.add(i + 1)
                todo.append(i + 1)
        return seen

    states = closure({0})
    for char in path:
        step: set[int] = set()
        for i in states:
            if i == end:
                continue
            token = tokens[i]
            if token is _GLOBSTAR or (token is _STAR and char != "/"):
                step.add(i)
            elif token == char:
                step.add(i + 1)
        if not step:
            return False
        states = closure(step)
    return end in states


# -- reading what the package declares ------------------------------------------------------------


def _copyrights(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,) if value.strip() else ()
    if isinstance(value, list):
        return tuple(str(v) for v in value if str(v).strip())
    return ()


def _licence(value: object, where: str) -> str:
    """The expression in current SPDX spelling; raise UnknownLicence with `where` in front."""
    try:
        return manifest_license(str(value)) if isinstance(value, str) else manifest_license(value)  # type: ignore[arg-type]
    except UnknownLicence as exc:
        raise UnknownLicence(value, f"{where}: {exc}") from None


def declared(manifest: Mapping[str, Any]) -> tuple[list[FileRule], list[Component]]:
    """The `files` rules and `third_party` components of a (schema-checked) manifest.

    Raises PartsRefused naming each unknown or misspelt id (with the closest SPDX id),
    NOASSERTION, or expression that does not parse.
    """
    problems: list[str] = []
    rules: list[FileRule] = []
    for index, entry in enumerate(manifest.get("files", [])):
        where = f"{MANIFEST_NAME} files[{index}] ({entry.get('path')!r})"
        try:
            licence = _licence(entry.get("license"), where)
        except UnknownLicence as exc:
            problems.append(str(exc))
            continue
        rules.append(FileRule(entry["path"], licence, _copyrights(entry.get("copyright"))))
    components: list[Component] = []
    for index, entry in enumerate(manifest.get("third_party", [])):
        where = f"{MANIFEST_NAME} third_party[{index}] ({entry.get('name')!r})"
        try:
            licence = _licence(entry.get("license"), where)
        except UnknownLicence as exc:
            problems.append(str(exc))
            continue
        components.append(
            Component(
                name=entry["name"],
                license=licence,
                paths=tuple(entry.get("paths", ())),
                version=str(entry.get("version", "")),
                url=str(entry.get("url", "")),
                copyright=_copyrights(entry.get("copyright")),
                license_file=str(entry.get("license_file", "")),
                notice_file=str(entry.get("notice_file", "")),
            )
        )
    if problems:
        raise PartsRefused(problems)
    return rules, components


@dataclass
class _Reuse:
    """What REUSE says about one file: licence expressions and copyright notices, and where."""

    licences: list[str] = field(default_factory=list)
    copyright: list[str] = field(default_factory=list)
    via: list[str] = field(default_factory=list)
    pattern: str = ""

    def add(self, licences: Iterable[str], notices: Iterable[str], via: str) -> None:
        new = [lic for lic in licences if lic not in self.licences]
        self.licences += new
        self.copyright += [c for c in notices if c not in self.copyright]
        if new and via not in self.via:
            self.via.append(via)


def _notice(notice: object) -> str:
    """A REUSE copyright notice without its 'SPDX-FileCopyrightText:' prefix."""
    text = str(notice)
    return re.sub(r"^SPDX-FileCopyrightText:\s*", "", text).strip()


def _header(text: str) -> tuple[list[str], list[str]]:
    from reuse.extract import extract_reuse_info

    info = extract_reuse_info(text)
    return (
        sorted(str(e) for e in info.spdx_expressions),
        sorted(_notice(c) for c in info.copyright_notices),
    )


@dataclass(frozen=True)
class _Annotation:
    """One annotation that covers a file: its precedence, licences, notices, and where it is."""

    precedence: str
    licences: list[str]
    notices: list[str]
    pattern: str
    via: str


def _folder(toml_path: str) -> str:
    """The folder a REUSE.toml speaks for ('' for the root): its paths are relative to it."""
    return toml_path.rpartition("/")[0]


def _is_under(path: str, folder: str) -> bool:
    return not folder or path.startswith(folder + "/")


class _Global:
    """The package's REUSE.toml files (the root one and any nested ones) or its .reuse/dep5.

    REUSE 3.2 lets any folder hold a REUSE.toml whose paths are relative to that folder
    (https://reuse.software/spec-3.3/#reusetoml, "REUSE.toml files in subdirectories"). Each is
    parsed by the `reuse` library (`ReuseTOML.from_toml`) and they are combined as its
    `NestedReuseTOML.reuse_info_of` does: "override" annotations from the topmost file win and
    stop the search; "closest" from the deepest file that has one; "aggregate" all apply.
    """

    def __init__(self, texts: Mapping[str, str], problems: list[str]) -> None:
        from reuse.global_licensing import GlobalLicensingParseError, ReuseDep5, ReuseTOML

        self.tomls: list[tuple[str, Any]] = []  # (folder, ReuseTOML), topmost first
        self.dep5: Any = None
        if REUSE_TOML_PATH in texts and DEP5_PATH in texts:
            problems.append(
                "The package has both REUSE.toml and .reuse/dep5; the REUSE specification allows "
                "only one. Move the .reuse/dep5 paragraphs into REUSE.toml (`reuse convert-dep5` "
                "does it) and delete .reuse/dep5."
            )
        toml_paths = sorted(
            (path for path in texts if path.split("/")[-1] == REUSE_TOML_PATH),
            key=lambda path: (path.count("/"), path),
        )
        for path in toml_paths:
            try:
                self.tomls.append((_folder(path), ReuseTOML.from_toml(texts[path], path)))
            except (GlobalLicensingParseError, TypeError, ValueError) as exc:
                problems.append(
                    f"{path} cannot be read: {exc}. It needs `version = 1` and "
                    "[[annotations]] tables with `path` and `SPDX-License-Identifier` "
                    "(https://reuse.software/spec-3.3/#reusetoml)."
                )
        if DEP5_PATH in texts and REUSE_TOML_PATH not in texts:
            from debian.copyright import Copyright, Error

            try:
                self.dep5 = ReuseDep5(DEP5_PATH, Copyright(io.StringIO(texts[DEP5_PATH])))
            except (Error, ValueError) as exc:
                problems.append(
                    f".reuse/dep5 cannot be read: {exc}. Write it in the Debian copyright format "
                    "(https://reuse.software/spec-3.0/#dep5-deprecated), or better, as REUSE.toml."
                )

    def info(self, path: str) -> list[_Annotation]:
        """The annotations covering `path`, in the order they apply (see the class docstring)."""
        if self.tomls:
            found: list[_Annotation] = []
            for folder, toml in self.tomls:
                if not _is_under(path, folder):
                    continue
                relative = path[len(folder) + 1 :] if folder else path
                # As reuse's find_annotations_item (the last table that matches wins), by our
                # linear matcher, since reuse's regular expressions can backtrack for hours.
                item = next(
                    (
                        item
                        for item in reversed(toml.annotations)
                        if any(glob_matches(pattern, relative) for pattern in item.paths)
                    ),
                    None,
                )
                if item is None:
                    continue
                where = f"{folder}/" if folder else ""
                found.append(
                    _Annotation(
                        item.precedence.value,
                        sorted(str(e) for e in item.spdx_expressions),
                        sorted(_notice(c) for c in item.copyright_notices),
                        ", ".join(sorted(where + pattern for pattern in item.paths)),
                        f"{where}{REUSE_TOML_PATH}",
                    )
                )
                if item.precedence.value == "override":
                    # The topmost override wins and nothing below it, nor the file itself,
                    # counts; annotations of the files above it still apply, as in reuse's
                    # NestedReuseTOML and Project.reuse_info_of (what `reuse lint` reports).
                    above = found[:-1]
                    aggregate = [a for a in above if a.precedence == "aggregate"]
                    return [found[-1], *aggregate, *_closest(above)]
            return [a for a in found if a.precedence == "aggregate"] + _closest(found)
        if self.dep5 is not None:
            paragraph = self.dep5.dep5_copyright.find_files_paragraph(path)
            if paragraph is None:
                return []
            notices = [c.strip() for c in (paragraph.copyright or "").splitlines() if c.strip()]
            return [
                _Annotation(
                    "aggregate",
                    [paragraph.license.synopsis],
                    notices,
                    " ".join(paragraph.files),
                    DEP5,
                )
            ]
        return []


def _closest(found: Sequence[_Annotation]) -> list[_Annotation]:
    """The "closest" annotation that applies: licences from the deepest file that states some,
    copyright from the deepest that states some (as reuse cleans up its CLOSEST results)."""
    closest = [a for a in found if a.precedence == "closest"]
    licensed = next((a for a in reversed(closest) if a.licences), None)
    noticed = next((a for a in reversed(closest) if a.notices), None)
    if licensed is None and noticed is None:
        return []
    base = licensed or noticed
    assert base is not None
    return [replace(base, notices=noticed.notices if noticed else [])]


def _reuse_of(
    path: str, texts: Mapping[str, str], global_info: _Global, problems: list[str]
) -> _Reuse:
    found = _Reuse()
    annotations = global_info.info(path)
    if annotations and annotations[0].precedence == "override":
        for annotation in annotations:
            found.add(annotation.licences, annotation.notices, annotation.via)
        found.pattern = annotations[0].pattern
        return found
    sidecar = f"{path}.license"
    own = texts.get(sidecar) if sidecar in texts else texts.get(path)
    if own is not None and "SPDX-" in own:
        try:
            licences, notices = _header(own)
        except (ExpressionError, ValueError) as exc:
            problems.append(f"{sidecar if sidecar in texts else path}: {exc}")
            licences, notices = [], []
        found.add(licences, notices, SIDECAR if sidecar in texts else HEADER)
        if licences:
            found.pattern = path
    # As reuse's Project.reuse_info_of: aggregate annotations always add; the closest one fills
    # only what the file's own header or sidecar leaves out (licence, copyright, or both).
    own_licences, own_copyright = bool(found.licences), bool(found.copyright)
    for annotation in annotations:
        if annotation.precedence == "aggregate" or not own_licences:
            notices = annotation.notices if annotation.precedence == "aggregate" else []
            if annotation.precedence != "aggregate" and not own_copyright:
                notices = annotation.notices
            found.add(annotation.licences, notices, annotation.via)
            found.pattern = found.pattern if found.pattern == path else annotation.pattern
        elif not own_copyright:
            found.copyright += [c for c in annotation.notices if c not in found.copyright]
    return found


# -- the analysis ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Analysis:
    """The outcome of reading a package's licensing: the parts, and every problem found."""

    parts: PackageParts
    problems: tuple[str, ...] = ()


def analyse(
    *,
    license: str,
    paths: Iterable[str],
    manifest: Mapping[str, Any],
    texts: Mapping[str, str],
) -> Analysis:
    """Decide each file's licence, then check coverage, licence files and the whole's licence.

    `license` is the package's licence for the whole (an SPDX id, already checked); `paths` are
    the package's files; `texts` holds the text of the files `files_to_read` named.
    """
    paths = sorted(paths)
    problems: list[str] = []
    try:
        rules, components = declared(manifest)
    except PartsRefused as exc:
        return Analysis(PackageParts(license), exc.problems)
    global_info = _Global(texts, problems)
    foreign = _foreign_folders(paths)
    index = _index_components(components)
    parts: list[Part] = []
    uncovered: dict[str, list[str]] = {}
    used_rules: set[int] = set()
    used_components: set[str] = set()
    for path in paths:
        if is_licensing_file(path):
            continue
        part = _part_of(path, license, rules, index, texts, global_info, problems)
        if part.via.startswith("files["):
            used_rules.add(int(part.via[6:-1]))
        if part.component:
            used_components.add(part.component)
        folder = _inside(path, foreign)
        if folder and (
            part.via == PACKAGE_LICENCE
            or (part.via.startswith("files[") and not _names_folder(part.pattern, folder))
        ):
            uncovered.setdefault(folder, []).append(path)
        parts.append(part)
    result = PackageParts(license, tuple(parts), tuple(components))
    problems += _uncovered_problems(uncovered, license)
    problems += _unused_problems(rules, components, used_rules, used_components)
    problems += _component_problems(result, set(paths), texts)
    problems += _folder_licence_problems(result, foreign, texts)
    problems += _licenses_folder_problems(result, set(paths))
    problems += _root_licence_problems(result, paths, texts)
    problems += _banner_problems(result, texts)
    problems += combination_problems(result)
    return Analysis(result, tuple(dict.fromkeys(problems)))


def _part_of(
    path: str,
    license: str,
    rules: Sequence[FileRule],
    index: ComponentIndex,
    texts: Mapping[str, str],
    global_info: _Global,
    problems: list[str],
) -> Part:
    reuse = _reuse_of(path, texts, global_info, problems)
    component = _component_for(path, index)
    if reuse.licences:
        licences = []
        for expression in reuse.licences:
            try:
                licences.append(_licence(expression, f"{path} ({'/'.join(reuse.via)})"))
            except UnknownLicence as exc:
                problems.append(str(exc))
        if licences:
            combined = (
                licences[0]
                if len(licences) == 1
                else " AND ".join(f"({e})" if " " in e else e for e in licences)
            )
            combined = manifest_license(combined)
            if component is not None and combined != component.license:
                problems.append(
                    f"{path} says it is {combined} ({' and '.join(reuse.via)}), but "
                    f"{MANIFEST_NAME} third_party {component.name!r} says {component.license}. "
                    "Make them agree: correct the component's license, or the file's licence "
                    "information if it is wrong."
                )
            return Part(
                path,
                combined,
                tuple(reuse.copyright) or (component.copyright if component else ()),
                " and ".join(reuse.via),
                reuse.pattern or path,
                component.name if component else "",
            )
    if component is not None:
        pattern = next(p for p in component.paths if matches(p, path))
        return Part(
            path,
            component.license,
            tuple(reuse.copyright) or component.copyright,
            "third_party",
            pattern,
            component.name,
        )
    for number in range(len(rules) - 1, -1, -1):
        rule = rules[number]
        if matches(rule.path, path):
            return Part(
                path,
                rule.license,
                tuple(reuse.copyright) or rule.copyright,
                f"files[{number}]",
                rule.path,
            )
    return Part(path, license, tuple(reuse.copyright), PACKAGE_LICENCE, "")


ComponentIndex = dict[str, list[tuple[int, str, Component]]]


def _component_for(path: str, index: ComponentIndex) -> Component | None:
    """The first declared component one of whose globs covers `path`."""
    candidates: list[tuple[int, str, Component]] = sorted(
        [*index.get(path.split("/")[0], []), *index.get("", [])], key=lambda entry: entry[0]
    )
    for _, glob, component in candidates:
        if path.startswith(_literal(glob)) and matches(glob, path):
            return component
    return None


def _index_components(components: Sequence[Component]) -> ComponentIndex:
    """Each component glob under the top folder its literal start names ('' when none)."""
    index: ComponentIndex = {}
    for order, component in enumerate(components):
        for glob in component.paths:
            literal = _literal(glob)
            top = literal.split("/")[0] if "/" in literal else ""
            index.setdefault(top, []).append((order, glob, component))
    return index


def _foreign_folders(paths: Sequence[str]) -> dict[str, str]:
    """Folders other than the root that hold their own LICENSE/COPYING file: folder -> file."""
    found: dict[str, str] = {}
    for path in paths:
        folder, _, name = path.rpartition("/")
        if folder and not folder.startswith(("LICENSES", ".reuse")) and _is_licence_text(name):
            found.setdefault(folder, path)
    return found


def _names_folder(pattern: str, folder: str) -> bool:
    """True when a glob is written for `folder` ('lib/p5/**'), not for everything ('**', '*.js')."""
    literal = pattern.split("*")[0].rstrip("/")
    return literal == folder or literal.startswith(folder + "/")


def _is_licence_text(name: str) -> bool:
    return bool(re.match(r"^(LICEN[CS]E|COPYING)([-.].*)?$", name, re.IGNORECASE)) and not (
        name.endswith(".license")
    )


def _inside(path: str, folders: Mapping[str, str]) -> str:
    """The deepest folder of `folders` that holds `path`, or ''."""
    folder = path.rpartition("/")[0]
    while folder:
        if folder in folders:
            return folder
        folder = folder.rpartition("/")[0]
    return ""


def _paths_named(paths: Sequence[str]) -> str:
    shown = ", ".join(paths[:MOST_PATHS_NAMED])
    more = len(paths) - MOST_PATHS_NAMED
    return shown + (f" and {more} more file{'s' if more != 1 else ''}" if more > 0 else "")


def _uncovered_problems(uncovered: Mapping[str, list[str]], license: str) -> list[str]:
    return [
        f"{_paths_named(files)} {'is' if len(files) == 1 else 'are'} in {folder}/, which has a "
        f"licence file of its own, so {'it is' if len(files) == 1 else 'they are'} someone else's "
        f"work; but nothing says which licence {'it is' if len(files) == 1 else 'they are'} under, "
        f"and neither the package's {license} nor a files rule for everything can be assumed "
        f"for it. Declare the folder in {MANIFEST_NAME} "
        f'third_party (name, version, url, license, copyright, "paths": ["{folder}/**"], '
        f"license_file), or state its licence in files or in REUSE headers."
        for folder, files in sorted(uncovered.items())
    ]


def _unused_problems(
    rules: Sequence[FileRule],
    components: Sequence[Component],
    used_rules: set[int],
    used_components: set[str],
) -> list[str]:
    problems = [
        f"{MANIFEST_NAME} files[{index}] ({rule.path!r}) covers no file of the package (or only "
        "files whose licence is stated more closely); correct the path or remove the entry."
        for index, rule in enumerate(rules)
        if index not in used_rules and not rule.path.startswith("**")
    ]
    problems += [
        f"{MANIFEST_NAME} third_party {c.name!r}: its paths ({', '.join(c.paths) or 'none'}) "
        "cover no file of the package; list the files or folders it is made of, such as "
        f'"paths": ["lib/{c.name.lower()}/**"].'
        for c in components
        if c.name not in used_components
    ]
    return problems


def _needs_licence_text(expression: str) -> bool:
    """True unless one way of following the expression asks nothing (CC0, 0BSD, Unlicense...)."""
    return all(any(get_license(i).attribution for i in choice) for choice in choices(expression))


def _component_problems(
    parts: PackageParts, paths: set[str], texts: Mapping[str, str]
) -> list[str]:
    problems = []
    for component in parts.components:
        name = f"third_party {component.name!r}"
        if not component.license_file:
            if _needs_licence_text(component.license):
                problems.append(
                    f"{name} ({short_name(component.license)}) has no licence file: its licence "
                    "asks that its text and copyright notice travel with the files. Add the "
                    f"component's LICENSE file to the package and name it in license_file "
                    f'(for example "license_file": "{_folder_of(component)}LICENSE").'
                )
        elif component.license_file not in paths:
            problems.append(
                f"{name} names {component.license_file} as its licence file, but the package has "
                "no such file. Add the component's LICENSE file at that path, or correct "
                "license_file."
            )
        else:
            named = licences_named_in(texts.get(component.license_file, ""))
            if named and not _agrees(named, [component.license]):
                problems.append(
                    f"{component.license_file} is the text of {', '.join(sorted(named))}, but "
                    f"{MANIFEST_NAME} says {component.name!r} is {component.license}. Check the "
                    "component's own licence and make them agree."
                )
        if component.notice_file and component.notice_file not in paths:
            problems.append(
                f"{name} names {component.notice_file} as its notice file, but the package has "
                "no such file. Add it (Apache 2.0 §4(d) asks that a NOTICE file travel with the "
                "work), or remove notice_file."
            )
    return problems


def _folder_of(component: Component) -> str:
    first = component.paths[0] if component.paths else ""
    folder = first.split("*")[0].rstrip("/")
    return f"{folder}/" if folder else ""


def _folder_licence_problems(
    parts: PackageParts, foreign: Mapping[str, str], texts: Mapping[str, str]
) -> list[str]:
    """A folder's own LICENSE that names another licence than its files are said to be under."""
    problems = []
    by_folder: dict[str, list[Part]] = {}
    for part in parts.files:
        by_folder.setdefault(_inside(part.path, foreign), []).append(part)
    for folder, licence_file in sorted(foreign.items()):
        named = licences_named_in(texts.get(licence_file, ""))
        if not named:
            continue
        disagreeing = [
            p
            for p in by_folder.get(folder, [])
            if p.via != PACKAGE_LICENCE and not _agrees(named, [p.license])
        ]
        if disagreeing:
            said = disagreeing[0]
            problems.append(
                f"{licence_file} is the text of {', '.join(sorted(named))}, but "
                f"{_paths_named([p.path for p in disagreeing])} "
                f"{'is' if len(disagreeing) == 1 else 'are'} said to be {said.license} "
                f"({_via_words(said)}). Make them agree: if the folder is a third-party "
                f"component, declare it in third_party with its own licence; otherwise correct "
                "the statement or the licence file."
            )
    return problems


def _via_words(part: Part) -> str:
    if part.via.startswith("files["):
        return f"{MANIFEST_NAME} {part.via}, {part.pattern!r}"
    if part.via == "third_party":
        return f"{MANIFEST_NAME} third_party {part.component!r}"
    return part.via


def _licenses_folder_problems(parts: PackageParts, paths: set[str]) -> list[str]:
    """REUSE: every licence used in REUSE information has its text in LICENSES/<id>.txt."""
    if not any(p.startswith("LICENSES/") for p in paths):
        return []
    missing: dict[str, list[str]] = {}
    for part in parts.files:
        if part.via in (PACKAGE_LICENCE, "third_party") or part.via.startswith("files["):
            continue
        for choice in choices(part.license):
            for licence_id in choice:
                if f"LICENSES/{licence_id}.txt" not in paths:
                    missing.setdefault(licence_id, []).append(part.path)
    return [
        f"{_paths_named(files)} {'is' if len(files) == 1 else 'are'} under {licence_id}, but "
        f"LICENSES/{licence_id}.txt is missing; REUSE keeps the text of every licence used in "
        f"LICENSES/ (`reuse download {licence_id}` fetches it)."
        for licence_id, files in sorted(missing.items())
    ]


# The licence banner minified libraries open with: "/*! howler.js v2.2.4 | MIT License */",
# "/** @license React v18 ... This source code is licensed under the MIT license".
_BANNER = re.compile(
    r"@license\s+(?P<id>[A-Za-z0-9.+\-]+)"
    r"|\b(?P<mit>MIT)\s+licen[cs]e\b"
    r"|licensed under the (?P<apache>Apache License,? Version 2\.0)",
    re.IGNORECASE,
)


def banner_licence(text: str) -> str:
    """The licence a code file's opening comment names ('MIT'), or '' when it names none."""
    head = text[:600].lstrip()
    if not head.startswith(("/*", "//")):
        return ""
    comment = head[: head.find("*/") + 2] if head.startswith("/*") and "*/" in head else head
    for match in _BANNER.finditer(comment):
        if match.group("mit"):
            return "MIT"
        if match.group("apache"):
            return "Apache-2.0"
        named = match.group("id").rstrip(".")
        if _known(named):
            return named
    return ""


def _banner_problems(parts: PackageParts, texts: Mapping[str, str]) -> list[str]:
    """A library's own banner that names another licence than the package says it is under.

    Only for files whose licence came from the package's licence or a rule for everything: a
    component, a header or a rule written for the file's folder is a closer statement.
    """
    problems = []
    for part in parts.files:
        broad = part.via == PACKAGE_LICENCE or (
            part.via.startswith("files[") and part.pattern.split("*")[0] in ("", "/")
        )
        if not broad or part.kind != "code":
            continue
        named = banner_licence(texts.get(part.path, ""))
        if named and not _agrees({named}, [part.license]):
            problems.append(
                f"{part.path} opens with a licence notice naming {named}, but it would be "
                f"{part.license} ({_via_words(part) if part.via != PACKAGE_LICENCE else 'the package licence'}). "
                f"If it is someone else's library, declare it in {MANIFEST_NAME} third_party "
                f'with "license": "{named}" and its licence file; if it is yours, correct the '
                "notice or state its licence in files."
            )
    return problems


def _root_licence_problems(
    parts: PackageParts, paths: Sequence[str], texts: Mapping[str, str]
) -> list[str]:
    """A LICENSE file at the root that names a licence neither the whole nor any own part has."""
    problems = []
    own = [p.license for p in parts.files if not p.component]
    for path in paths:
        if "/" in path or not _is_licence_text(path):
            continue
        named = licences_named_in(texts.get(path, ""))
        if not named or _agrees(named, [parts.license, *own]):
            continue
        words = ", ".join(sorted(named))
        whole = get_license(parts.license)
        first = sorted(named)[0]
        fits = _known(first) and not part_problem(get_license(first), whole)
        own_files = (
            f"if {path} is meant for your own files only, say so in {MANIFEST_NAME} with "
            f'{{"path": "**", "license": "{first}"}} as the first entry of files; '
            if fits
            else (
                f'if the package as a whole is {first}, write "license": "{first}" in '
                f"{MANIFEST_NAME}; "
                if _known(first)
                else ""
            )
        )
        problems.append(
            f"{path} names {words}, but {MANIFEST_NAME} says the package as a whole is "
            f"{parts.license}. {MANIFEST_NAME} wins: it is what Remixbank records, shows and "
            f"checks, so {path} would mislead whoever reads it. To fix it, {own_files}"
            f"otherwise replace {path} with the text of {whole.short_name} "
            f"({whole.legal_code_url})."
        )
    return problems


# -- licence texts --------------------------------------------------------------------------------

# Licence texts recognised by their title or opening words (the texts at spdx.org/licenses).
# A licence file does not say "only" or "or later" (that is in each file's notice), so the GNU
# licences are recognised by version and matched to either.
_TITLES: tuple[tuple[str, str], ...] = (
    (r"\bMIT License\b|Permission is hereby granted, free of charge, to any person", "MIT"),
    (r"Apache License,?\s+Version 2\.0", "Apache-2.0"),
    (r"Mozilla Public License,?\s+(Version|v\.?)\s*2\.0", "MPL-2.0"),
    (r"GNU LESSER GENERAL PUBLIC LICENSE\s+Version 2\.1", "LGPL-2.1"),
    (r"GNU LESSER GENERAL PUBLIC LICENSE\s+Version 3", "LGPL-3.0"),
    (r"GNU AFFERO GENERAL PUBLIC LICENSE\s+Version 3", "AGPL-3.0"),
    (r"GNU GENERAL PUBLIC LICENSE\s+Version 3", "GPL-3.0"),
    (r"GNU GENERAL PUBLIC LICENSE\s+Version 2", "GPL-2.0"),
    (r"This is free and unencumbered software released into the public domain", "Unlicense"),
    (r"Permission to use, copy, modify, and(/or)? distribute this software for any", "ISC"),
)
_SPDX_LINE = re.compile(r"SPDX-License-Identifier:\s*([^\s*/]+)")


def licences_named_in(text: str) -> set[str]:
    """Licences a licence file is the text of: CC deed URLs, SPDX identifiers, known titles.

    GNU licences come back as their bare version ('GPL-3.0'), matching '-only' and '-or-later'.
    """
    found: set[str] = set()
    for url in re.findall(
        r"(?:https?://)?creativecommons\.org/(?:licenses|publicdomain)/[\w/.\-]+", text
    ):
        try:
            found.add(license_for_url(url if url.startswith("http") else "https://" + url).id)
        except (UnknownLicence, ValueError):
            continue
    for match in _SPDX_LINE.finditer(text):
        found.add(_family(match.group(1)))
    head = text[:4000]
    for pattern, licence_id in _TITLES:
        if re.search(pattern, head, re.IGNORECASE if licence_id == "MIT" else 0):
            found.add(licence_id)
            if licence_id.startswith(("LGPL", "AGPL")):
                break  # an LGPL text quotes the GPL's title too
    return found


def _known(licence_id: str) -> bool:
    try:
        get_license(licence_id)
    except UnknownLicence:
        return False
    return True


def _family(licence_id: str) -> str:
    return re.sub(r"(-only|-or-later|\+)$", "", licence_id)


def _agrees(named: set[str], expressions: Iterable[str]) -> bool:
    """True when a licence file's `named` licences include one the expressions use."""
    families = {_family(n) for n in named}
    for expression in expressions:
        try:
            ids = set().union(*choices(expression))
        except UnknownLicence:
            continue
        if any(i in named or _family(i) in families for i in ids):
            return True
    return False


# -- what the whole may promise -------------------------------------------------------------------


def part_problem(part_licence: License, whole: License, *, part: str = "content") -> str:
    """Why a file under `part_licence` cannot sit in a package licensed `whole` as a whole, or ''.

    `part` is 'code' or 'content' (`part_of_kind`): which of the rules below apply depends on it.

    The whole's licence tells reusers what they may do with all of it, so it may promise no more
    than the part allows:
    - NonCommercial: "NC items may sit only in NonCommercial collections" (CC FAQ, "If I create
      a collection ...", the collections chart); the same holds for CC Sampling+ 1.0, which lets
      a whole copy be shared only non-commercially (Sampling+ 1.0 legal code §3(c)).
    - NoDerivatives: the part's licence forbids sharing adapted material (BY-ND 4.0
      §2(a)(1)(B)), so the whole may not say reusers can share a changed version.
    - Strong and network copyleft code (GPL, AGPL): a tool's scripts run together as one
      program, and "the work as a whole" must be licensed under the GPL (GPLv2 §2(b), GPLv3
      §5(c)); weak copyleft (LGPL, MPL) and permissive code keep their own terms inside a larger
      work of any licence (LGPLv3 §4 "Combined Works", LGPL-2.1 §6, MPL 2.0 §3.3 "Larger Work").
    - For the same reason, code inside a GPL or AGPL whole must be code whose licence lets it be
      relicensed under the whole's (`rules.allowed_adaptation_licenses`): Apache-2.0 code in a
      GPL-2.0-only tool is refused (FSF licence list: Apache 2.0 is incompatible with GPLv2), as
      is a script under a content licence that GPL does not accept. Content files beside the
      program are "mere aggregation" and keep their own terms (GPLv3 §5, last paragraph;
      GPLv2 §2, last paragraph).
    - ShareAlike and attribution content keep their own terms in a collection ("this does not
      change the license applicable to the original material", CC FAQ), so they set no limit.
    """
    if part_licence.family == "sampling" and not whole.non_commercial:
        return (
            f"{part_licence.short_name} lets copies of the whole file be shared only "
            f"noncommercially (§3(c)), while {whole.short_name} lets anyone use the whole "
            "commercially"
        )
    if part_licence.non_commercial and not whole.non_commercial:
        return (
            f"{part_licence.short_name} is NonCommercial, while {whole.short_name} lets anyone "
            "use the whole commercially (CC FAQ: NonCommercial material may only go into "
            "NonCommercial collections)"
        )
    if part_licence.no_derivatives and not whole.no_derivatives:
        return (
            f"{part_licence.short_name} forbids sharing changed versions, while "
            f"{whole.short_name} lets anyone share a changed version of the whole"
        )
    if part_licence.is_software and (part_licence.strong_copyleft or part_licence.network_copyleft):
        cell, _ = software.verdict(part_licence, whole)
        if cell == software.RED:
            return (
                f"{part_licence.short_name} is {part_licence.copyleft}: a tool that includes it "
                f"is one program, which must be licensed as a whole under "
                f"{software.requirement(part_licence)} (GPLv3 §5(c), GPLv2 §2(b))"
            )
    if (
        part == "code"
        and whole.is_software
        and (whole.strong_copyleft or whole.network_copyleft)
        and whole.id not in rules.allowed_adaptation_licenses([part_licence.id])
    ):
        return (
            f"{whole.short_name} requires a tool that includes this code, which runs with it as "
            f"one program, to be licensed as a whole under {whole.short_name} (GPLv3 §5(c), "
            f"GPLv2 §2(b)), and {part_licence.short_name} code may not be relicensed that way"
        )
    return ""


def _expression_problem(expression: str, whole: License, part: str = "content") -> str:
    """'' when some way of following `expression` fits the whole, else why the first does not."""
    reasons = []
    for choice in sorted(choices(expression), key=sorted):
        found = [r for i in sorted(choice) if (r := part_problem(get_license(i), whole, part=part))]
        if not found:
            return ""
        reasons.append(found[0])
    return reasons[0]


#: The parts of a package whose licences are weighed separately: code goes with code, and
#: everything else (text, images, sounds, data) is content.
CODE, CONTENT = "code", "content"


def part_of_kind(kind: str) -> str:
    return CODE if kind == "code" else CONTENT


def licences_by_part(packages: Iterable[PackageParts]) -> dict[str, list[str]]:
    """The licences of the packages' own files (components aside), by part: code, content."""
    found: dict[str, list[str]] = {CODE: [], CONTENT: []}
    for package in packages:
        for file in package.files:
            if file.component:
                continue
            group = found[part_of_kind(file.kind)]
            if file.license not in group:
                group.append(file.license)
    return {part: licences for part, licences in found.items() if licences}


def part_licence_problems(part_licences: Mapping[str, object], whole: str) -> list[str]:
    """What is wrong with a manifest's `part_licences` (the adapters' licence for their changes
    to the code and to the content) against the licence of the whole: each must be one known
    licence that may sit inside the whole."""
    problems = []
    for part, value in part_licences.items():
        where = f"{MANIFEST_NAME} part_licences {part}"
        try:
            licence = _licence(value, where)
        except UnknownLicence as exc:
            problems.append(str(exc))
            continue
        if " " in licence:
            problems.append(
                f"{where}: {licence!r} is an expression; name the one licence you give your "
                f"changes to the {part}, for example 'MIT' or 'CC-BY-SA-4.0'."
            )
            continue
        problem = part_problem(get_license(licence), get_license(whole), part=part)
        if problem:
            problems.append(
                f"{where} is {get_license(licence).short_name}, which cannot sit inside a "
                f"package licensed {get_license(whole).short_name} as a whole: {problem}"
            )
    return problems


@cache
def _applicable() -> tuple[License, ...]:
    return tuple(lic for lic in all_licenses() if lic.family not in ("pdm", "sampling"))


def whole_licences(parts: PackageParts) -> list[str]:
    """The licences the package as a whole may carry, given its parts, in catalogue order."""
    weighed = {(p.license, part_of_kind(p.kind)) for p in parts.files}
    weighed |= {(c.license, CONTENT) for c in parts.components}
    return [
        whole.id
        for whole in _applicable()
        if not any(_expression_problem(e, whole, part) for e, part in weighed)
    ]


def _suggestion(parts: PackageParts, whole: License) -> str:
    """A licence close to `whole` that the parts allow, to name in the message, or ''."""
    allowed = whole_licences(parts)
    if not allowed:
        return ""
    wanted_nc = any(
        get_license(i).non_commercial for e in parts.licences() for c in choices(e) for i in c
    )
    wanted_nd = any(
        get_license(i).no_derivatives for e in parts.licences() for c in choices(e) for i in c
    )
    if whole.is_creative_commons and not whole.public_domain:
        family = "by" + ("-nc" if wanted_nc or whole.non_commercial else "")
        family += (
            "-sa" if whole.share_alike else ("-nd" if wanted_nd or whole.no_derivatives else "")
        )
        preferred = f"CC-{family.upper()}-4.0"
    else:
        preferred = "CC-BY-NC" + ("-ND" if wanted_nd else "") + "-4.0"
    return preferred if preferred in allowed else allowed[0]


def combination_problems(parts: PackageParts) -> list[str]:
    """Each reason the parts cannot sit together under the package's licence for the whole.

    One message per (licence, reason), naming the files: 'assets/sounds/x.mp3 is CC BY-NC 3.0,
    so the package as a whole cannot be CC0 1.0: declare it NonCommercial, or replace the file.'
    """
    whole = get_license(parts.license)
    grouped: dict[tuple[str, str], list[str]] = {}
    for part in parts.files:
        try:
            reason = _expression_problem(part.license, whole, part_of_kind(part.kind))
        except UnknownLicence:
            continue
        if reason:
            grouped.setdefault((part.license, reason), []).append(part.path)
    if not grouped:
        return []
    suggestion = _suggestion(parts, whole)
    if suggestion:
        fix = (
            f'declare the package {_what_to_declare(grouped)} ("license": "{suggestion}" in '
            f"{MANIFEST_NAME}, {get_license(suggestion).short_name}), or replace the file"
        )
    else:
        fix = (
            "no single licence for the whole fits all the parts, so replace or remove the "
            "file, or ask its authors for other terms"
        )
    return [
        f"{_paths_named(files)} {'is' if len(files) == 1 else 'are'} {short_name(licence)}, so "
        f"the package as a whole cannot be {whole.short_name} ({parts.license}): {reason}. To "
        f"fix it, {fix}{'s' if len(files) > 1 and not suggestion else ''}."
        for (licence, reason), files in grouped.items()
    ]


def _what_to_declare(grouped: Mapping[tuple[str, str], list[str]]) -> str:
    reasons = " ".join(reason for _, reason in grouped)
    wants = []
    if "NonCommercial" in reasons or "noncommercially" in reasons:
        wants.append("NonCommercial (NC)")
    if "forbids sharing changed" in reasons:
        wants.append("NoDerivatives (ND)")
    if "copyleft" in reasons:
        wants.append("under the copyleft licence")
    return " and ".join(wants) or "under a licence its parts allow"


def uniform(license: str, paths: Iterable[str]) -> PackageParts:
    """The parts of a package with no per-file licensing: every file under `license`."""
    return PackageParts(
        license, tuple(Part(p, license) for p in sorted(paths) if not is_licensing_file(p))
    )


def relicensed(parts: PackageParts, license: str) -> PackageParts:
    """The same parts under a new licence for the whole (files that had the old default keep it).

    For a fork or remix: the files that were under the package's own licence stay under it
    (only their rights holders could change that); the new licence covers the whole and the
    adapter's contributions.
    """
    return replace(parts, license=license)
