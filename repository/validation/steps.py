"""The validation steps: each takes a version and returns its outcome; orchestration is elsewhere."""

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import licensing
import licensing.parts
from repository.credit.basis import ADAPTING, adaptation_holder, adaptation_sources, licence_problem
from repository.errors import DomainError, PackageRefused
from repository.models import ValidationStep, Version
from repository.storage import blobs, h5p, notebook, scorm
from repository.storage.packages import PackageLimits, check_manifest, player_folder_problem
from repository.storage.parts import analyse_blobs
from repository.storage.workspace import make_writable, materialize
from repository.validation import resources

PASSED = ValidationStep.Status.PASSED
FAILED = ValidationStep.Status.FAILED
TEXT_SCAN_LIMIT = 2 * 1024 * 1024
HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


@dataclass
class StepOutcome:
    status: str
    messages: list[str] = field(default_factory=list)
    artefacts: dict[str, Any] = field(default_factory=dict)


def check_package(version: Version) -> StepOutcome:
    """The deposit checks again, on the stored tree: manifest, limits, entry point, hashes."""
    paths = set(version.files.values_list("path", flat=True))
    try:
        check_manifest(version.manifest, paths)
    except DomainError as exc:
        return StepOutcome(FAILED, [exc.message])
    limits = PackageLimits.from_settings()
    problems = []
    if version.file_count > limits.max_files:
        problems.append(f"{version.file_count} files; the limit is {limits.max_files}.")
    if version.total_size > limits.max_bytes:
        problems.append(f"{version.total_size} bytes; the limit is {limits.max_bytes}.")
    for path, sha in version.files.values_list("path", "blob_id"):
        try:
            for _ in blobs.iter_blob(sha):
                pass
        except (DomainError, OSError) as exc:
            problems.append(f"{path}: {exc}")
    if not problems and version.resource.kind == "scenario":
        problems = scenario_problems(version)
    if not problems and version.resource.kind == "notebook":
        problems = notebook_problems(version)
    if not problems:
        problems = player_package_problems(version)
    if problems:
        return StepOutcome(FAILED, problems)
    return StepOutcome(
        PASSED,
        [
            f"Manifest valid; {version.file_count} files, {version.total_size} bytes, hashes verified."
        ],
    )


def player_package_problems(version: Version) -> list[str]:
    """An H5P or SCORM version's own manifest checked again on the stored tree: a fork or a
    contribution may have dropped a library, or a file the SCORM manifest names."""
    package = version.manifest.get("package")
    format_name = package.get("format") if isinstance(package, dict) else None
    if format_name not in {"h5p", scorm.SCORM_12, scorm.SCORM_2004}:
        return []  # a plain tool; a cartridge's web content is one once deposited
    tree = dict(version.files.values_list("path", "blob_id"))
    if problem := player_folder_problem(set(tree)):
        # The content origin would hide such a file behind the player, and the browser check
        # writes the player over it (or cannot, where a player's folder is a file here).
        return [problem]

    def read(path: str) -> bytes:
        return blobs.read_blob(tree[path])

    try:
        if format_name == "h5p":
            if h5p.H5P_JSON not in tree:
                return [f"This H5P version has no {h5p.H5P_JSON}; it cannot be played."]
            h5p.h5p_manifest(set(tree), read)
        else:
            if scorm.IMSMANIFEST not in tree:
                return [f"This SCORM version has no {scorm.IMSMANIFEST}; it cannot be launched."]
            scorm.scorm_manifest(set(tree), read)
    except PackageRefused as exc:
        return [exc.message.replace("; nothing was stored.", ".")]
    return []


def notebook_problems(version: Version) -> list[str]:
    """The notebook read against nbformat's schema, without running anything."""
    sha = version.files.filter(path=version.entry_point).values_list("blob_id", flat=True).first()
    if sha is None:
        return [f"{version.entry_point}: not in this version."]
    return notebook.schema_problems(version.entry_point, blobs.read_blob(sha))


def scenario_problems(version: Version) -> list[str]:
    """The scenario checked as a file, without running anything: size, nesting, values, schema, starter."""
    from sims.scenario import check_scenario_file

    with tempfile.TemporaryDirectory(prefix=f"check-{version.pk}-") as tmp:
        root = materialize(version, Path(tmp) / "files")
        try:
            found = check_scenario_file(root / version.entry_point)
        finally:
            make_writable(Path(tmp))
    return [f"{version.entry_point}: {problem}" for problem in found]


