"""Which licences an adaptation (fork with changes, or remix) may carry, and why, per CC's charts.

The rule, for a candidate licence L and the sources S1..Sn of a new work (notes §4.2, derived from
the CC FAQ, https://creativecommons.org/faq/):
  1. no source is NoDerivatives;
  2. every pair of sources may be remixed (the remix chart, `_REMIX_CHART`);
  3. every source permits L as the adapter's licence (the adapter's chart, `_ADAPTER_CHART`, plus
     ShareAlike version rules and CC's compatible-licence declarations).
L is recommended when every cell is green and L is a current (4.0 or non-CC) licence.
Condition 2 is not implied by 3: BY-SA + BY-NC would leave BY-SA (a yellow cell for BY-NC), but
the remix chart says they cannot be remixed.

Software sources follow `licensing.software` (FSF, ASF and the licences' own texts) instead of
CC's charts; for pairs involving software, condition 2 is that some licence satisfies both.
A source may be an SPDX expression (`licensing.expressions`): OR lets the reuser choose, so the
answer is the union over the choices; AND applies both, like two sources.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from licensing import expressions, software
from licensing.catalogue import License, UnknownLicence, all_licenses, get_license

FAQ_URL = "https://creativecommons.org/faq/"
GREEN, YELLOW, RED = "G", "Y", "X"

# CC FAQ, "If I derive or adapt material offered under a Creative Commons license, which CC
# license(s) can I use?" (https://creativecommons.org/faq/): the adapter's licence chart. Row = the
# original's licence, column = the licence on the adapter's contributions. G (green) "you may
# license your contributions ... under one of the licenses indicated on the top row if the
# corresponding box is green"; Y (yellow) "CC does not recommend using a license if the
# corresponding box is yellow, although doing so is technically permitted"; X (dark gray) "licenses
# that you may not use as your adapter's license". PD = CC0, the Public Domain Mark and other
# public-domain material. Transcribed cell by cell from the FAQ's HTML table (notes §3).
_ADAPTER_COLUMNS = ("BY", "BY-NC", "BY-NC-ND", "BY-NC-SA", "BY-ND", "BY-SA", "PD")
_ADAPTER_CHART = {
    "PD": "G G G G G G G",
    "BY": "G G G G G G Y",
    "BY-NC": "Y G G G Y Y Y",
    "BY-NC-ND": "X X X X X X X",
    "BY-NC-SA": "X X X G X X X",
    "BY-ND": "X X X X X X X",
    "BY-SA": "X X X X X G X",
}

# CC FAQ, "Can I combine material under different Creative Commons licenses in my work?"
# (https://creativecommons.org/faq/), the "CC License Compatibility Chart" image: "If there is a
# check mark in the box where that row and column intersect, then the works can be remixed. If
# there is an 'X' ... the works may not be remixed". Y = check mark. The same 8x8 matrix is
# encoded in projekt-opal/licenses CcMatrix.java (notes §4.1).
_REMIX_COLUMNS = ("PDM", "CC0", "BY", "BY-SA", "BY-NC", "BY-ND", "BY-NC-SA", "BY-NC-ND")
_REMIX_CHART = {
    "PDM": "Y Y Y Y Y X Y X",
    "CC0": "Y Y Y Y Y X Y X",
    "BY": "Y Y Y Y Y X Y X",
    "BY-SA": "Y Y Y Y X X X X",
    "BY-NC": "Y Y Y X Y X Y X",
    "BY-ND": "X X X X X X X X",
    "BY-NC-SA": "Y Y Y X Y X Y X",
    "BY-NC-ND": "X X X X X X X X",
}

# Non-CC ShareAlike-compatible licences (https://creativecommons.org/compatiblelicenses):
# - Free Art License 1.3, two-way with BY-SA 4.0 (CC wiki "ShareAlike compatibility: FAL",
#   determination 21 October 2014): "When someone adapts an FAL work and applies BY-SA 4.0, the
#   terms and conditions of the BY-SA 4.0 license apply to the entire work".
# - GNU GPLv3, one-way from BY-SA 4.0 (CC blog "CC BY-SA 4.0 now one-way compatible with GPLv3",
#   2015-10-08: "you now have permission to adapt another licensor's work under CC BY-SA 4.0 and
#   release your contributions to the adaptation under GPLv3"; CC wiki "ShareAlike compatibility:
#   GPLv3": "People may *not* adapt a GPLv3-licensed work and use BY-SA").
# Only "GPLv3" is declared, so GPL-3.0-or-later is not offered for BY-SA material: it would let
# recipients use GPL versions CC has not approved. Declarations for BY-SA 3.0 were not seen
# (notes §14.1), so they are not applied.
_SA_COMPATIBLE = {  # adapted licence id -> {adapter's licence id: cell}
    "CC-BY-SA-4.0": {"LAL-1.3": GREEN, "GPL-3.0-only": GREEN},
    "LAL-1.3": {"LAL-1.3": GREEN, "CC-BY-SA-4.0": GREEN},
}
# GPL sources (nothing declared towards CC) follow licensing.software.COPYLEFT_TARGETS.

# Item 4 of a refusal: what the person can do about it, in plain words.
WHAT_YOU_CAN_DO = (
    "What you can do: choose sources whose licences fit together; ask the authors of a work "
    "named above for permission under another licence; leave that work out or replace it with "
    "one under a compatible licence; or make a collection instead, where each work keeps its "
    "own licence unchanged."
)

_COMPATIBLE_NOTE = (
    "Both licences then apply to the material you adapted; recipients may follow the last "
    "licence applied (CC wiki, ShareAlike compatibility)."
)


@dataclass(frozen=True)
class Verdict:
    """One source's say on one candidate licence: a chart cell and a sentence why."""

    cell: str
    reason: str = ""


