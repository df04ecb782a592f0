"""Properties of the adaptation rule that must hold for any sources (hypothesis)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from licensing import (
    adaptation_options,
    all_licenses,
    allowed_adaptation_licenses,
    explain_refusal,
    get_license,
    recommended_adaptation_license,
)

IDS = [lic.id for lic in all_licenses()]
ND_IDS = [lic.id for lic in all_licenses() if lic.no_derivatives]
sources = st.lists(st.sampled_from(IDS), min_size=1, max_size=6)
# database=None: no .hypothesis folder in the repository; the suite must leave no files behind.
fast = settings(max_examples=200, deadline=None, database=None)


@fast
@given(sources, st.randoms(use_true_random=False), st.integers(min_value=0, max_value=3))
def test_order_and_repetition_do_not_matter(ids: list[str], rnd: object, extra: int) -> None:
    shuffled = list(ids)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    repeated = shuffled + ids[:extra]
    assert allowed_adaptation_licenses(repeated) == allowed_adaptation_licenses(ids)
    assert recommended_adaptation_license(repeated) == recommended_adaptation_license(ids)


@fast
@given(sources, st.sampled_from(IDS))
def test_adding_a_source_never_enlarges_the_allowed_set(ids: list[str], more: str) -> None:
    assert allowed_adaptation_licenses([*ids, more]) <= allowed_adaptation_licenses(ids)


@fast
@given(sources, st.sampled_from(ND_IDS))
def test_any_nd_source_empties_the_allowed_set(ids: list[str], nd: str) -> None:
    assert allowed_adaptation_licenses([*ids, nd]) == set()
    assert "NoDerivatives" in explain_refusal([*ids, nd])


@fast
@given(sources)
def test_options_recommendation_and_refusal_agree(ids: list[str]) -> None:
    allowed = allowed_adaptation_licenses(ids)
    options = adaptation_options(ids)
    assert {o.license.id for o in options} == allowed
    assert all(o.note for o in options if not o.recommended)
    best = recommended_adaptation_license(ids)
    assert (best is None) == (not allowed)
    if not allowed:
        assert explain_refusal(ids).startswith("These sources cannot be adapted")


SOFTWARE_IDS = [lic.id for lic in all_licenses() if lic.is_software]
MIXED = [*SOFTWARE_IDS, "CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0", "CC0-1.0", "LAL-1.3"]
leaf = st.sampled_from(MIXED)
expression = st.recursive(
    leaf,
    lambda inner: st.builds(
        lambda a, op, b: f"({a} {op} {b})", inner, st.sampled_from(["AND", "OR"]), inner
    ),
    max_leaves=4,
)
mixed_sources = st.lists(st.one_of(leaf, expression), min_size=1, max_size=5)


@fast
@given(mixed_sources, st.one_of(leaf, expression))
def test_adding_a_mixed_source_never_widens_the_answer(ids: list[str], more: str) -> None:
    assert allowed_adaptation_licenses([*ids, more]) <= allowed_adaptation_licenses(ids)


@fast
@given(st.lists(leaf, min_size=1, max_size=8))
def test_every_answer_licence_can_carry_each_source_alone(ids: list[str]) -> None:
    allowed = allowed_adaptation_licenses(ids)
    for source in ids:
        assert allowed <= allowed_adaptation_licenses([source])


@fast
@given(leaf, leaf, mixed_sources)
def test_or_is_a_union_and_and_is_two_sources(a: str, b: str, rest: list[str]) -> None:
    either = allowed_adaptation_licenses([f"{a} OR {b}", *rest])
    assert either == allowed_adaptation_licenses([a, *rest]) | allowed_adaptation_licenses(
        [b, *rest]
    )
    assert allowed_adaptation_licenses([f"{a} AND {b}", *rest]) == allowed_adaptation_licenses(
        [a, b, *rest]
    )


@fast
@given(mixed_sources)
def test_options_and_refusals_agree_for_expressions(ids: list[str]) -> None:
    allowed = allowed_adaptation_licenses(ids)
    assert {o.license.id for o in adaptation_options(ids)} == allowed
    if not allowed:
        assert "What you can do:" in explain_refusal(ids)


COPYLEFT_CODE = [lic.id for lic in all_licenses() if lic.is_software and not lic.permissive]


@fast
@given(st.lists(leaf, max_size=5), st.sampled_from(COPYLEFT_CODE))
def test_nothing_with_copyleft_code_in_it_becomes_permissive(ids: list[str], copyleft: str) -> None:
    answer = allowed_adaptation_licenses([*ids, copyleft])
    assert not {i for i in answer if get_license(i).permissive}


def _by_pairs(ids: list[str]) -> set[str]:
    """The rule written out plainly: every source allows it, and no two sources conflict."""
    import itertools

    from licensing import rules

    licences = [get_license(i) for i in dict.fromkeys(get_license(i).id for i in ids)]
    if any(rules._pair_conflict(a, b) for a, b in itertools.combinations(licences, 2)):
        return set()
    allowed = set(rules._applicable())
    for lic in licences:
        allowed &= rules._allowed_for(lic.id)
    return allowed


@fast
@given(st.lists(st.sampled_from(IDS), min_size=0, max_size=20))
def test_the_bit_mask_rule_tables_give_the_pairwise_answer(ids: list[str]) -> None:
    # allowed_adaptation_licenses answers plain ids from bit masks (for speed at 20 sources);
    # it must say exactly what the per-source and per-pair rules say.
    assert allowed_adaptation_licenses(ids) == _by_pairs(ids)
