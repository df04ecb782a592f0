"""SPDX licence expressions as sources: OR lets the reuser choose, AND applies both, WITH adds."""

import pytest

from licensing import (
    BadLicenceExpression,
    UnknownLicence,
    allowed_adaptation_licenses,
    explain,
    explain_refusal,
    manifest_license,
    require_adaptation_license,
)
from licensing.expressions import choices


def test_or_is_the_union_over_the_choices() -> None:
    either = allowed_adaptation_licenses(["MIT OR GPL-2.0-only"])
    assert either == allowed_adaptation_licenses(["MIT"]) | allowed_adaptation_licenses(
        ["GPL-2.0-only"]
    )
    # Dual-licensed code may meet GPL-2.0-only code through its MIT choice.
    assert allowed_adaptation_licenses(["MIT OR Apache-2.0", "GPL-2.0-only"]) == {"GPL-2.0-only"}


def test_and_is_both_at_once() -> None:
    assert allowed_adaptation_licenses(["(MIT AND CC-BY-SA-4.0)"]) == allowed_adaptation_licenses(
        ["MIT", "CC-BY-SA-4.0"]
    )
    assert allowed_adaptation_licenses(["Apache-2.0 AND GPL-2.0-only"]) == set()


def test_with_an_exception_is_decided_by_the_licence() -> None:
    assert allowed_adaptation_licenses(
        ["GPL-2.0-or-later WITH Classpath-exception-2.0"]
    ) == allowed_adaptation_licenses(["GPL-2.0-or-later"])


def test_nested_expressions_distribute() -> None:
    assert choices("(MIT OR Apache-2.0) AND CC-BY-4.0") == {
        frozenset({"MIT", "CC-BY-4.0"}),
        frozenset({"Apache-2.0", "CC-BY-4.0"}),
    }


def test_deprecated_ids_inside_expressions_are_normalised() -> None:
    assert manifest_license("GPL-3.0+ OR MIT") == "GPL-3.0-or-later OR MIT"
    assert manifest_license("GPL-3.0") == "GPL-3.0-only"
    assert manifest_license("Apache-2.0") == "Apache-2.0"


def test_a_refusal_over_choices_says_no_choice_works() -> None:
    text = explain_refusal(["MIT OR Apache-2.0", "CC-BY-NC-4.0", "GPL-2.0-only"])
    assert "whichever licence you follow" in text and "What you can do:" in text


def test_explain_and_require_take_expressions() -> None:
    assert explain(["MIT OR GPL-3.0-only"], "MIT").startswith("MIT may carry")
    assert require_adaptation_license(["GPL-3.0-only OR MIT"], "CC-BY-4.0") == "CC-BY-4.0"


@pytest.mark.parametrize(
    ("value", "where"),
    [
        ("MIT OR (", "ends too early"),
        ("MIT AND AND GPL-3.0-only", "at character 9"),
        ("(MIT OR Apache-2.0", "ends too early"),
    ],
)
def test_an_expression_that_does_not_parse_says_where(value: str, where: str) -> None:
    with pytest.raises(BadLicenceExpression) as caught:
        allowed_adaptation_licenses([value])
    assert where in str(caught.value) and "for example" in str(caught.value)
    assert isinstance(caught.value, UnknownLicence)  # callers that catch UnknownLicence see it


@pytest.mark.parametrize(
    ("value", "suggested"),
    [("MIT OR Apach-2.0", "'Apache-2.0'"), ("mit", "'MIT'"), ("GPLv3", "'GPL-3.0-only'")],
)
def test_misspelt_ids_suggest_the_closest_spdx_id(value: str, suggested: str) -> None:
    with pytest.raises(UnknownLicence, match=f"Did you mean {suggested}"):
        manifest_license(value)


@pytest.mark.parametrize("value", ["NOASSERTION", "NONE", "MIT OR NOASSERTION"])
def test_noassertion_says_no_licence_was_stated(value: str) -> None:
    with pytest.raises(UnknownLicence) as caught:
        manifest_license(value)
    assert "no licence was stated" in str(caught.value) and "ask the authors" in str(caught.value)
    assert "Did you mean" not in str(caught.value)


@pytest.mark.parametrize("value", ["", "   ", None, 42])
def test_empty_or_non_text_licences_are_refused(value: object) -> None:
    with pytest.raises(UnknownLicence):
        manifest_license(value)  # type: ignore[arg-type]


def test_a_deprecated_id_with_an_exception_becomes_its_expression() -> None:
    # SPDX deprecated "GPL-2.0-with-classpath-exception" in favour of the WITH expression.
    value = "GPL-2.0-with-classpath-exception"
    assert manifest_license(value) == "GPL-2.0-only WITH Classpath-exception-2.0"
    assert allowed_adaptation_licenses([value]) == {"GPL-2.0-only"}


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("MIT OR Classpath-exception-2.0", "is an exception, not a licence"),
        ("Classpath-exception-2.0 WITH MIT", "is an exception, not a licence"),
        ("GPL-2.0-only WITH classpath-exception-2.0", "is spelt 'Classpath-exception-2.0'"),
        ("MIT WITH GPL-3.0-only", "does not parse"),
    ],
)
def test_exceptions_in_the_wrong_place_are_explained(value: str, says: str) -> None:
    with pytest.raises(BadLicenceExpression, match=says):
        manifest_license(value)