@dataclass(frozen=True)
class LicenseOption:
    """A licence an adaptation may carry; `recommended` is False for cells CC does not recommend."""

    license: License
    recommended: bool
    note: str
    concerns: int = 0  # how many sources allow this licence only with a caution (yellow cells)


class LicenceConflict(ValueError):
    """No licence (or not the requested one) may carry an adaptation of these sources."""

    def __init__(self, sources: Sequence[str], message: str) -> None:
        self.sources = tuple(sources)
        super().__init__(message)


def _row(table: dict[str, str], columns: tuple[str, ...], row: str, column: str) -> str:
    return table[row].split()[columns.index(column)]


def _chart_key(lic: License) -> str:
    return {"cc0": "PD", "pdm": "PD"}.get(lic.family, lic.family.upper())


def _remix_key(lic: License) -> str:
    # FAL and GPL are ShareAlike licences that allow commercial use, so they pair like BY-SA: CC's
    # reason for BY-SA x BY-NC being X is that the SA licence "requires that the newly created
    # work is released under that license and can therefore be used commercially"
    # (cc-archive/cc-cert-core contents/licenses/remixed.md, notes §4.2).
    if not lic.is_creative_commons:
        return "BY-SA"
    return {"cc0": "CC0", "pdm": "PDM"}.get(lic.family, lic.family.upper())


def _older_nd(lic: License) -> str:
    if lic.version_key < (4, 0):
        return ", and this pre-4.0 version does not even allow making them"
    return ""


def _requirement(lic: License) -> str:
    """What `lic` demands of an adaptation's licence, in words for an explanation."""
    if lic.is_software:
        return software.requirement(lic)
    compatible = [get_license(i).short_name for i in _SA_COMPATIBLE.get(lic.id, {}) if i != lic.id]
    if not lic.is_creative_commons:
        return " or ".join([lic.short_name, *compatible])
    if lic.share_alike and lic.version == "1.0":
        return f"{lic.short_name} itself (1.0 ShareAlike licences allow no other licence)"
    if lic.share_alike:
        extra = f", or {' or '.join(compatible)}" if compatible else ""
        return f"CC {lic.family.upper()} {lic.version} or a later version{extra}"
    if lic.non_commercial:
        return "a Creative Commons licence"
    return "any licence"


