"""The nesting bound on JSON: counted outside strings, without recursion, before parsing."""

import json

import pytest

from repository.guards import safejson


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("1", 0),
        ('"[[[["', 0),
        ("[]", 1),
        ('{"a": [1, {"b": "]]]]"}]}', 3),
        ('["\\"[[[", [[]]]', 3),
        ('{"k": "\\\\"} ', 1),
    ],
)
def test_nesting_depth_ignores_brackets_inside_strings(text, depth):
    assert safejson.nesting_depth(text) == depth
    assert safejson.nesting_depth(text.encode()) == depth


def test_a_document_at_the_limit_parses_and_one_level_more_is_refused():
    at_limit = "[" * 64 + "]" * 64
    assert safejson.loads(at_limit, limit=64) == json.loads(at_limit)
    with pytest.raises(safejson.JSONTooDeep, match="more than 64 levels"):
        safejson.loads("[" + at_limit + "]", limit=64)


def test_a_hundred_thousand_levels_are_refused_without_recursion():
    with pytest.raises(safejson.JSONTooDeep) as refused:
        safejson.loads(b"[" * 100_000 + b"]" * 100_000)
    # Callers that already handle bad JSON handle this too.
    assert isinstance(refused.value, json.JSONDecodeError)


def test_the_limit_comes_from_settings(settings):
    settings.JSON_MAX_DEPTH = 3
    with pytest.raises(safejson.JSONTooDeep, match="more than 3 levels"):
        safejson.check_depth(b'{"a": {"b": {"c": []}}}')
    safejson.check_depth(b'{"a": {"b": {"c": 1}}}')


def test_an_unterminated_string_ends_the_scan():
    # Every later quote would otherwise start a new, failing string match (quadratic time).
    assert safejson.nesting_depth(b'["' + b'\\"' * 200_000) == 1
