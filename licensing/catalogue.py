"""The licence catalogue: every licence Remixbank knows, keyed by SPDX id (or LicenseRef- id).

Sources:
- SPDX ids: github.com/spdx/license-list-XML, src/*.xml.
- Names, versions, ports and URLs: the CC legal code at
  creativecommons.org/licenses/<unit>/<version>/[<jurisdiction>/]
  (github.com/creativecommons/cc-legal-tools-data); the 1.0 BY-NC-ND licence is at by-nd-nc/1.0/.
- Ports without an SPDX id get our own `LicenseRef-CC-<UNIT>-<version>-<port>` id, as SPDX
  prescribes for licences outside its list.
- Non-CC content licences are the ones CC lists as ShareAlike-compatible
  (https://creativecommons.org/compatiblelicenses): Free Art License 1.3 (two-way with BY-SA 4.0)
  and GNU GPLv3 (one-way from BY-SA 4.0).
- Software licences: the SPDX License List (https://spdx.org/licenses/), current ids and the
  deprecated ids it still lists (`GPL-3.0`, `GPL-3.0+`, `LGPL-2.1`, ...), which are accepted and
  normalised to the current ones. Their strength (permissive, weak, strong or network copyleft)
  follows the FSF's "Various Licenses and Comments about Them"
  (https://www.gnu.org/licenses/license-list.html).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache

CC_BASE = "https://creativecommons.org"

# family: (element names in 4.0, element names before 4.0, SA, NC, ND). "NoDerivs" became
# "NoDerivatives" in 4.0 (compare the titles of by-nd/3.0 and by-nd/4.0 legal code).
_CC_FAMILIES: dict[str, tuple[str, str, bool, bool, bool]] = {
    "by": ("Attribution", "Attribution", False, False, False),
    "by-sa": ("Attribution-ShareAlike", "Attribution-ShareAlike", True, False, False),
    "by-nc": ("Attribution-NonCommercial", "Attribution-NonCommercial", False, True, False),
    "by-nc-sa": (
        "Attribution-NonCommercial-ShareAlike",
        "Attribution-NonCommercial-ShareAlike",
        True,
        True,
        False,
    ),
    "by-nd": ("Attribution-NoDerivatives", "Attribution-NoDerivs", False, False, True),
    "by-nc-nd": (
        "Attribution-NonCommercial-NoDerivatives",
        "Attribution-NonCommercial-NoDerivs",
        False,
        True,
        True,
    ),
}

# The international ("unported"/"generic") versions. 2.1 exists only as ports (notes §1.2).
_GENERIC_VERSIONS = ("4.0", "3.0", "2.5", "2.0", "1.0")
_GENERIC_SUFFIX = {"4.0": "International", "3.0": "Unported"}  # others: "Generic"

# Ported licences people still meet: (family, version, port, has an SPDX id). The SPDX ones are
# exactly those listed in spdx/license-list-XML (notes §1.3); the rest get LicenseRef- ids.
_PORTS: tuple[tuple[str, str, str, bool], ...] = (
    ("by", "2.5", "AU", True),
    ("by", "3.0", "AT", True),
    ("by", "3.0", "AU", True),
    ("by", "3.0", "DE", True),
    ("by", "3.0", "IGO", True),
    ("by", "3.0", "NL", True),
    ("by", "3.0", "US", True),
    ("by-sa", "2.0", "UK", True),
    ("by-sa", "2.1", "JP", True),
    ("by-sa", "3.0", "AT", True),
    ("by-sa", "3.0", "DE", True),
    ("by-sa", "3.0", "IGO", True),
    ("by-nc", "3.0", "DE", True),
    ("by-nc", "3.0", "IGO", True),
    ("by-nc-sa", "2.0", "DE", True),
    ("by-nc-sa", "2.0", "FR", True),
    ("by-nc-sa", "2.0", "UK", True),
    ("by-nc-sa", "3.0", "DE", True),
    ("by-nc-sa", "3.0", "IGO", True),
    ("by-nd", "3.0", "DE", True),
    ("by-nc-nd", "3.0", "DE", True),
    ("by-nc-nd", "3.0", "IGO", True),
    ("by", "2.0", "UK", False),
    ("by-nc", "2.0", "UK", False),
    ("by-nd", "2.0", "UK", False),
    ("by-nc-nd", "2.0", "UK", False),
    ("by-sa", "3.0", "US", False),
    ("by-nc", "3.0", "US", False),
    ("by-nc-sa", "3.0", "US", False),
    ("by-nd", "3.0", "US", False),
    ("by-nc-nd", "3.0", "US", False),
    ("by-nd", "3.0", "IGO", False),
)

# "UK" is CC's URL code for the England and Wales port (creativecommons.org/licenses/by/2.0/uk/).
_PORT_NAMES = {
    "AT": "Austria",
    "AU": "Australia",
    "DE": "Germany",
    "FR": "France",
    "IGO": "IGO",
    "JP": "Japan",
    "NL": "Netherlands",
    "UK": "England and Wales",
    "US": "United States",
}

_PLAIN_WORDS = {
    # (share_alike, non_commercial, no_derivatives) -> teacher-readable summary of a CC licence
    (False, False, False): "You may copy, change and share this, even commercially, as long as "
    "you credit the author.",
    (True, False, False): "You may copy, change and share this, even commercially, as long as "
    "you credit the author and share your changes under the same licence.",
    (False, True, False): "You may copy, change and share this, but not for commercial purposes, "
    "as long as you credit the author.",
    (True, True, False): "You may copy, change and share this, but not for commercial purposes, "
    "as long as you credit the author and share your changes under the same licence.",
    (False, False, True): "You may copy and share this unchanged, even commercially, as long as "
    "you credit the author; you may not share changed versions.",
    (False, True, True): "You may copy and share this unchanged, but not for commercial "
    "purposes, as long as you credit the author; you may not share changed versions.",
}


PERMISSIVE, WEAK_COPYLEFT, STRONG_COPYLEFT, NETWORK_COPYLEFT = (
    "permissive",
    "weak copyleft",
    "strong copyleft",
    "network copyleft",
)

# SPDX's deprecated ids (spdx.org/licenses, "Deprecated License Identifiers") and the current id
# each one meant: a bare GNU id meant "only", the "+" suffix "or later" (SPDX 3.0 release notes).
DEPRECATED_IDS = {
    "GPL-2.0": "GPL-2.0-only",
    "GPL-2.0+": "GPL-2.0-or-later",
    "GPL-3.0": "GPL-3.0-only",
    "GPL-3.0+": "GPL-3.0-or-later",
    "LGPL-2.1": "LGPL-2.1-only",
    "LGPL-2.1+": "LGPL-2.1-or-later",
    "LGPL-3.0": "LGPL-3.0-only",
    "LGPL-3.0+": "LGPL-3.0-or-later",
    "AGPL-3.0": "AGPL-3.0-only",
    "GPL-2.0-with-classpath-exception": "GPL-2.0-only WITH Classpath-exception-2.0",
    "GPL-3.0-with-GCC-exception": "GPL-3.0-only WITH GCC-exception-3.1",
}

# What people write for "no licence stated" in SPDX documents (SPDX spec 2.3, §7.13): these are
# not licences, so they get their own message instead of a near-miss suggestion.
NO_LICENCE_VALUES = ("NOASSERTION", "NONE")


class UnknownLicence(ValueError):
    """A licence id that is not in the catalogue; the message suggests the closest known ids."""

    def __init__(self, license_id: object, message: str | None = None) -> None:
        self.license_id = license_id
        super().__init__(message or _unknown_message(license_id))


@cache
def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".") if part)


@dataclass(frozen=True)
class License:
    """One licence or public-domain tool, with the properties the rules and attribution need."""

    id: str
    name: str
    short_name: str
    version: str
    port: str | None
    legal_code_url: str
    deed_url: str
    attribution: bool
    share_alike: bool
    non_commercial: bool
    no_derivatives: bool
    public_domain: bool
    family: str  # "by", "by-sa", ..., "cc0", "pdm", "lal", "software", "sampling" (retired)
    # Software licences only: PERMISSIVE, WEAK_COPYLEFT, STRONG_COPYLEFT or NETWORK_COPYLEFT.
    copyleft: str = ""
    summary: str = ""

    @property
    def is_creative_commons(self) -> bool:
        return self.family in _CC_FAMILIES or self.family in ("cc0", "pdm")

    @property
    def is_software(self) -> bool:
        return self.family == "software"

    @property
    def permissive(self) -> bool:
        return self.copyleft == PERMISSIVE

    @property
    def weak_copyleft(self) -> bool:
        return self.copyleft == WEAK_COPYLEFT

    @property
    def strong_copyleft(self) -> bool:
        return self.copyleft == STRONG_COPYLEFT

    @property
    def network_copyleft(self) -> bool:
        return self.copyleft == NETWORK_COPYLEFT

    def __hash__(self) -> int:
        # Ids are unique in the catalogue; hashing the id alone keeps the rule caches keyed by
        # licences cheap (the generated hash would hash every field on each lookup).
        return hash(self.id)

    @property
    def version_key(self) -> tuple[int, ...]:
        return _version_key(self.version)

    @property
    def plain_words(self) -> str:
        """One or two sentences that say what the licence lets a teacher do."""
        words = self.summary or _SPECIAL_PLAIN_WORDS.get(self.family)
        if words is not None:
            return words
        words = _PLAIN_WORDS[(self.share_alike, self.non_commercial, self.no_derivatives)]
        if self.no_derivatives and self.version_key < (4, 0):
            # Pre-4.0 ND: "otherwise you have no rights to make Adaptations" (BY-ND 3.0 §3).
            words += " This older version does not even allow you to make changed versions."
        return words


_SPECIAL_PLAIN_WORDS = {
    "cc0": "The author has given up their copyright: you may copy, change and share this for any "
    "purpose, even commercially, without asking. Crediting the author is not required but is "
    "good practice.",
    "pdm": "This work is marked as free of known copyright restrictions (in the public domain): "
    "you may copy, change and share it for any purpose, even commercially.",
    "lal": "You may copy, change and share this, even commercially, as long as you credit the "
    "author and share your changes under the same licence (or CC BY-SA 4.0).",
}


def _cc_license(family: str, version: str, port: str | None, has_spdx: bool) -> License:
    elements_4, elements_old, sa, nc, nd = _CC_FAMILIES[family]
    elements = elements_4 if version == "4.0" else elements_old
    unit = "by-nd-nc" if (family, version) == ("by-nc-nd", "1.0") else family
    path = f"/licenses/{unit}/{version}/" + (f"{port.lower()}/" if port else "")
    suffix = _PORT_NAMES[port] if port else _GENERIC_SUFFIX.get(version, "Generic")
    spdx = f"CC-{family.upper()}-{version}" + (f"-{port}" if port else "")
    return License(
        id=spdx if has_spdx else f"LicenseRef-{spdx}",
        name=f"Creative Commons {elements} {version} {suffix}",
        short_name=f"CC {family.upper()} {version}" + (f" {port}" if port else ""),
        version=version,
        port=port,
        legal_code_url=f"{CC_BASE}{path}legalcode",
        deed_url=f"{CC_BASE}{path}",
        attribution=True,
        share_alike=sa,
        non_commercial=nc,
        no_derivatives=nd,
        public_domain=False,
        family=family,
    )


_FAL_URL = "https://artlibre.org/licence/lal/en/"

# id, name, short name, version, legal code, deed, attribution, share-alike, public domain, family.
# The Public Domain Mark "is not legally operative" (CC FAQ): it has a deed but no legal code.
_OTHER_LICENSES: tuple[tuple[str, str, str, str, str, str, bool, bool, bool, str], ...] = (
    (
        "CC0-1.0",
        "Creative Commons Zero v1.0 Universal",
        "CC0 1.0",
        "1.0",
        f"{CC_BASE}/publicdomain/zero/1.0/legalcode",
        f"{CC_BASE}/publicdomain/zero/1.0/",
        False,
        False,
        True,
        "cc0",
    ),
    (
        "CC-PDM-1.0",
        "Creative Commons Public Domain Mark 1.0",
        "Public Domain Mark 1.0",
        "1.0",
        f"{CC_BASE}/publicdomain/mark/1.0/",
        f"{CC_BASE}/publicdomain/mark/1.0/",
        False,
        False,
        True,
        "pdm",
    ),
    (
        "LAL-1.3",
        "Free Art License 1.3",
        "FAL 1.3",
        "1.3",
        _FAL_URL,
        _FAL_URL,
        True,
        True,
        False,
        "lal",
    ),
)


def _other_license(
    row: tuple[str, str, str, str, str, str, bool, bool, bool, str],
) -> License:
    license_id, name, short, version, legal, deed, by, sa, pd, family = row
    return License(
        id=license_id,
        name=name,
        short_name=short,
        version=version,
        port=None,
        legal_code_url=legal,
        deed_url=deed,
        attribution=by,
        share_alike=sa,
        non_commercial=False,
        no_derivatives=False,
        public_domain=pd,
        family=family,
    )


# Retired Creative Commons licences still found on media libraries (Freesound, ccMixter). CC
# retired the Sampling licences in 2011 (cc-legal-tools-app legal_tools/models.py,
# UNITS_DEPRECATED); SPDX lists none of them, so they get LicenseRef- ids. Sampling+ 1.0
# (https://creativecommons.org/licenses/sampling+/1.0/legalcode) lets anyone sample and
# transform the work for any purpose but advertising (§3(a)-(b)), and share copies of the whole
# only noncommercially (§3(c)): NonCommercial for a package that carries the file unchanged.
SAMPLING_PLUS = License(
    id="LicenseRef-CC-Sampling-Plus-1.0",
    name="Creative Commons Sampling Plus 1.0",
    short_name="CC Sampling+ 1.0",
    version="1.0",
    port=None,
    legal_code_url=f"{CC_BASE}/licenses/sampling+/1.0/legalcode",
    deed_url=f"{CC_BASE}/licenses/sampling+/1.0/",
    attribution=True,
    share_alike=False,
    non_commercial=True,
    no_derivatives=False,
    public_domain=False,
    family="sampling",
    summary="You may share copies of this unchanged, but not for commercial purposes, and use "
    "samples of it in new work for any purpose except advertising, as long as you credit the "
    "author. Creative Commons retired this licence in 2011.",
)

_SPDX = "https://spdx.org/licenses"
_KEEP = "as long as you keep the copyright notice and licence text with it"
_SOURCE = "and give recipients the source code"

# id, name, version, strength, plain words. Names are SPDX's full names.
_SOFTWARE: tuple[tuple[str, str, str, str, str], ...] = (
    (
        "MIT",
        "MIT License",
        "",
        PERMISSIVE,
        f"You may use, copy, change and share this code for any purpose, even commercially, {_KEEP}.",
    ),
    (
        "BSD-2-Clause",
        'BSD 2-Clause "Simplified" License',
        "",
        PERMISSIVE,
        f"You may use, copy, change and share this code for any purpose, even commercially, {_KEEP}.",
    ),
    (
        "BSD-3-Clause",
        'BSD 3-Clause "New" or "Revised" License',
        "",
        PERMISSIVE,
        f"You may use, copy, change and share this code for any purpose, even commercially, {_KEEP}; you may not use the authors' names to promote your work without permission.",
    ),
    (
        "ISC",
        "ISC License",
        "",
        PERMISSIVE,
        f"You may use, copy, change and share this code for any purpose, even commercially, {_KEEP}.",
    ),
    (
        "0BSD",
        "BSD Zero Clause License",
        "",
        PERMISSIVE,
        "You may use, copy, change and share this code for any purpose, even commercially, without conditions; you need not even keep the notice.",
    ),
    (
        "Unlicense",
        "The Unlicense",
        "",
        PERMISSIVE,
        "The authors have put this code in the public domain: you may use, copy, change and share it for any purpose, without conditions.",
    ),
    (
        "Apache-2.0",
        "Apache License 2.0",
        "2.0",
        PERMISSIVE,
        f"You may use, copy, change and share this code for any purpose, even commercially, {_KEEP} and its NOTICE file, and mark the files you changed; it also grants the contributors' patents.",
    ),
    (
        "MPL-2.0",
        "Mozilla Public License 2.0",
        "2.0",
        WEAK_COPYLEFT,
        f"You may use, copy, change and share this code, even commercially, and combine it with code under other licences; files you change must stay under the MPL {_SOURCE} of those files.",
    ),
    (
        "LGPL-2.1-only",
        "GNU Lesser General Public License v2.1 only",
        "2.1",
        WEAK_COPYLEFT,
        f"You may use this library in any program, even a closed one; changes to the library itself must stay under the LGPL version 2.1 (or the GPL) {_SOURCE} of the library.",
    ),
    (
        "LGPL-2.1-or-later",
        "GNU Lesser General Public License v2.1 or later",
        "2.1",
        WEAK_COPYLEFT,
        f"You may use this library in any program, even a closed one; changes to the library itself must stay under the LGPL version 2.1 or later (or the GPL) {_SOURCE} of the library.",
    ),
    (
        "LGPL-3.0-only",
        "GNU Lesser General Public License v3.0 only",
        "3.0",
        WEAK_COPYLEFT,
        f"You may use this library in any program, even a closed one; changes to the library itself must stay under the LGPL version 3 (or the GPL version 3) {_SOURCE} of the library.",
    ),
    (
        "LGPL-3.0-or-later",
        "GNU Lesser General Public License v3.0 or later",
        "3.0",
        WEAK_COPYLEFT,
        f"You may use this library in any program, even a closed one; changes to the library itself must stay under the LGPL version 3 or later (or the GPL) {_SOURCE} of the library.",
    ),
    (
        "GPL-2.0-only",
        "GNU General Public License v2.0 only",
        "2.0",
        STRONG_COPYLEFT,
        f"You may copy, change and share this, even commercially, as long as you keep the notices, share the whole work you build with it under the GPL version 2 {_SOURCE}.",
    ),
    (
        "GPL-2.0-or-later",
        "GNU General Public License v2.0 or later",
        "2.0",
        STRONG_COPYLEFT,
        f"You may copy, change and share this, even commercially, as long as you keep the notices, share the whole work you build with it under the GPL (version 2 or later) {_SOURCE}.",
    ),
    (
        "GPL-3.0-only",
        "GNU General Public License v3.0 only",
        "3.0",
        STRONG_COPYLEFT,
        f"You may copy, change and share this, even commercially, as long as you keep the notices, share your changes under the same licence (GPL version 3) {_SOURCE}.",
    ),
    (
        "GPL-3.0-or-later",
        "GNU General Public License v3.0 or later",
        "3.0",
        STRONG_COPYLEFT,
        f"You may copy, change and share this, even commercially, as long as you keep the notices, share your changes under the GPL (version 3 or later) {_SOURCE}.",
    ),
    (
        "AGPL-3.0-only",
        "GNU Affero General Public License v3.0 only",
        "3.0",
        NETWORK_COPYLEFT,
        f"Like the GPL version 3: share your changes under the same licence {_SOURCE}; and if people use your changed version over a network (for example as a web app), offer them its source code too.",
    ),
    (
        "AGPL-3.0-or-later",
        "GNU Affero General Public License v3.0 or later",
        "3.0",
        NETWORK_COPYLEFT,
        f"Like the GPL version 3 or later: share your changes under the AGPL (version 3 or later) {_SOURCE}; and if people use your changed version over a network (for example as a web app), offer them its source code too.",
    ),
)

# The GNU licences' short names as people write them ("GNU GPL v3.0 only").
_SHORT_NAMES = {"Apache-2.0": "Apache 2.0", "MPL-2.0": "MPL 2.0", "Unlicense": "The Unlicense"}


def _short_name(license_id: str, name: str) -> str:
    if license_id in _SHORT_NAMES:
        return _SHORT_NAMES[license_id]
    if "GNU" in name:
        return (
            name.replace("General Public License", "GPL")
            .replace("Lesser GPL", "LGPL")
            .replace("Affero GPL", "AGPL")
            .replace(" v", " v")
        )
    return license_id


def _software_license(row: tuple[str, str, str, str, str]) -> License:
    license_id, name, version, strength, words = row
    url = f"{_SPDX}/{license_id}.html"
    notice = license_id not in ("0BSD", "Unlicense")
    return License(
        id=license_id,
        name=name,
        short_name=_short_name(license_id, name),
        version=version,
        port=None,
        legal_code_url=url,
        deed_url=url,
        attribution=notice,
        share_alike=strength != PERMISSIVE,
        non_commercial=False,
        no_derivatives=False,
        public_domain=license_id == "Unlicense",
        family="software",
        copyleft=strength,
        summary=words,
    )


@cache
def _catalogue() -> dict[str, License]:
    """Build the catalogue once, in its stable order: CC 4.0 first, then older, ports, others."""
    generic = [
        _cc_license(family, version, None, True)
        for version in _GENERIC_VERSIONS
        for family in _CC_FAMILIES
    ]
    ports = [_cc_license(*row) for row in _PORTS]
    others = [_other_license(row) for row in _OTHER_LICENSES]
    software = [_software_license(row) for row in _SOFTWARE]
    ordered = [others[0], *generic, *ports, others[1], *others[2:], *software, SAMPLING_PLUS]
    return {lic.id: lic for lic in ordered}


@cache
def _by_url() -> dict[str, License]:
    table: dict[str, License] = {}
    for lic in _catalogue().values():
        for url in (lic.deed_url, lic.legal_code_url):
            table.setdefault(_normalise_url(url), lic)
    return table


def _normalise_url(url: str) -> str:
    bare = url.strip().lower().removeprefix("https://").removeprefix("http://")
    return bare.removesuffix("/").removesuffix("/legalcode").removesuffix(".html")


def get_license(license_id: str) -> License:
    """Return the catalogue entry for `license_id`; raise UnknownLicence if there is none.

    SPDX's deprecated ids are accepted and give the current licence (`GPL-3.0` -> GPL-3.0-only).
    """
    try:
        return _catalogue()[DEPRECATED_IDS.get(license_id, license_id)]
    except (KeyError, TypeError):
        raise UnknownLicence(license_id) from None


def is_known(license_id: str) -> bool:
    try:
        return DEPRECATED_IDS.get(license_id, license_id) in _catalogue()
    except TypeError:  # unhashable input is simply not a licence id
        return False


def current_id(license_id: str) -> str:
    """The current SPDX id for `license_id` (itself, or what a deprecated id meant)."""
    return get_license(license_id).id


def all_licenses() -> list[License]:
    """Every licence in the catalogue, in a stable order (CC0, 4.0, older versions, ports, ...)."""
    return list(_catalogue().values())


def license_for_url(url: str) -> License:
    """Return the licence whose CC deed or legal-code URL is `url` (http or https, any case).

    Useful when importing works that name their licence by URL rather than SPDX id.
    """
    try:
        return _by_url()[_normalise_url(url)]
    except (KeyError, AttributeError):
        raise UnknownLicence(url) from None


def _unknown_message(license_id: object) -> str:
    if not isinstance(license_id, str):
        return (
            f"A licence is written as its short SPDX id, such as 'CC-BY-4.0' or 'MIT'; "
            f"{license_id!r} is not one."
        )
    if license_id.strip().upper() in NO_LICENCE_VALUES:
        return (
            f"'{license_id.strip()}' says that no licence was stated, so nobody may reuse the "
            "work yet. Name the licence the authors chose (for example 'CC-BY-4.0' or 'MIT'); "
            "if you do not know it, ask the authors before depositing."
        )
    return (
        f"{license_id!r} is not a licence Remixbank knows.{suggestion(license_id)} Write the "
        "licence's SPDX id, the short name listed at https://spdx.org/licenses/ (for example "
        "'CC-BY-SA-4.0', 'CC0-1.0', 'MIT' or 'Apache-2.0'); the licences page lists every "
        "licence you can choose."
    )


def suggestion(license_id: str) -> str:
    """' Did you mean ...?' naming the closest known ids, or '' when none is close."""
    ids = [*_catalogue(), *DEPRECATED_IDS]
    bare = license_id.strip()
    exact = [known for known in ids if known.lower() == bare.lower()]
    close = exact or difflib.get_close_matches(bare, ids, n=3, cutoff=0.6)
    lowered = {known.lower(): known for known in ids}
    close = close or [
        lowered[m] for m in difflib.get_close_matches(bare.lower(), list(lowered), n=3, cutoff=0.6)
    ]
    current = list(dict.fromkeys(DEPRECATED_IDS.get(c, c) for c in close))
    return f" Did you mean {' or '.join(repr(c) for c in current)}?" if current else ""