def _shareable_note(source: License) -> str:
    return f"{source.short_name} is ShareAlike: adaptations must carry {_requirement(source)}"


@cache
def _verdict(source: License, candidate: License) -> Verdict:
    """Decide whether `source` lets an adaptation carry `candidate` (one cell of the rule)."""
    if candidate.family == "pdm":
        # CC FAQ: the Public Domain Mark "is not legally operative"; it labels works already free
        # of copyright and cannot dedicate new contributions (CC0 does that).
        return Verdict(
            RED,
            "The Public Domain Mark only labels works already in the public "
            "domain; choose CC0 1.0 to dedicate new contributions (CC FAQ).",
        )
    if "sampling" in (source.family, candidate.family):
        return _retired_verdict(source, candidate)
    if source.no_derivatives:
        # CC FAQ: ND licences "do not permit distribution of adaptations ... and [prohibit] the
        # creation of adaptations under the pre-4.0 versions ... there is no compatibility".
        return Verdict(
            RED,
            f"{source.short_name} is a NoDerivatives licence: adaptations of it "
            f"may not be shared{_older_nd(source)} (CC FAQ).",
        )
    if source.is_software:
        cell, reason = software.verdict(source, candidate)
        return Verdict(cell, reason)
    if not source.is_creative_commons:
        return _non_cc_source(source, candidate)
    if not candidate.is_creative_commons:
        return _non_cc_candidate(source, candidate)
    cell = _row(_ADAPTER_CHART, _ADAPTER_COLUMNS, _chart_key(source), _chart_key(candidate))
    if cell == RED:
        return Verdict(
            RED,
            f"{_shareable_note(source)} (CC FAQ, adapter's licence chart; the licence's "
            "ShareAlike clause).",
        )
    if source.share_alike:
        return _share_alike_version(source, candidate)
    if cell == YELLOW:
        return Verdict(YELLOW, _yellow_reason(source, candidate))
    return Verdict(GREEN)


def _retired_verdict(source: License, candidate: License) -> Verdict:
    """Retired Sampling licences: never chosen for new work; adapting them needs a person's review.

    CC retired them in 2011 and recommends current licences; Sampling+ 1.0 allows only
    transformed samples (not other adaptations) and no advertising use (§3), which no chart here
    can decide (notes §1.2: treat retired licences as manual review).
    """
    if candidate.family == "sampling":
        return Verdict(
            RED,
            f"{candidate.short_name} is a retired Creative Commons licence; choose a current one "
            "for new work (CC retired the Sampling licences in 2011).",
        )
    return Verdict(
        RED,
        f"{source.short_name} is a retired Creative Commons licence that allows transformed "
        "samples, not other adaptations, and no advertising use (Sampling+ 1.0 §3): keep the "
        "file unchanged, or ask its author for a current licence.",
    )


def _share_alike_version(source: License, candidate: License) -> Verdict:
    """ShareAlike clauses by version (notes §7): 1.0 is locked; later ones allow upgrades only.

    BY-SA 1.0 §4(b): "only under the terms of this License". 2.0/2.5 §4(b): "this License, a later
    version of this License with the same License Elements ..., or a Creative Commons iCommons
    license that contains the same License Elements". 3.0 §4(b) adds "a Creative Commons
    jurisdiction license (either this or a later license version)". 4.0 §3(b)(1): "the same
    License Elements, this version or later". CC FAQ: "All licenses after version 1.0 also allow
    you to license your contributions under a later version of the same license".
    """
    if source.version == "1.0" and candidate != source:
        return Verdict(
            RED, f"{_shareable_note(source)} (§4(b): 'only under the terms of this License')."
        )
    if candidate.version_key < source.version_key:
        return Verdict(
            RED,
            f"{_shareable_note(source)}: ShareAlike allows upgrading to a later "
            "version, never going back to an earlier one (CC FAQ).",
        )
    return Verdict(GREEN)


