"""Collections: unmodified works side by side, each keeping its own licence (not adaptations).

CC FAQ, "If I create a collection that includes material under a Creative Commons license, which
license can I use for my collection?" (https://creativecommons.org/faq/): all CC licences allow
inclusion in collections; "You may choose a license for the collection, however this does not
change the license applicable to the original material." The FAQ's collection chart (notes §5):

| item in collection | commercial collection (BY, BY-SA, BY-ND) | NC collection (BY-NC, ...) |
| PD, BY, BY-SA, BY-ND | yes | yes |
| BY-NC, BY-NC-SA, BY-NC-ND | no | yes |

BOOK (Creative Commons for Educators and Librarians, p. 81): without an adaptation "you are not
required to apply a ShareAlike-license to your overall work" and "the ND restriction does not
prevent you from using an ND-licensed work". The chart has no CC0 column: we treat CC0 (and any
non-NC licence) on a collection as commercial, so NC parts rule it out (notes §5, unverified).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from licensing.catalogue import License, get_license

_KEEPS_LICENCES = (
    "Each work in this collection keeps its own licence, shown below; the collection's own "
    "licence, if any, covers only the selection and arrangement and any new material (CC FAQ)."
)
_NC_NOTICE = (
    "This collection contains NonCommercial works, so it may only be shared for non-commercial "
    "purposes and only under a NonCommercial licence for the collection (CC FAQ, collection chart)."
)
_ND_NOTICE = "NoDerivatives works are included unchanged; do not modify them inside the collection."


@dataclass(frozen=True)
class Collection:
    """Whether works may be collected side by side, and the notices the collection must carry."""

    allowed: bool
    non_commercial: bool
    notices: list[str]
    reason: str | None = None
    parts: tuple[License, ...] = field(default=())


def _part_notice(lic: License, title: str | None) -> str:
    what = f"{title!r}" if title else "One work"
    verb = "is marked" if lic.public_domain else "is licensed under"
    return f"{what} {verb} {lic.short_name} ({lic.deed_url}): {lic.plain_words}"


def _collection_licence_problem(chosen: License, non_commercial: bool) -> str | None:
    if chosen.family == "pdm":
        return (
            "The Public Domain Mark only labels works already in the public domain; it cannot "
            "license a new collection (CC FAQ). Choose CC0 1.0 to give your arrangement to the "
            "public domain, or a CC licence such as CC BY 4.0."
        )
    if non_commercial and not chosen.non_commercial:
        return (
            f"{chosen.short_name} allows commercial use, but the collection contains "
            "NonCommercial works: collections with NonCommercial works must carry a "
            "NonCommercial licence such as CC BY-NC 4.0 (CC FAQ, collection chart)."
        )
    return None


def collection_notices(
    parts: Iterable[str],
    *,
    collection_license: str | None = None,
    titles: Sequence[str] | None = None,
) -> Collection:
    """Decide whether works under `parts` (licence ids) can form a collection, and its notices.

    `collection_license` is the licence chosen for the collection itself (optional); `titles`
    (one per part, same order) names the works in the notices. Raises UnknownLicence for an id
    not in the catalogue and ValueError when `titles` does not match `parts`.
    """
    if isinstance(parts, str):
        raise TypeError(f"parts must be a collection of licence ids, not the string {parts!r}")
    ids = list(parts)
    if titles is not None and len(titles) != len(ids):
        raise ValueError("titles must give one title per part, in the same order")
    licenses = tuple(get_license(i) for i in ids)
    non_commercial = any(lic.non_commercial for lic in licenses)
    if not licenses:
        return Collection(False, False, [], "A collection needs at least one work.")
    named: list[str | None] = list(titles) if titles is not None else [None] * len(ids)
    notices = [_KEEPS_LICENCES]
    notices += list(
        dict.fromkeys(_part_notice(lic, t) for lic, t in zip(licenses, named, strict=True))
    )
    if non_commercial:
        notices.append(_NC_NOTICE)
    if any(lic.no_derivatives for lic in licenses):
        notices.append(_ND_NOTICE)
    reason = None
    if collection_license is not None:
        reason = _collection_licence_problem(get_license(collection_license), non_commercial)
    return Collection(reason is None, non_commercial, notices, reason, licenses)
