"""The licence catalogue: every licence Remixbank knows, keyed by SPDX id (or LicenseRef- id).

Sources:
- SPDX ids: github.com/spdx/license-list-XML, src/*.xml.
- Names, versions, ports and URLs: the CC legal code at
  creativecommons.org/licenses/<unit>/<version>/[<jurisdiction>/]
  (github.com/creativecommons/cc-legal-tools-data); the 1.0 BY-NC-ND licence is at by-nd-nc/1.0/.
- Ports without an SPDX id get our own `LicenseRef-CC-<UNIT>-<version>-<port>` id, as SPDX
  prescribes for licences outside its list.
- Non-CC licences are the ones CC lists as ShareAlike-compatible
  (https://creativecommons.org/compatiblelicenses): Free Art License 1.3 (two-way with BY-SA 4.0)
  and GNU GPLv3 (one-way from BY-SA 4.0).
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


class UnknownLicence(ValueError):
    """A licence id that is not in the catalogue; the message suggests the closest known ids."""

    def __init__(self, license_id: object) -> None:
        self.license_id = license_id
        super().__init__(_unknown_message(license_id))


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
    family: str  # "by", "by-sa", ..., "cc0", "pdm", "lal", "gpl-only", "gpl-or-later"

    @property
    def is_creative_commons(self) -> bool:
        return self.family not in ("lal", "gpl-only", "gpl-or-later")

    @property
    def version_key(self) -> tuple[int, ...]:
        return tuple(int(part) for part in self.version.split("."))

    @property
    def plain_words(self) -> str:
        """One or two sentences that say what the licence lets a teacher do."""
        words = _SPECIAL_PLAIN_WORDS.get(self.family)
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
    "gpl-only": "You may copy, change and share this, even commercially, as long as you keep the "
    "notices, share your changes under the same licence (GPL version 3) and provide the source "
    "code.",
    "gpl-or-later": "You may copy, change and share this, even commercially, as long as you keep "
    "the notices, share your changes under the GPL (version 3 or later) and provide the source "
    "code.",
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


_GPL_URL = "https://www.gnu.org/licenses/gpl-3.0.html"
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
    (
        "GPL-3.0-only",
        "GNU General Public License v3.0 only",
        "GNU GPL v3.0 only",
        "3.0",
        _GPL_URL,
        _GPL_URL,
        True,
        True,
        False,
        "gpl-only",
    ),
    (
        "GPL-3.0-or-later",
        "GNU General Public License v3.0 or later",
        "GNU GPL v3.0 or later",
        "3.0",
        _GPL_URL,
        _GPL_URL,
        True,
        True,
        False,
        "gpl-or-later",
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
    ordered = [others[0], *generic, *ports, others[1], *others[2:]]
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
    """Return the catalogue entry for `license_id`; raise UnknownLicence if there is none."""
    try:
        return _catalogue()[license_id]
    except (KeyError, TypeError):
        raise UnknownLicence(license_id) from None


def is_known(license_id: str) -> bool:
    try:
        return license_id in _catalogue()
    except TypeError:  # unhashable input is simply not a licence id
        return False


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
            f"Licence ids are strings such as 'CC-BY-4.0'; got {license_id!r}. "
            "See licensing.all_licenses() for the catalogue."
        )
    ids = list(_catalogue())
    exact = [known for known in ids if known.lower() == license_id.strip().lower()]
    close = exact or difflib.get_close_matches(license_id, ids, n=3, cutoff=0.6)
    hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
    return (
        f"Unknown licence id {license_id!r}.{hint} Use an SPDX id from the licence catalogue "
        "(licensing.all_licenses(), e.g. 'CC-BY-SA-4.0', 'CC0-1.0'); ported CC licences without "
        "an SPDX id use 'LicenseRef-CC-...' ids such as 'LicenseRef-CC-BY-SA-3.0-US'."
    )