def _non_cc_source(source: License, candidate: License) -> Verdict:
    """FAL or GPL material: adaptations stay under it, or go where CC's declarations allow."""
    if candidate.id in _SA_COMPATIBLE[source.id]:
        return Verdict(_SA_COMPATIBLE[source.id][candidate.id])
    return Verdict(
        RED,
        f"{_shareable_note(source)} (CC wiki, ShareAlike compatibility; the GPLv3 "
        "compatibility is one-way, from BY-SA 4.0 to GPLv3).",
    )


def _non_cc_candidate(source: License, candidate: License) -> Verdict:
    """A CC source under FAL or GPL: only as CC declared, or where the source asks nothing of it."""
    declared = _SA_COMPATIBLE.get(source.id, {}).get(candidate.id)
    if declared is not None:
        return Verdict(declared, _COMPATIBLE_NOTE)
    if source.public_domain:
        return Verdict(GREEN)  # the PD row of the adapter's chart is green throughout
    if source.share_alike:
        return Verdict(
            RED,
            f"{_shareable_note(source)}; CC has not declared {candidate.short_name} "
            "compatible with it (creativecommons.org/compatiblelicenses).",
        )
    if source.non_commercial:
        return Verdict(
            RED,
            f"{source.short_name} is NonCommercial and {candidate.short_name} "
            "allows commercial use; CC's charts list no non-CC licence for "
            "NonCommercial material.",
        )
    # BY: CC's chart covers only CC licences; BY 4.0 §3(a)(4) asks only that "the Adapter's
    # License You apply must not prevent recipients ... from complying with this Public License".
    return Verdict(
        YELLOW,
        f"CC's adapter's chart does not list {candidate.short_name}; "
        f"{source.short_name} only requires that the adapter's licence not stop "
        "recipients from crediting the author (BY 4.0 §3(a)(4)), so keep its credit.",
    )


def _yellow_reason(source: License, candidate: License) -> str:
    if source.non_commercial:
        return (
            f"CC permits but does not recommend {candidate.short_name} here: the "
            f"{source.short_name} material inside stays NonCommercial, so the adaptation as a "
            "whole still may not be used commercially; mark which parts carry which terms "
            "(CC FAQ, adapter's licence chart)."
        )
    return (
        f"CC permits but does not recommend {candidate.short_name} here: your own contributions "
        f"are dedicated, but the {source.short_name} material inside still needs credit; mark "
        "which parts carry which terms (CC FAQ, adapter's licence chart)."
    )


def _candidate_note(candidate: License) -> str:
    """Reasons not to pick a licence whatever the sources: CC recommends 4.0 for new work."""
    if not candidate.is_creative_commons or candidate.public_domain:
        return ""
    if candidate.port:
        return (
            f"{candidate.short_name} is an older, ported licence; CC recommends 4.0 over all "
            "prior versions, and ports 'sometimes contain small differences' (CC FAQ)."
        )
    if candidate.version_key < (4, 0):
        return (
            f"{candidate.short_name} is an older version; CC recommends 4.0 over all prior "
            "versions (CC FAQ)."
        )
    return ""


