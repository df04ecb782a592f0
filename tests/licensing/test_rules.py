"""Vectors for the adaptation rule, each citing the CC guidance it comes from."""

import itertools

import pytest

import licensing
from licensing import (
    LicenceConflict,
    UnknownLicence,
    adaptation_options,
    allowed_adaptation_licenses,
    explain,
    explain_refusal,
    recommended_adaptation_license,
    require_adaptation_license,
)
from tests.licensing.charts import ADAPTER_CHART, FOUR_O, REMIX_FORBIDDEN, REMIX_IDS


def option_for(sources: list[str], candidate: str) -> licensing.LicenseOption | None:
    return next((o for o in adaptation_options(sources) if o.license.id == candidate), None)


# --- the adapter's chart (CC FAQ), every pair of the seven 4.0 tools ---------------------------


@pytest.mark.parametrize(("row", "column"), sorted(ADAPTER_CHART))
def test_single_source_follows_the_adapters_chart(row: str, column: str) -> None:
    source, candidate = FOUR_O[row], FOUR_O[column]
    option = option_for([source], candidate)
    cell = ADAPTER_CHART[row, column]
    if cell == "gray":
        assert option is None
        assert candidate not in allowed_adaptation_licenses([source])
    else:
        assert option is not None
        assert option.recommended is (cell == "green")
    if cell == "yellow":
        assert "does not recommend" in option.note  # type: ignore[union-attr]


def test_the_public_domain_mark_row_is_the_cc0_row() -> None:
    # CC FAQ adapter's chart: the PD row covers "one of our public domain tools, or other public
    # domain material", so the Mark and CC0 behave alike as sources.
    assert allowed_adaptation_licenses(["CC-PDM-1.0"]) == allowed_adaptation_licenses(["CC0-1.0"])


def test_the_public_domain_mark_is_never_an_adapters_licence() -> None:
    # CC FAQ: the Public Domain Mark "is not legally operative"; it cannot license new material.
    for source in ["CC0-1.0", "CC-PDM-1.0", "CC-BY-4.0"]:
        assert "CC-PDM-1.0" not in allowed_adaptation_licenses([source])
    assert "Public Domain Mark" in explain(["CC0-1.0"], "CC-PDM-1.0")


# --- the remix chart (CC FAQ), every pair of the eight tools -----------------------------------


@pytest.mark.parametrize(("a", "b"), list(itertools.product(sorted(REMIX_IDS), repeat=2)))
def test_pairs_follow_the_remix_chart(a: str, b: str) -> None:
    remixable = frozenset((a, b)) not in REMIX_FORBIDDEN
    assert bool(allowed_adaptation_licenses([REMIX_IDS[a], REMIX_IDS[b]])) is remixable


def test_by_sa_and_by_nc_cannot_be_remixed_although_each_alone_allows_by_sa() -> None:
    # CC FAQ remix chart: BY-SA x BY-NC is X, although the adapter's chart allows BY-SA for each
    # alone (yellow for BY-NC). "Strictest licence wins" (ccHost) gets this wrong.
    each = allowed_adaptation_licenses(["CC-BY-SA-4.0"]) & allowed_adaptation_licenses(
        ["CC-BY-NC-4.0"]
    )
    assert "CC-BY-SA-4.0" in each
    assert allowed_adaptation_licenses(["CC-BY-SA-4.0", "CC-BY-NC-4.0"]) == set()
    assert allowed_adaptation_licenses(["CC-BY-SA-3.0", "CC-BY-NC-3.0"]) == set()


