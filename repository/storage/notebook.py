"""Jupyter notebooks (.ipynb) as deposits: read and checked against nbformat's schema, never run here.

Running them is the validation's job, inside the sims sandbox (repository/validation/notebooks.py).
"""

from __future__ import annotations

import json
from typing import Any

from repository.errors import PackageRefused
from repository.guards import safejson

SUFFIX = ".ipynb"
NOTEBOOK_MAX_BYTES = 16 << 20


def schema_problems(path: str, raw: bytes) -> list[str]:
    """What makes `raw` (the file at `path`) not a valid notebook, in words; [] when it is one."""
    import nbformat
    from nbformat.validator import ValidationError

    if not path.lower().endswith(SUFFIX):
        return [
            f"The entry point {path!r} of a notebook must be a Jupyter notebook ({SUFFIX} file)."
        ]
    if len(raw) > NOTEBOOK_MAX_BYTES:
        return [f"{path} is {len(raw)} bytes; a notebook may have at most {NOTEBOOK_MAX_BYTES}."]
    try:
        text = raw.decode("utf-8")
        # Nested past the limit, json would recurse until it overflows (a 500, not a refusal).
        if not isinstance(safejson.loads(text), dict):
            return [f"{path} is JSON but not a notebook: a notebook is one JSON object."]
        node = nbformat.reads(text, as_version=nbformat.NO_CONVERT)
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError) as exc:
        return [f"{path} is not a readable notebook (JSON in UTF-8): {exc}."]
    try:
        if int(node.get("nbformat", 0)) < 4:
            return [
                f"{path} is in notebook format {node.get('nbformat')}; save it again with a "
                "current Jupyter (format 4), which converts it."
            ]
        nbformat.validate(node)
    except ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(top level)"
        return [
            f"{path} is not a valid Jupyter notebook (nbformat {node.get('nbformat')}) at "
            f"{where}: {str(exc.message)[:300]}. Open and save it in Jupyter to repair it."
        ]
    language = (node.get("metadata", {}).get("kernelspec") or {}).get("language", "python")
    if str(language).lower() != "python":
        return [
            f"{path} is written for a {language} kernel; Remixbank runs notebooks with Python "
            "(ipykernel) only."
        ]
    return []


def notebook_manifest(path: str, raw: bytes) -> dict[str, Any]:
    """A manifest for a notebook deposited without remixbank.json, from its own metadata:
    `title` (else its first heading), `authors`, and a `license` (an SPDX id) it states."""
    check_notebook(path, raw)
    node = json.loads(raw.decode("utf-8"))
    metadata = node.get("metadata") or {}
    title = str(metadata.get("title") or "").strip()
    for cell in node.get("cells", []):
        if title or cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source")
        text = "".join(source) if isinstance(source, list) else str(source or "")
        heading = next((line for line in text.splitlines() if line.startswith("#")), "")
        title = heading.lstrip("#").strip()
    authors = [
        {"name": str(a["name"])}
        for a in metadata.get("authors") or []
        if isinstance(a, dict) and str(a.get("name") or "").strip()
    ]
    licence = str(metadata.get("license") or "").strip()
    if not licence:
        raise PackageRefused(
            f"{path} does not say under which licence it may be shared. Add it to the notebook's "
            'metadata (e.g. "license": "CC-BY-4.0"), or deposit a zip with a remixbank.json '
            'beside it ({"kind": "notebook", "entry_point": "' + path + '", ...}); nothing was '
            "stored."
        )
    if not authors:
        raise PackageRefused(
            f"{path} names no author. Add them to the notebook's metadata "
            '("authors": [{"name": "Ada Lovelace"}]), or deposit it with a remixbank.json; '
            "nothing was stored."
        )
    if not title:
        raise PackageRefused(
            f"{path} has no title: give its metadata a title or start it with a markdown "
            "heading; nothing was stored."
        )
    return {
        "kind": "notebook",
        "title": title[:200],
        "license": licence,
        "authors": authors,
        "entry_point": path,
    }


def looks_like_notebook(raw: bytes) -> bool:
    """An upload that is a notebook's JSON rather than a zip."""
    try:
        node = safejson.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return False
    return isinstance(node, dict) and "cells" in node and "nbformat" in node


def check_notebook(path: str, raw: bytes) -> None:
    """Refuse the deposit when the notebook at `path` is not a valid Python notebook."""
    problems = schema_problems(path, raw)
    if problems:
        raise PackageRefused(" ".join(problems) + " Nothing was stored.")
