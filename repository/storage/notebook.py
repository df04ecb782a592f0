"""Jupyter notebooks (.ipynb) as deposits: read and checked against nbformat's schema, never run here.

Running them is the validation's job, inside the sims sandbox (repository/validation/notebooks.py).
"""

from __future__ import annotations

import json

from repository.errors import PackageRefused

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
        node = nbformat.reads(raw.decode("utf-8"), as_version=nbformat.NO_CONVERT)
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


def check_notebook(path: str, raw: bytes) -> None:
    """Refuse the deposit when the notebook at `path` is not a valid Python notebook."""
    problems = schema_problems(path, raw)
    if problems:
        raise PackageRefused(" ".join(problems) + " Nothing was stored.")