@pytest.mark.parametrize(
    ("sources", "expected_best", "cite"),
    [
        (["CC-BY-4.0", "CC-BY-NC-4.0"], "CC-BY-NC-4.0", "adapter's chart: BY-NC row green for NC"),
        (["CC-BY-NC-SA-4.0", "CC-BY-4.0"], "CC-BY-NC-SA-4.0", "FAQ: NC-SA + BY gives BY-NC-SA"),
        (["CC0-1.0", "CC-BY-SA-4.0"], "CC-BY-SA-4.0", "adapter's chart: PD row all green"),
        (["CC0-1.0", "CC-PDM-1.0"], "CC0-1.0", "adapter's chart: PD x PD green"),
        (["CC-BY-4.0", "CC0-1.0", "CC-PDM-1.0"], "CC-BY-4.0", "FAQ: keep the same elements"),
        (["CC-BY-SA-4.0", "CC-BY-4.0", "CC0-1.0"], "CC-BY-SA-4.0", "FAQ: BY into BY-SA works"),
        (["CC-BY-NC-4.0", "CC-BY-NC-SA-4.0", "CC0-1.0"], "CC-BY-NC-SA-4.0", "remix chart ticks"),
    ],
)
def test_multi_source_remixes_recommend_the_closest_licence(
    sources: list[str], expected_best: str, cite: str
) -> None:
    assert recommended_adaptation_license(sources) == expected_best, cite


@pytest.mark.parametrize(
    "sources",
    [
        ["CC-BY-4.0", "CC-BY-SA-4.0", "CC-BY-NC-4.0"],  # remix chart: BY-SA x BY-NC
        ["CC0-1.0", "CC-BY-NC-SA-4.0", "CC-BY-SA-4.0"],  # remix chart: BY-SA x BY-NC-SA
        ["CC-BY-4.0", "CC-BY-4.0", "CC-BY-ND-4.0"],  # remix chart: ND rows are all X
    ],
)
def test_multi_source_remixes_with_a_forbidden_pair_are_refused(sources: list[str]) -> None:
    assert allowed_adaptation_licenses(sources) == set()
    assert recommended_adaptation_license(sources) is None


def test_nc_material_under_a_non_nc_licence_is_allowed_but_flagged() -> None:
    # CC FAQ adapter's chart: BY-NC -> BY is yellow. Combined with a BY source the cell stays
    # yellow (derived mechanically; CC gives no explicit multi-source guidance, notes §14.4).
    option = option_for(["CC-BY-4.0", "CC-BY-NC-4.0"], "CC-BY-4.0")
    assert option is not None and not option.recommended
    assert "NonCommercial" in option.note


def test_options_list_recommended_licences_first() -> None:
    options = adaptation_options(["CC-BY-4.0"])
    flags = [o.recommended for o in options]
    assert flags == sorted(flags, reverse=True)
    assert options[0].license.id == "CC-BY-4.0"
    assert {o.license.id for o in options} == allowed_adaptation_licenses(["CC-BY-4.0"])


# --- versions (legal code §4(b) / §3(b)(1); CC FAQ; BOOK p. 85) --------------------------------


@pytest.mark.parametrize(
    ("sources", "candidate", "allowed", "cite"),
    [
        (["CC-BY-SA-3.0"], "CC-BY-SA-4.0", True, "BY-SA 3.0 §4(b): 'a later version'"),
        (["CC-BY-SA-4.0"], "CC-BY-SA-3.0", False, "4.0 §3(b)(1): 'this version or later'"),
        (["CC-BY-SA-2.0"], "CC-BY-SA-2.5", True, "BY-SA 2.0 §4(b): later version"),
        (["CC-BY-SA-2.5"], "CC-BY-SA-2.0", False, "upgrade only"),
        (["CC-BY-NC-SA-2.0"], "CC-BY-NC-SA-4.0", True, "BY-NC-SA 2.0 §4(b)"),
        (["CC-BY-NC-SA-4.0"], "CC-BY-NC-SA-3.0", False, "BY-NC-SA 4.0 §3(b)(1)"),
        (["CC-BY-SA-1.0"], "CC-BY-SA-1.0", True, "BY-SA 1.0 §4(b): 'only under ... this License'"),
        (["CC-BY-SA-1.0"], "CC-BY-SA-2.0", False, "BY-SA 1.0 §4(b): locked"),
        (["CC-BY-SA-1.0"], "CC-BY-SA-4.0", False, "BY-SA 1.0 §4(b): locked"),
        (["CC-BY-NC-SA-1.0"], "CC-BY-NC-SA-4.0", False, "BY-NC-SA 1.0 §4(b): locked"),
        (["CC-BY-3.0"], "CC-BY-SA-4.0", True, "FAQ: BY works may go into BY-SA works"),
        (["CC-BY-SA-2.0", "CC-BY-SA-3.0"], "CC-BY-SA-3.0", True, "highest SA version"),
        (["CC-BY-SA-2.0", "CC-BY-SA-4.0"], "CC-BY-SA-3.0", False, "4.0 forbids going back"),
        (["CC-BY-SA-1.0", "CC-BY-SA-1.0"], "CC-BY-SA-1.0", True, "same 1.0 licence"),
        (["CC-BY-ND-4.0"], "CC-BY-ND-4.0", False, "FAQ: ND adaptations may not be shared"),
    ],
)
def test_version_crossings_upgrade_only(
    sources: list[str], candidate: str, allowed: bool, cite: str
) -> None:
    assert (candidate in allowed_adaptation_licenses(sources)) is allowed, cite