def read_text(sha: str) -> str:
    return blobs.read_blob(sha).decode("utf-8", errors="replace")


def check_licence(version: Version) -> StepOutcome:
    """Every file's licence is stated, components carry their licence files, LICENSE files agree,
    the parts may sit together under the licence of the whole, and a derived work may carry it."""
    try:
        licence = licensing.get_license(version.licence)
    except licensing.UnknownLicence as exc:
        return StepOutcome(FAILED, [str(exc)])
    tree = dict(version.files.values_list("path", "blob_id"))
    analysis = analyse_blobs({**version.manifest, "license": version.licence}, tree)
    problems = list(analysis.problems)
    parts = analysis.parts
    if version.items.exists():
        # A collection's licence covers only its arrangement: its works sit in it unmodified
        # under their own licences, as the CC collection chart allows (checked when collected,
        # licensing.collection_notices), so the whole-package combination rule does not apply.
        combined = set(licensing.parts.combination_problems(parts))
        problems = [p for p in problems if p not in combined]
    messages = [f"Licensed {licence.short_name}."]
    if not parts.is_uniform:
        messages.append(
            f"By part: {parts.summary()}. Every file's licence is stated, and the parts may be "
            f"shared together under {licence.short_name}."
        )
    chosen_by_part = version.manifest.get("part_licences") or {}
    problems += licensing.parts.part_licence_problems(chosen_by_part, version.licence)
    sources = adaptation_sources(version.resource, before=version.number)
    holder = adaptation_holder(version.resource, before=version.number)
    if holder is not None and chosen_by_part:
        parents = [
            edge.parent
            for edge in holder.parent_edges.filter(kind__in=ADAPTING).select_related("parent")
        ]
        problems += part_adaptation_problems(chosen_by_part, parents)
    if sources:
        problem = licence_problem(version)
        if problem:
            problems.append(problem)
        else:
            messages.append(
                f"Adapts {len(sources)} source(s) whose licences allow {licence.short_name}; "
                "their attribution is generated into ATTRIBUTION.txt of every download."
            )
    return StepOutcome(FAILED if problems else PASSED, problems or messages)


def part_adaptation_problems(chosen: dict[str, str], sources: list[Version]) -> list[str]:
    """Each part's licence must be one that part of the adapted sources allows (code with code,
    content with content)."""
    by_part = licensing.parts.licences_by_part(s.licence_parts for s in sources)
    problems = []
    for part, licence in chosen.items():
        found = by_part.get(part, [])
        allowed = licensing.is_known(licence) and found
        if allowed and licence not in licensing.allowed_adaptation_licenses(found):
            problems.append(
                f"remixbank.json part_licences {part}: {licensing.explain(found, licence)}"
            )
    return problems


def check_content(version: Version) -> StepOutcome:
    """What the tool loads from outside its package (undeclared loads fail), what it links to
    (recorded, never followed, never failing), and HTML in metadata (shown as text)."""
    messages = []
    for key in ("title", "description", "changelog"):
        if HTML_TAG.search(str(version.manifest.get(key, ""))):
            messages.append(f"The {key} contains HTML; it is shown as plain text, never as markup.")
    declared = [str(u) for u in version.manifest.get("external_resources", [])]
    rows = version.files.filter(path__iregex=SCANNED_PATHS).values_list(
        "path", "blob__size", "blob_id"
    )
    scan = resources.scan_files(
        (
            (path, size, read_blob_bytes(sha) if size <= TEXT_SCAN_LIMIT else None)
            for path, size, sha in rows
        ),
        limit=TEXT_SCAN_LIMIT,
    )
    undeclared = [r for r in scan.loads if not resources.declared_by(r.url, declared)]
    artefacts = content_report(scan, declared)
    if undeclared:
        problems = [
            f"{ref.where}: loads {ref.url} ({ref.kind}) from outside the package, and the "
            "manifest does not declare it. A tool must work offline in a classroom: put the "
            "file in the package and refer to it by a relative path, or, if the tool really "
            "needs the network, add the URL (or its site, ending in /) to the manifest's "
            "external_resources."
            for ref in first_per_url(undeclared)[:MESSAGE_CAP]
        ]
        if len(first_per_url(undeclared)) > MESSAGE_CAP:
            problems.append(
                f"… and {len(first_per_url(undeclared)) - MESSAGE_CAP} more such URLs "
                "(all listed in this step's report)."
            )
        return StepOutcome(FAILED, problems + not_scanned_messages(scan), artefacts)
    for item in artefacts["needs_network"]:
        where = ", ".join(item["found_in"]) or "not found in the files; declared"
        messages.append(f"Needs the network: {item['url']} ({where}).")
    if scan.links:
        hosts = sorted({urlsplit_host(r.url) for r in scan.links})
        messages.append(
            f"Links to {len({r.url for r in scan.links})} outside address(es) on "
            f"{len(hosts)} site(s) (credits, sharing, footnotes): recorded, never followed, "
            "never a reason to fail."
        )
    messages += not_scanned_messages(scan)
    return StepOutcome(
        PASSED,
        messages or ["Loads nothing from outside the package; no HTML in metadata."],
        artefacts,
    )


