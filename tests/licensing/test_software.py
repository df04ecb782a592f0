"""Software licences: every source x candidate pair, from the FSF list, the ASF and the licences."""

import pytest

from licensing import (
    adaptation_options,
    all_licenses,
    allowed_adaptation_licenses,
    explain,
    explain_refusal,
    get_license,
    recommended_adaptation_license,
)

MIT_LIKE = ["MIT", "BSD-2-Clause", "BSD-3-Clause", "ISC"]
NO_CONDITIONS = ["0BSD", "Unlicense"]
PERMISSIVE = [*MIT_LIKE, *NO_CONDITIONS, "Apache-2.0"]
LGPL2 = ["LGPL-2.1-only", "LGPL-2.1-or-later"]
LGPL3 = ["LGPL-3.0-only", "LGPL-3.0-or-later"]
GPL2 = ["GPL-2.0-only", "GPL-2.0-or-later"]
GPL3 = ["GPL-3.0-only", "GPL-3.0-or-later"]
AGPL = ["AGPL-3.0-only", "AGPL-3.0-or-later"]
GNU = [*LGPL2, *LGPL3, *GPL2, *GPL3, *AGPL]
SOFTWARE = [*PERMISSIVE, "MPL-2.0", *GNU]

# Source -> every software licence a work including it may carry, with the rule that says so.
EXPECTED: dict[str, tuple[set[str], str]] = {
    **{i: (set(SOFTWARE), "MIT/BSD/ISC: only the notice must be kept") for i in MIT_LIKE},
    **{i: (set(SOFTWARE), "no conditions at all") for i in NO_CONDITIONS},
    "Apache-2.0": (
        set(SOFTWARE) - {*GPL2, *LGPL2},
        "FSF list + ASF: compatible with GPLv3, not GPLv2 (patent and indemnity terms)",
    ),
    "MPL-2.0": ({"MPL-2.0", *GNU}, "MPL 2.0 §3.3 + §1.12: the GNU licences are Secondary Licenses"),
    "LGPL-2.1-only": (
        {"LGPL-2.1-only", "GPL-2.0-only", "GPL-3.0-only", "AGPL-3.0-only"},
        "LGPL-2.1 §3: may become the ordinary GPL, version 2 or a newer one; GPLv3 §13",
    ),
    "LGPL-2.1-or-later": ({*LGPL2, *LGPL3, *GPL2, *GPL3, *AGPL}, "LGPL-2.1 §3 and §13"),
    "LGPL-3.0-only": (
        {"LGPL-3.0-only", "GPL-3.0-only", "AGPL-3.0-only"},
        "LGPLv3 = GPLv3 + removable additional permissions (GPLv3 §7); GPLv3 §13",
    ),
    "LGPL-3.0-or-later": ({*LGPL3, *GPL3, *AGPL}, "as LGPL-3.0-only, plus later versions"),
    "GPL-2.0-only": ({"GPL-2.0-only"}, "FSF: GPLv2-only is not compatible with GPLv3"),
    "GPL-2.0-or-later": ({*GPL2, *GPL3, *AGPL}, "GPLv2 §9 'any later version'; GPLv3 §13"),
    "GPL-3.0-only": ({"GPL-3.0-only", "AGPL-3.0-only"}, "GPLv3 §13: combined with AGPLv3"),
    "GPL-3.0-or-later": ({*GPL3, *AGPL}, "GPLv3 §13 and §14"),
    "AGPL-3.0-only": ({"AGPL-3.0-only"}, "AGPLv3 §13: the network clause stays"),
    "AGPL-3.0-or-later": (set(AGPL), "AGPLv3 §14"),
}