def test_sharealike_one_point_zero_cannot_meet_later_versions() -> None:
    # BY-SA 1.0 §4(b) allows only itself; BY-SA 4.0 only 4.0 or later (notes §7).
    assert allowed_adaptation_licenses(["CC-BY-SA-1.0", "CC-BY-SA-4.0"]) == set()
    refusal = explain_refusal(["CC-BY-SA-1.0", "CC-BY-SA-4.0"])
    assert "CC BY-SA 1.0" in refusal and "CC BY-SA 4.0" in refusal


def test_older_versions_are_allowed_but_not_recommended() -> None:
    # BOOK p. 85: "if you remix a BY-SA 2.0 work, you can, and should, apply BY-SA 4.0".
    option = option_for(["CC-BY-SA-3.0"], "CC-BY-SA-3.0")
    assert option is not None and not option.recommended and "4.0" in option.note
    assert recommended_adaptation_license(["CC-BY-SA-2.0"]) == "CC-BY-SA-4.0"
    # A 1.0 ShareAlike source leaves only itself, so that is the best there is.
    assert recommended_adaptation_license(["CC-BY-SA-1.0"]) == "CC-BY-SA-1.0"


def test_pre_4_nd_refusal_says_adaptations_may_not_even_be_made() -> None:
    # BY-ND 3.0 §3: "otherwise you have no rights to make Adaptations".
    assert "not even" in explain_refusal(["CC-BY-ND-3.0"])
    assert "not even" not in explain_refusal(["CC-BY-ND-4.0"])


# --- ports (BY-SA 2.0 §4(b) "iCommons license", 3.0 §4(b)(iii) "jurisdiction license") ---------


@pytest.mark.parametrize(
    ("sources", "candidate", "allowed"),
    [
        (["CC-BY-SA-2.0-UK"], "CC-BY-SA-4.0", True),  # BY-SA 2.0 E&W §2.3: later version
        (["CC-BY-SA-3.0-DE"], "CC-BY-SA-3.0", True),  # DE §4(b): Unported, 3.0 upwards
        (["CC-BY-SA-3.0-DE"], "CC-BY-SA-2.5", False),
        (["CC-BY-SA-3.0"], "CC-BY-SA-3.0-AT", True),  # 3.0 §4(b)(iii): jurisdiction licence
        (["CC-BY-SA-2.1-JP"], "CC-BY-SA-2.5", True),
        (["CC-BY-SA-2.1-JP"], "CC-BY-SA-2.0", False),
        (["LicenseRef-CC-BY-SA-3.0-US", "CC-BY-SA-3.0-IGO"], "CC-BY-SA-4.0", True),
        (["CC-BY-NC-SA-2.0-FR", "CC-BY-NC-SA-3.0-DE"], "CC-BY-NC-SA-3.0-IGO", True),
        (["CC-BY-NC-ND-3.0-IGO"], "CC-BY-NC-ND-3.0-IGO", False),  # ND
    ],
)
def test_ports_follow_their_version_clauses(
    sources: list[str], candidate: str, allowed: bool
) -> None:
    assert (candidate in allowed_adaptation_licenses(sources)) is allowed