@cache
def _pair_conflict(a: License, b: License) -> str:
    """Why sources `a` and `b` cannot be remixed (remix chart or no common licence), or ''."""
    for nd in (a, b):
        if nd.no_derivatives or nd.family == "sampling":
            return _verdict(nd, nd).reason
    if a.is_software or b.is_software:
        # CC's remix chart covers CC licences only; for code the question is whether any licence
        # satisfies both (FSF licence list: "compatible" means the two can be combined).
        if _allowed_for(a.id) & _allowed_for(b.id):
            return ""
        return _both_sa_reason(a, b, "FSF licence list")
    chart = _row(_REMIX_CHART, _REMIX_COLUMNS, _remix_key(a), _remix_key(b))
    if chart == RED and a.share_alike and b.share_alike:
        return _both_sa_reason(a, b, "CC FAQ, remix chart")
    if chart == RED:
        sa, nc = (a, b) if a.share_alike else (b, a)
        return (
            f"{sa.short_name} requires adaptations to carry {_requirement(sa)}, licences that "
            f"allow commercial use, while {nc.short_name} forbids commercial use: no licence "
            "satisfies both, so these two cannot be remixed (CC FAQ, remix chart)."
        )
    if not _allowed_for(a.id) & _allowed_for(b.id):
        return _both_sa_reason(a, b, "CC FAQ, ShareAlike versions and compatible licences")
    return ""


def _both_sa_reason(a: License, b: License, rule: str) -> str:
    return (
        f"{a.short_name} requires adaptations to carry {_requirement(a)}; {b.short_name} "
        f"requires {_requirement(b)}: no licence satisfies both, so these two cannot be remixed "
        f"({rule})."
    )


@cache
def _allowed_for(source_id: str) -> frozenset[str]:
    source = get_license(source_id)
    return frozenset(c.id for c in all_licenses() if _verdict(source, c).cell != RED)


def _ordered_choices(source: str) -> list[tuple[str, ...]]:
    """A source's choices, each a tuple of licence ids in the order the source names them."""
    options = expressions.choices(source)
    if len(options) == 1 and not expressions.is_expression(source):
        return [tuple(next(iter(options)))]
    return sorted(
        (tuple(sorted(choice, key=lambda i: (source.find(i), i))) for choice in options),
        key=lambda choice: (source.find(choice[0]), choice),
    )


