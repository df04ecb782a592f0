"""The validation steps: each takes a version and returns its outcome; orchestration is elsewhere."""

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import licensing
from repository.credit.basis import adaptation_sources, licence_problem
from repository.errors import DomainError
from repository.models import ValidationStep, Version
from repository.storage import blobs
from repository.storage.packages import PackageLimits, check_manifest
from repository.storage.parts import analyse_blobs
from repository.storage.workspace import make_writable, materialize

PASSED = ValidationStep.Status.PASSED
FAILED = ValidationStep.Status.FAILED
TEXT_SCAN_LIMIT = 2 * 1024 * 1024
EXTERNAL_REFERENCE = re.compile(
    r"""(?:src|href)\s*=\s*["']?((?:https?:)?//[^"'\s>]+)|@import\s+(?:url\()?\s*["']?((?:https?:)?//[^"')\s;]+)|url\(\s*["']?((?:https?:)?//[^"')\s]+)""",
    re.IGNORECASE,
)
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
    if problems:
        return StepOutcome(FAILED, problems)
    return StepOutcome(
        PASSED,
        [
            f"Manifest valid; {version.file_count} files, {version.total_size} bytes, hashes verified."
        ],
    )


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
    messages = [f"Licensed {licence.short_name}."]
    if not parts.is_uniform:
        messages.append(
            f"By part: {parts.summary()}. Every file's licence is stated, and the parts may be "
            f"shared together under {licence.short_name}."
        )
    sources = adaptation_sources(version.resource, before=version.number)
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


def check_content(version: Version) -> StepOutcome:
    """Report HTML in metadata (shown as text) and resources loaded from outside the package."""
    messages = []
    for key in ("title", "description", "changelog"):
        if HTML_TAG.search(str(version.manifest.get(key, ""))):
            messages.append(f"The {key} contains HTML; it is shown as plain text, never as markup.")
    declared = set(version.manifest.get("external_resources", []))
    external: dict[str, list[str]] = {}
    text_files = version.files.filter(blob__size__lte=TEXT_SCAN_LIMIT)
    for path, sha in text_files.values_list("path", "blob_id"):
        if not path.lower().endswith((".html", ".htm", ".css", ".svg")):
            continue
        for match in EXTERNAL_REFERENCE.finditer(read_text(sha)):
            url = next(g for g in match.groups() if g)
            external.setdefault(url, []).append(path)
    undeclared = sorted(u for u in external if u not in declared)
    for url in sorted(external):
        where = ", ".join(sorted(set(external[url])))
        if url in declared:
            messages.append(
                f"Loads {url} (from {where}); declared in external_resources, so shown on its page."
            )
    if undeclared:
        return StepOutcome(
            FAILED,
            [
                f"Loads {url} from outside the package (in {', '.join(sorted(set(external[url])))}). "
                "A tool must work offline: include the file in the package, or declare the URL in "
                "the manifest's external_resources."
                for url in undeclared
            ],
            {"external": sorted(external)},
        )
    return StepOutcome(PASSED, messages or ["No external resources; no HTML in metadata."])


@dataclass(frozen=True)
class Step:
    """A step; one that runs content has no check here: it goes out as a work order."""

    name: str
    check: Callable[[Version], StepOutcome] | None
    queue: str
    kinds: frozenset[str] = frozenset({"tool", "scenario"})
    runs_content: bool = False


STEPS = [
    Step("package", check_package, "checks"),
    Step("licence", check_licence, "checks"),
    Step("content", check_content, "checks"),
    # Run by an untrusted worker (repository/validation/untrusted.py) from a work order.
    Step("run", None, "sandbox", frozenset({"scenario"}), runs_content=True),
    Step("run", None, "browser", frozenset({"tool"}), runs_content=True),
]


def steps_for(version: Version) -> list[Step]:
    return [s for s in STEPS if version.resource.kind in s.kinds]