def test_ported_options_are_flagged() -> None:
    option = option_for(["CC-BY-SA-3.0"], "CC-BY-SA-3.0-DE")
    assert option is not None and not option.recommended and "ported" in option.note
    assert recommended_adaptation_license(["CC-BY-3.0-IGO", "CC-BY-NC-3.0-DE"]) == "CC-BY-NC-4.0"
    assert allowed_adaptation_licenses(["LicenseRef-CC-BY-SA-3.0-US", "CC-BY-NC-3.0-DE"]) == set()


# --- CC0 and the Public Domain Mark (CC FAQ; notes §9) -----------------------------------------


def test_cc0_as_adapters_licence() -> None:
    # Adapter's chart PD column: green for PD, yellow for BY and BY-NC, gray for SA and ND.
    assert option_for(["CC0-1.0"], "CC0-1.0").recommended  # type: ignore[union-attr]
    assert not option_for(["CC-BY-4.0"], "CC0-1.0").recommended  # type: ignore[union-attr]
    assert "CC0-1.0" not in allowed_adaptation_licenses(["CC-BY-SA-4.0"])
    assert "CC0-1.0" not in allowed_adaptation_licenses(["CC-BY-NC-SA-4.0"])


# --- FAL 1.3 and GPLv3 (CC wiki "ShareAlike compatibility"; CC blog 2015-10-08) ----------------


@pytest.mark.parametrize(
    ("sources", "candidate", "allowed", "cite"),
    [
        (["CC-BY-SA-4.0"], "LAL-1.3", True, "CC wiki, ShareAlike compatibility: FAL (two-way)"),
        (["LAL-1.3"], "CC-BY-SA-4.0", True, "CC wiki, ShareAlike compatibility: FAL (two-way)"),
        (["CC-BY-SA-4.0"], "GPL-3.0-only", True, "CC blog 2015-10-08: one-way to GPLv3"),
        (["GPL-3.0-only"], "CC-BY-SA-4.0", False, "CC wiki GPLv3: 'may *not* ... use BY-SA'"),
        (["GPL-3.0-or-later"], "GPL-3.0-only", True, "GPLv3 §14: any version the licence names"),
        (["CC-BY-SA-4.0"], "GPL-3.0-or-later", False, "CC declared GPLv3 only"),
        (["CC-BY-SA-3.0"], "GPL-3.0-only", False, "declarations seen for 4.0 only (notes §14.1)"),
        (["CC-BY-SA-3.0"], "LAL-1.3", False, "declarations seen for 4.0 only (notes §14.1)"),
        (["CC-BY-NC-SA-4.0"], "LAL-1.3", False, "no BY-NC-SA compatible licence known"),
        (["CC-BY-NC-4.0"], "GPL-3.0-only", False, "NC material under a commercial copyleft"),
    ],
)
def test_compatible_non_cc_licences(
    sources: list[str], candidate: str, allowed: bool, cite: str
) -> None:
    assert (candidate in allowed_adaptation_licenses(sources)) is allowed, cite


def test_gpl_and_by_sa_remix_goes_to_gpl() -> None:
    # CC blog 2015-10-08: "in the case of remixing CC BY-SA 4.0 and GPLv3 material to make a
    # single adaptation ... now you can" — under GPLv3.
    assert allowed_adaptation_licenses(["GPL-3.0-only", "CC-BY-SA-4.0"]) == {"GPL-3.0-only"}
    assert allowed_adaptation_licenses(["LAL-1.3", "CC-BY-SA-4.0"]) == {"LAL-1.3", "CC-BY-SA-4.0"}
    assert allowed_adaptation_licenses(["GPL-3.0-only", "CC-BY-NC-4.0"]) == set()
    assert allowed_adaptation_licenses(["GPL-3.0-only", "LAL-1.3"]) == set()


def test_one_way_gpl_is_explained() -> None:
    assert "one-way" in explain(["GPL-3.0-only"], "CC-BY-SA-4.0")


# --- explanations and refusals -----------------------------------------------------------------


