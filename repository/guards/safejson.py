"""JSON with a bound on nesting: documents nested too deep are refused before they are parsed.

Python's json module recurses once per level of arrays and objects, so a body of 100,000 `[`
raises RecursionError (a 500) instead of a parse error, and even a few hundred levels make
later recursive code (copy.deepcopy, jsonschema, templates) overflow. `check_depth` finds the
deepest nesting with a scan over the text that never recurses: strings are removed first (a
`]` inside a string does not count), then the running depth of the brackets that remain is
summed. The limit is settings.JSON_MAX_DEPTH.
"""

import json
import re
from typing import Any

import numpy as np
from django.conf import settings

# A string with its escapes; the closing quote is optional so an unterminated string ends
# the scan in one match rather than being retried from every later quote (quadratic time).
_STRING_BYTES = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_STRING_TEXT = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = np.zeros(256, dtype=np.int64)
_STEP[list(b"[{")] = 1
_STEP[list(b"]}")] = -1


class JSONTooDeep(json.JSONDecodeError):
    """A document nested deeper than the limit; a JSONDecodeError (so a ValueError) like any bad JSON."""

    def __init__(self, doc: str | bytes, limit: int) -> None:
        self.limit = limit
        text = doc if isinstance(doc, str) else doc[:200].decode("utf-8", "replace")
        super().__init__(
            f"arrays and objects are nested more than {limit} levels deep; "
            f"nest them at most {limit} levels",
            text,
            0,
        )

    def __str__(self) -> str:
        # No "line 1 column 1": the position is not where the nesting goes wrong.
        return self.msg


def max_depth() -> int:
    return int(settings.JSON_MAX_DEPTH)


def nesting_depth(data: str | bytes) -> int:
    """The deepest nesting of arrays and objects in `data` (0 for a scalar), strings ignored."""
    if isinstance(data, str):
        data = _STRING_TEXT.sub("", data).encode("ascii", "ignore")
    else:
        data = _STRING_BYTES.sub(b"", data)
    brackets = data.translate(None, _NOT_BRACKETS)
    if not brackets:
        return 0
    running = np.cumsum(_STEP[np.frombuffer(brackets, dtype=np.uint8)])
    return int(running.max())


def check_depth(data: str | bytes, limit: int | None = None) -> None:
    """Raise JSONTooDeep when `data` nests arrays and objects deeper than `limit`."""
    limit = max_depth() if limit is None else limit
    # Fewer opening brackets than the limit cannot nest deeper than it: skip the full scan.
    if isinstance(data, str):
        opening = data.count("[") + data.count("{")
    else:
        opening = data.count(b"[") + data.count(b"{")
    if opening <= limit:
        return
    if nesting_depth(data) > limit:
        raise JSONTooDeep(data, limit)


def loads(data: str | bytes, limit: int | None = None) -> Any:
    """json.loads, refusing documents nested deeper than `limit` (JSONTooDeep) before parsing."""
    check_depth(data, limit)
    return json.loads(data)
