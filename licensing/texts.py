"""The full texts of the catalogue's licences, vendored, for LICENSE files that must include them.

The GPL family asks for "a copy of this License" to go with every copy (GPLv3 §4, GPLv2 §1),
Apache-2.0 §4(a) for "a copy of this License", and MIT/BSD/ISC for the permission notice
itself, so a link is not enough. The texts are those of the SPDX License List, as packaged by
the npm package `spdx-license-list` (pinned in `VENDORED`, CC0-1.0, its LICENSE beside the
texts), kept only for the licences in the catalogue and read from disk: nothing is fetched.
Licences without an SPDX id (`LicenseRef-` ports) have no vendored text; their legal code is
linked instead.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from licensing.catalogue import get_license

VENDORED = "spdx-license-list-6.12.0"
FOLDER = Path(__file__).with_name("vendor") / VENDORED


@cache
def full_text(license_id: str) -> str | None:
    """The full text of the licence `license_id` (any spelling the catalogue accepts), or None."""
    canonical = get_license(license_id).id
    path = FOLDER / f"{canonical}.txt"
    if canonical.startswith("LicenseRef-") or not path.is_file():
        return None
    return path.read_text(encoding="utf-8")


def vendored_ids() -> set[str]:
    """The licence ids whose texts are vendored."""
    return {path.stem for path in FOLDER.glob("*.txt")}