def test_refusal_of_two_sharealike_licences_names_both_and_the_rule() -> None:
    # The example: BY-NC-SA requires BY-NC-SA, BY-SA requires BY-SA, nothing satisfies both.
    text = explain(["CC-BY-NC-SA-4.0", "CC-BY-SA-4.0"], "CC-BY-SA-4.0")
    assert "CC BY-NC-SA 4.0 requires adaptations to carry CC BY-NC-SA 4.0" in text
    assert "CC BY-SA 4.0 requires CC BY-SA 4.0" in text
    assert "no licence satisfies both, so these two cannot be remixed" in text
    assert "remix chart" in text


def test_refusal_names_the_works_when_titles_are_given() -> None:
    text = explain_refusal(
        ["CC-BY-SA-4.0", "CC-BY-4.0", "CC-BY-NC-4.0"],
        names=["Solar tracker", "Sun icons", "Moon phases"],
    )
    assert "'Solar tracker' (CC BY-SA 4.0) and 'Moon phases' (CC BY-NC 4.0)" in text
    assert "Sun icons" not in text
    assert "commercial" in text


def test_refusal_names_the_nd_source() -> None:
    text = explain_refusal(["CC-BY-4.0", "CC-BY-NC-ND-4.0"], names=["Orbit", "Atlas"])
    assert "'Atlas' (CC BY-NC-ND 4.0)" in text and "NoDerivatives" in text


def test_explain_a_refused_candidate_offers_an_allowed_one() -> None:
    text = explain(["CC-BY-SA-4.0"], "CC-BY-4.0")
    assert text.startswith("CC BY 4.0 may not carry")
    assert "ShareAlike" in text and "Allowed instead: CC BY-SA 4.0" in text


def test_explain_an_allowed_candidate() -> None:
    assert explain(["CC-BY-4.0"], "CC-BY-SA-4.0").startswith("CC BY-SA 4.0 may carry")
    assert "does not recommend" in explain(["CC-BY-NC-4.0"], "CC-BY-4.0")


def test_require_returns_the_candidate_or_the_recommended_licence() -> None:
    assert require_adaptation_license(["CC-BY-4.0"], "CC-BY-SA-4.0") == "CC-BY-SA-4.0"
    assert require_adaptation_license(["CC-BY-4.0", "CC-BY-NC-4.0"], None) == "CC-BY-NC-4.0"


def test_require_raises_a_conflict_naming_the_sources() -> None:
    with pytest.raises(LicenceConflict) as caught:
        require_adaptation_license(["CC-BY-SA-4.0", "CC-BY-NC-4.0"], None)
    assert caught.value.sources == ("CC-BY-SA-4.0", "CC-BY-NC-4.0")
    assert str(caught.value) == explain_refusal(["CC-BY-SA-4.0", "CC-BY-NC-4.0"])
    with pytest.raises(LicenceConflict, match="ShareAlike"):
        require_adaptation_license(["CC-BY-SA-4.0"], "CC-BY-NC-4.0")
    assert isinstance(caught.value, ValueError)


def test_no_sources_constrain_nothing() -> None:
    assert "CC-BY-NC-ND-4.0" in allowed_adaptation_licenses([])
    assert "CC-PDM-1.0" not in allowed_adaptation_licenses([])


# --- unknown ids -------------------------------------------------------------------------------


def test_unknown_ids_are_errors_never_guesses() -> None:
    with pytest.raises(UnknownLicence, match=r"CC-BY-SA-4\.0"):
        allowed_adaptation_licenses(["CC-BY-SA-40"])
    with pytest.raises(UnknownLicence):
        explain(["CC-BY-4.0"], "MIT-2")
    with pytest.raises(UnknownLicence):
        require_adaptation_license(["CC-BY-4.0"], "CC-BY-5.0")
    with pytest.raises(UnknownLicence):
        require_adaptation_license(["cc-by-4.0"], None)


def test_a_bare_string_is_not_a_list_of_sources() -> None:
    with pytest.raises(TypeError, match="collection of licence ids"):
        allowed_adaptation_licenses("CC-BY-4.0")