MESSAGE_CAP = 20
LINK_REPORT_CAP = 500
SCANNED_PATHS = r"\.(x?html?|css|m?js|cjs|svg)$"


def read_blob_bytes(sha: str) -> bytes:
    return blobs.read_blob(sha)


def urlsplit_host(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        return urlsplit(url if not url.startswith("//") else "https:" + url).hostname or url
    except ValueError:
        return url


def first_per_url(refs: list[resources.Reference]) -> list[resources.Reference]:
    seen: dict[str, resources.Reference] = {}
    for ref in refs:
        seen.setdefault(ref.url, ref)
    return list(seen.values())


def grouped(refs: list[resources.Reference]) -> list[dict[str, Any]]:
    """One entry per URL: its kind and every file:line it was found at."""
    by_url: dict[str, dict[str, Any]] = {}
    for ref in refs:
        item = by_url.setdefault(ref.url, {"url": ref.url, "kind": ref.kind, "found_in": []})
        if ref.where not in item["found_in"]:
            item["found_in"].append(ref.where)
    return list(by_url.values())


def content_report(scan: resources.Scan, declared: list[str]) -> dict[str, Any]:
    """The content step's structured report (shown on the page, given by the API)."""
    loads = scan.loads
    found = grouped([r for r in loads if resources.declared_by(r.url, declared)])
    found_urls = {item["url"] for item in found}
    # A declared URL not seen in the files is still needed: scripts may build it at run time.
    needs = found + [
        {"url": url, "kind": "declared", "found_in": []}
        for url in declared
        if not any(resources.declared_by(u, [url]) for u in found_urls)
    ]
    links = grouped(scan.links)
    return {
        "needs_network": needs,
        "undeclared": grouped([r for r in loads if not resources.declared_by(r.url, declared)]),
        "links": links[:LINK_REPORT_CAP],
        "link_count": len(links),
        "not_scanned": [
            {"path": path, "size": size, "limit": TEXT_SCAN_LIMIT}
            for path, size in scan.not_scanned
        ],
    }


def not_scanned_messages(scan: resources.Scan) -> list[str]:
    return [
        f"{path}: not scanned (size {size} bytes > limit {TEXT_SCAN_LIMIT} bytes); what it "
        "loads at run time is still seen by the browser check."
        for path, size in scan.not_scanned
    ]


@dataclass(frozen=True)
class Step:
    """A step; one that runs content has no check here: it goes out as a work order."""

    name: str
    check: Callable[[Version], StepOutcome] | None
    queue: str
    kinds: frozenset[str] = frozenset({"tool", "scenario", "notebook"})
    runs_content: bool = False


STEPS = [
    Step("package", check_package, "checks"),
    Step("licence", check_licence, "checks"),
    Step("content", check_content, "checks"),
    # Run by an untrusted worker (repository/validation/untrusted.py) from a work order.
    Step("run", None, "sandbox", frozenset({"scenario", "notebook"}), runs_content=True),
    Step("run", None, "browser", frozenset({"tool"}), runs_content=True),
]


def steps_for(version: Version) -> list[Step]:
    return [s for s in STEPS if version.resource.kind in s.kinds]