def test_the_catalogue_has_every_software_licence_with_words_url_and_strength() -> None:
    software = [lic for lic in all_licenses() if lic.is_software]
    assert [lic.id for lic in software] == SOFTWARE
    for lic in software:
        assert lic.legal_code_url == f"https://spdx.org/licenses/{lic.id}.html"
        assert lic.plain_words and lic.name and not lic.is_creative_commons
    assert {lic.id for lic in software if lic.permissive} == set(PERMISSIVE)
    assert {lic.id for lic in software if lic.weak_copyleft} == {"MPL-2.0", *LGPL2, *LGPL3}
    assert {lic.id for lic in software if lic.strong_copyleft} == {*GPL2, *GPL3}
    assert {lic.id for lic in software if lic.network_copyleft} == set(AGPL)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("GPL-2.0", "GPL-2.0-only"),
        ("GPL-2.0+", "GPL-2.0-or-later"),
        ("GPL-3.0", "GPL-3.0-only"),
        ("GPL-3.0+", "GPL-3.0-or-later"),
        ("LGPL-2.1", "LGPL-2.1-only"),
        ("LGPL-2.1+", "LGPL-2.1-or-later"),
        ("LGPL-3.0", "LGPL-3.0-only"),
        ("LGPL-3.0+", "LGPL-3.0-or-later"),
        ("AGPL-3.0", "AGPL-3.0-only"),
    ],
)
def test_deprecated_spdx_ids_mean_their_current_ids(old: str, new: str) -> None:
    # SPDX License List, "Deprecated License Identifiers".
    assert get_license(old).id == new
    assert allowed_adaptation_licenses([old]) == allowed_adaptation_licenses([new])


@pytest.mark.parametrize("candidate", SOFTWARE)
@pytest.mark.parametrize("source", SOFTWARE)
def test_every_software_pair_follows_its_cited_rule(source: str, candidate: str) -> None:
    expected, rule = EXPECTED[source]
    assert (candidate in allowed_adaptation_licenses([source])) is (candidate in expected), rule


@pytest.mark.parametrize("source", [i for i in SOFTWARE if i not in PERMISSIVE])
def test_nothing_copyleft_becomes_permissive_or_creative_commons(source: str) -> None:
    allowed = {get_license(i) for i in allowed_adaptation_licenses([source])}
    assert allowed and all(lic.is_software and not lic.permissive for lic in allowed)


@pytest.mark.parametrize("source", PERMISSIVE)
def test_permissive_code_may_go_into_cc_works_but_cc_is_not_recommended(source: str) -> None:
    # CC FAQ, "Can I apply a Creative Commons license to software?": "we recommend against it".
    options = {o.license.id: o for o in adaptation_options([source])}
    assert "CC-BY-SA-4.0" in options and "CC-BY-NC-4.0" in options
    assert not options["CC-BY-4.0"].recommended
    assert "recommends against" in options["CC-BY-4.0"].note
    assert "CC-PDM-1.0" not in options


@pytest.mark.parametrize("source", ["MIT", "Apache-2.0", "BSD-3-Clause"])
def test_dropping_a_notice_licence_to_a_no_condition_one_is_flagged(source: str) -> None:
    options = {o.license.id: o for o in adaptation_options([source])}
    assert not options["0BSD"].recommended and "notice" in options["0BSD"].note
    assert options[source].recommended


@pytest.mark.parametrize(
    ("sources", "expected", "rule"),
    [
        (["GPL-3.0-only", "AGPL-3.0-only"], {"AGPL-3.0-only"}, "GPLv3 §13 / AGPLv3 §13"),
        (["GPL-3.0-or-later", "AGPL-3.0-or-later"], set(AGPL), "GPLv3 §13"),
        (["Apache-2.0", "GPL-2.0-only"], set(), "FSF + ASF: Apache 2.0 and GPLv2 incompatible"),
        (["Apache-2.0", "GPL-2.0-or-later"], {*GPL3, *AGPL}, "GPLv2 §9 then GPLv3"),
        (["Apache-2.0", "LGPL-2.1-only"], {"GPL-3.0-only", "AGPL-3.0-only"}, "LGPL-2.1 §3"),
        (
            ["Apache-2.0", "LGPL-3.0-only"],
            {"LGPL-3.0-only", "GPL-3.0-only", "AGPL-3.0-only"},
            "ASF",
        ),
        (["MPL-2.0", "GPL-2.0-only"], {"GPL-2.0-only"}, "MPL 2.0 §3.3"),
        (["MPL-2.0", "Apache-2.0"], {"MPL-2.0", *LGPL3, *GPL3, *AGPL}, "MPL §3.3 + ASF"),
        (["GPL-2.0-only", "GPL-3.0-only"], set(), "FSF: GPLv2-only and GPLv3 incompatible"),
        (
            ["LGPL-2.1-only", "GPL-2.0-or-later"],
            {"GPL-2.0-only", "GPL-3.0-only", "AGPL-3.0-only"},
            "LGPL-2.1 §3",
        ),
        (["MIT", "GPL-2.0-only"], {"GPL-2.0-only"}, "FSF: Expat is GPL-compatible"),
        (["MIT", "BSD-3-Clause", "ISC"], set(SOFTWARE) - {"CC-PDM-1.0"}, "all permissive"),
    ],
)
def test_software_mixes(sources: list[str], expected: set[str], rule: str) -> None:
    allowed = allowed_adaptation_licenses(sources)
    assert {i for i in allowed if get_license(i).is_software} == expected, rule