@lru_cache(maxsize=8192)
def _combos(sources: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """Every distinct set of licences the reuser may end up following, one per way to choose.

    Choices that already allow nothing are dropped while another works (adding sources never
    widens an answer), so the number of combinations stays small.
    """
    if not any(expressions.needs_parsing(source) for source in sources):
        return (tuple(dict.fromkeys(get_license(source).id for source in sources)),)
    combos: dict[frozenset[str], tuple[str, ...]] = {frozenset(): ()}
    for source in dict.fromkeys(sources):
        grown: dict[frozenset[str], tuple[str, ...]] = {}
        for have in combos.values():
            for option in _ordered_choices(source):
                combo = have + tuple(i for i in option if i not in have)
                grown.setdefault(frozenset(combo), combo)
        if len(grown) == 1:  # no choice to make (plain ids): nothing to prune
            combos = grown
            continue
        alive = {key: combo for key, combo in grown.items() if _allowed_set(key)}
        combos = alive or dict(list(grown.items())[:8])
    return tuple(combos.values())


def _resolve(sources: Iterable[str]) -> list[list[License]]:
    """Each combination of source licences (one for plain ids); unknown ids raise."""
    return [[get_license(i) for i in combo] for combo in _combos(tuple(_as_list(sources)))]


@lru_cache(maxsize=8192)
def _allowed_set(key: frozenset[str]) -> frozenset[str]:
    return _allowed_ids_of(key)


def _conflicts(licenses: list[License]) -> list[tuple[list[License], str]]:
    """The pairs of sources that cannot be remixed, each with the reason."""
    return [
        ([a, b], reason)
        for a, b in itertools.combinations(licenses, 2)
        if (reason := _pair_conflict(a, b))
    ]


@cache
def _applicable() -> frozenset[str]:
    """Every licence that can be applied to new contributions (not the Public Domain Mark, nor
    a retired licence)."""
    return frozenset(c.id for c in all_licenses() if c.family not in ("pdm", "sampling"))


@cache
def _conflicting(source_id: str) -> frozenset[str]:
    """Every other licence whose material cannot be remixed with `source_id`'s (condition 2).

    One set per licence, so a list of n sources is checked with n set intersections instead
    of n(n-1)/2 pair lookups (tests/bench/bench_licensing.py measures it at 20 sources).
    """
    source = get_license(source_id)
    return frozenset(
        other.id
        for other in all_licenses()
        if other.id != source_id and _pair_conflict(source, other)
    )


# The rule tables as bit masks over the catalogue (bit n = the n-th licence): a remix of 20
# sources is then 20 integer ANDs instead of 20 intersections of 80-element sets (issue #13's
# goal of 10,000 calls/s at 20 sources, tests/bench/bench_licensing.py).


@cache
def _bit() -> dict[str, int]:
    return {lic.id: 1 << n for n, lic in enumerate(all_licenses())}


@cache
def _mask(ids: frozenset[str]) -> int:
    bit = _bit()
    mask = 0
    for i in ids:
        mask |= bit[i]
    return mask


@cache
def _allowed_mask(source_id: str) -> int:
    return _mask(_allowed_for(source_id) & _applicable())


@cache
def _conflict_mask(source_id: str) -> int:
    return _mask(_conflicting(source_id))


@lru_cache(maxsize=4096)
def _ids_of(mask: int) -> frozenset[str]:
    return frozenset(i for i, bit in _bit().items() if mask & bit)


def _allowed_ids_of(ids: Iterable[str]) -> frozenset[str]:
    """The licences a work adapted from sources under plain licence ids `ids` may carry."""
    allowed = _mask(_applicable())
    present = 0
    for i in ids:
        allowed &= _allowed_mask(i)
        if not allowed:
            return frozenset()
        present |= _bit()[i]
    if any(_conflict_mask(i) & present for i in ids):
        return frozenset()
    return _ids_of(allowed)


def _allowed(licenses: list[License]) -> set[str]:
    return set(_allowed_ids_of(dict.fromkeys(lic.id for lic in licenses)))


def allowed_adaptation_licenses(sources: Iterable[str]) -> set[str]:
    """Return the ids of the licences a work adapted from ALL of `sources` may carry.

    Empty when no adaptation may be shared. With no sources nothing constrains the new work, so
    every licence that can be applied to new contributions is returned. A source may be an SPDX
    expression ('MIT OR Apache-2.0'). Raises UnknownLicence for an id not in the catalogue and
    BadLicenceExpression (an UnknownLicence) for an expression that does not parse.
    """
    return set(_allowed_ids(tuple(_as_list(sources))))


@lru_cache(maxsize=8192)
def _allowed_ids(sources: tuple[str, ...]) -> frozenset[str]:
    plain = [_plain_id(source) for source in sources]
    if None not in plain:  # plain ids: no choices to combine
        return _allowed_ids_of(dict.fromkeys(plain))  # type: ignore[arg-type]
    return frozenset().union(*(_allowed_set(frozenset(c)) for c in _combos(sources)))


@lru_cache(maxsize=8192)
def _plain_id(source: str) -> str | None:
    """The current id of a plain licence id, or None for an expression (raises if unknown)."""
    return None if expressions.needs_parsing(source) else get_license(source).id


def adaptation_options(sources: Iterable[str]) -> list[LicenseOption]:
    """Return the allowed licences best-first, flagging those CC does not recommend and why.

    Best-first: recommended before not; then the fewest licence elements (so the adaptation keeps
    the sources' own terms rather than adding restrictions, per CC FAQ "it is generally
    recommended that your adapter's license include at least the same license elements"); then
    CC before compatible licences, newer before older, international before ported.
    """
    return list(_options_for(_combos(tuple(_as_list(sources)))))


@lru_cache(maxsize=4096)
def _options_for(combos: tuple[tuple[str, ...], ...]) -> tuple[LicenseOption, ...]:
    """The options for these combinations of source licences (options are immutable)."""
    return tuple(_options([[get_license(i) for i in combo] for combo in combos]))


def _options(combos: list[list[License]]) -> list[LicenseOption]:
    best: dict[str, LicenseOption] = {}
    for licenses in combos:
        for candidate in _allowed(licenses):
            option = _option(licenses, get_license(candidate))
            known = best.get(candidate)
            if known is None or (not known.recommended, known.concerns) > (
                not option.recommended,
                option.concerns,
            ):
                best[candidate] = option
    sources = {lic.id for licenses in combos for lic in licenses}
    return sorted(best.values(), key=lambda option: _rank(option, sources))


def _option(licenses: list[License], candidate: License) -> LicenseOption:
    verdicts = [_verdict(source, candidate) for source in licenses]
    notes = [v.reason for v in verdicts if v.reason]
    notes.append(_candidate_note(candidate))
    recommended = all(v.cell == GREEN for v in verdicts) and not _candidate_note(candidate)
    concerns = sum(v.cell != GREEN for v in verdicts)
    note = " ".join(dict.fromkeys(n for n in notes if n))
    return LicenseOption(candidate, recommended, note, concerns)


@cache
def _catalogue_order() -> dict[str, int]:
    return {lic.id: index for index, lic in enumerate(all_licenses())}


def _rank(option: LicenseOption, sources: set[str]) -> tuple[object, ...]:
    lic = option.license
    elements = lic.attribution + lic.share_alike + lic.non_commercial + lic.no_derivatives
    return (
        not option.recommended,
        option.concerns,
        elements,
        lic.id not in sources,  # among equals, keep a source's own licence (Apache stays Apache)
        not lic.is_creative_commons,
        tuple(-part for part in lic.version_key),
        lic.port is not None,
        _catalogue_order()[lic.id],
    )


def recommended_adaptation_license(sources: Iterable[str]) -> str | None:
    """Return the best licence for an adaptation of `sources`, or None when none is allowed.

    The best may be one CC does not recommend when nothing better is allowed (e.g. BY-SA 1.0,
    which only allows itself); adaptation_options() says so.
    """
    options = _options_for(_combos(tuple(_as_list(sources))))
    return options[0].license.id if options else None


def _names_by_id(sources: list[str], names: Sequence[str] | None) -> dict[str, list[str]]:
    if names is None:
        return {}
    if len(names) != len(sources):
        raise ValueError("names must give one title per source, in the same order")
    grouped: dict[str, list[str]] = {}
    for source, name in zip(sources, names, strict=True):
        for license_id in expressions.license_ids(source):
            grouped.setdefault(license_id, []).append(name)
    return grouped


def _label(lic: License, names: dict[str, list[str]]) -> str:
    titled = names.get(lic.id)
    if not titled:
        return lic.short_name
    return f"{', '.join(repr(n) for n in dict.fromkeys(titled))} ({lic.short_name})"


def _about(involved: list[License], reason: str, names: dict[str, list[str]]) -> str:
    """Prefix `reason` with the titles of the works it is about, when the caller gave titles."""
    if not any(names.get(lic.id) for lic in involved):
        return reason
    return f"{' and '.join(_label(lic, names) for lic in involved)}: {reason}"


def _as_list(sources: Iterable[str]) -> list[str]:
    if isinstance(sources, str):
        raise TypeError(f"sources must be a collection of licence ids, not the string {sources!r}")
    listed = list(sources)
    for source in listed:
        if not isinstance(source, str):
            raise UnknownLicence(source)
    return listed


def explain_refusal(sources: Iterable[str], *, names: Sequence[str] | None = None) -> str:
    """Say, for a teacher, why no licence may carry an adaptation of `sources`, and what to do.

    Names the NoDerivatives sources and the conflicting pairs with the rule each breaks. `names`
    (one title per source, same order) lets the sentence name the works as well as the licences.
    """
    ids = _as_list(sources)
    combos = _resolve(ids)
    by_id = _names_by_id(ids, names)
    if any(_allowed(licenses) for licenses in combos):
        return "These sources can be adapted together; nothing needs refusing."
    reasons = list(dict.fromkeys(r for licenses in combos for r in _refusals(licenses, by_id)))
    choice = (
        " whichever licence you follow where a source offers a choice" if len(combos) > 1 else ""
    )
    return (
        f"These sources cannot be adapted into one shared work{choice}. "
        + " ".join(reasons)
        + f" {WHAT_YOU_CAN_DO}"
    )


def _refusals(licenses: list[License], by_id: dict[str, list[str]]) -> list[str]:
    found = [([lic], _verdict(lic, lic).reason) for lic in licenses if lic.no_derivatives]
    found = found or _conflicts(licenses)
    reasons = [_about(involved, reason, by_id) for involved, reason in found]
    if not reasons:  # no single source or pair explains it; say what each one requires
        reasons = [
            "No licence satisfies every source at once: "
            + "; ".join(f"{_label(lic, by_id)} requires {_requirement(lic)}" for lic in licenses)
            + "."
        ]
    return reasons


def explain(sources: Iterable[str], candidate: str, *, names: Sequence[str] | None = None) -> str:
    """Say, for a teacher, whether and why an adaptation of `sources` may carry `candidate`."""
    ids = _as_list(sources)
    combos = _resolve(ids)
    chosen = get_license(candidate)
    by_id = _names_by_id(ids, names)
    listed = " and ".join(_source_label(source, by_id) for source in dict.fromkeys(ids))
    listed = listed or "no sources"
    for licenses in combos:
        if chosen.id in _allowed(licenses):
            option = _option(licenses, chosen)
            may = "may"
            if not option.recommended and _all_cc([*licenses, chosen]):
                may = "may (but CC does not recommend it)"
            elif not option.recommended:
                may = "may (but it is not recommended)"
            return (
                f"{chosen.short_name} {may} carry an adaptation of {listed}. {option.note}".strip()
            )
    refused = f"{chosen.short_name} may not carry an adaptation of {listed}."
    if not any(_allowed(licenses) for licenses in combos):
        return f"{refused} {explain_refusal(ids, names=names)}"
    reasons = [
        _about([lic], verdict.reason, by_id)
        for licenses in combos
        for lic in licenses
        if (verdict := _verdict(lic, chosen)).cell == RED
    ]
    reasons = reasons or [
        _about(involved, reason, by_id)
        for licenses in combos
        for involved, reason in _conflicts(licenses)
    ]
    best = _options(combos)[0].license
    return (
        f"{refused} {' '.join(dict.fromkeys(reasons))} Allowed instead: {best.short_name}. "
        f"What you can do: choose {best.short_name}, or ask the authors of the "
        f"{'works' if len(ids) > 1 else 'work'} you adapt for permission to use "
        f"{chosen.short_name}."
    )


def _all_cc(licenses: list[License]) -> bool:
    return all(lic.is_creative_commons for lic in licenses)


def _source_label(source: str, by_id: dict[str, list[str]]) -> str:
    if not expressions.needs_parsing(source):
        return _label(get_license(source), by_id)
    return expressions.normalise(source)


def require_adaptation_license(
    sources: Iterable[str], candidate: str | None = None, *, names: Sequence[str] | None = None
) -> str:
    """Return `candidate` if an adaptation of `sources` may carry it, else the recommended licence.

    Raises LicenceConflict (a ValueError carrying `.sources`) when no licence is allowed, or when
    `candidate` is given and not allowed; UnknownLicence for ids not in the catalogue.
    """
    ids = _as_list(sources)
    allowed = allowed_adaptation_licenses(ids)
    if not allowed:
        raise LicenceConflict(ids, explain_refusal(ids, names=names))
    if candidate is None:
        best = recommended_adaptation_license(ids)
        assert best is not None  # allowed is not empty, so there is a best option
        return best
    if candidate not in allowed:
        get_license(candidate)  # an unknown candidate is UnknownLicence, not a conflict
        raise LicenceConflict(ids, explain(ids, candidate, names=names))
    return candidate