@pytest.mark.parametrize(
    ("sources", "candidate", "allowed", "rule"),
    [
        (["CC-BY-SA-4.0"], "GPL-3.0-only", True, "CC blog 2015-10-08: one-way to GPLv3"),
        (["CC-BY-SA-4.0", "GPL-3.0-only"], "GPL-3.0-only", True, "CC blog 2015-10-08"),
        (["CC-BY-SA-4.0", "GPL-2.0-only"], None, False, "GPLv3 only was declared"),
        (["CC-BY-SA-4.0", "AGPL-3.0-only"], None, False, "AGPL was not declared"),
        (
            ["CC-BY-SA-4.0", "MIT"],
            "CC-BY-SA-4.0",
            True,
            "MIT code keeps its notice in a BY-SA work",
        ),
        (["CC-BY-NC-4.0", "GPL-3.0-only"], None, False, "NC content cannot go under the GPL"),
        (["CC-BY-NC-4.0", "MIT"], "CC-BY-NC-4.0", True, "MIT permits any terms for the whole"),
        (["CC-BY-4.0", "Apache-2.0"], "Apache-2.0", True, "BY 4.0 §3(a)(4)"),
        (["CC0-1.0", "GPL-2.0-only"], "GPL-2.0-only", True, "PD material may go anywhere"),
        (["CC-BY-ND-4.0", "MIT"], None, False, "ND: no adaptations"),
    ],
)
def test_code_and_content_mixes(
    sources: list[str], candidate: str | None, allowed: bool, rule: str
) -> None:
    answer = allowed_adaptation_licenses(sources)
    if candidate is None:
        assert answer == set(), rule
    else:
        assert (candidate in answer) is allowed, rule


def test_the_recommendation_keeps_the_sources_own_licence() -> None:
    assert recommended_adaptation_license(["Apache-2.0"]) == "Apache-2.0"
    assert recommended_adaptation_license(["MIT"]) == "MIT"
    assert recommended_adaptation_license(["GPL-3.0-only", "AGPL-3.0-only"]) == "AGPL-3.0-only"
    assert recommended_adaptation_license(["CC-BY-SA-4.0"]) == "CC-BY-SA-4.0"


def test_apache_into_gpl2_refusal_says_why_and_what_to_choose() -> None:
    text = explain(["Apache-2.0"], "GPL-2.0-only")
    assert text.startswith("GNU GPL v2.0 only may not carry an adaptation of Apache 2.0.")
    assert "patent" in text and "ASF" in text and "Choose GPL or LGPL version 3" in text


def test_a_copyleft_to_permissive_refusal_says_the_rule_in_words() -> None:
    text = explain(["GPL-3.0-only"], "MIT")
    assert "copyleft code never becomes permissive" in text
    assert "Allowed instead: GNU GPL v3.0 only" in text


def test_every_refusal_says_what_the_person_can_do() -> None:
    for sources in (["Apache-2.0", "GPL-2.0-only"], ["CC-BY-SA-4.0", "CC-BY-NC-4.0"]):
        text = explain_refusal(sources)
        assert "What you can do:" in text
        assert "ask the authors" in text and "collection" in text and "replace" in text
        assert "licensing." not in text and "()" not in text
