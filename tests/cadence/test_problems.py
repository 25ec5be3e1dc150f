"""cadence/problems.py's words, pinned: plain() for each kind of pydantic error it names,
and described() on a small schema (a misspelt key, its twin given too, a place of more
than twelve keys, the keys listed, an error said twice said once, `also_known`)."""

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from cadence.problems import described, plain


@pytest.mark.parametrize(
    ("error", "patterns", "words"),
    [
        ({"type": "value_error", "ctx": {"error": "our words"}}, None, "our words"),
        ({"type": "assertion_error", "ctx": {"error": "asserted"}}, None, "asserted"),
        ({"type": "value_error", "msg": "Value error, bare"}, None, "value error, bare"),
        ({"type": "missing"}, None, "required, and not given"),
        ({"type": "float_parsing", "input": "abc"}, None, "must be a number, got 'abc'"),
        ({"type": "decimal_type", "input": None}, None, "must be a number, got nothing"),
        ({"type": "int_from_float", "input": 1.5}, None, "must be a whole number, got 1.5"),
        ({"type": "bool_type", "input": [1]}, None, "must be true or false"),
        ({"type": "finite_number", "input": float("inf")}, None, "must be a finite number, got inf"),
        ({"type": "string_sub_type", "input": 3}, None, "must be a text, got 3"),
        (
            {"type": "literal_error", "ctx": {"expected": "'a' or 'b'"}, "input": "c"},
            None,
            "must be 'a' or 'b', got 'c'",
        ),
        ({"type": "literal_error", "input": True}, None, "must be one of the values the reference lists, got true"),
        ({"type": "greater_than_equal", "ctx": {"ge": 0}, "input": -1}, None, "must be at least 0, got -1"),
        ({"type": "greater_than", "ctx": {"gt": 0.5}, "input": 0.25}, None, "must be more than 0.5, got 0.25"),
        ({"type": "less_than_equal", "ctx": {"le": 1}, "input": 2}, None, "must be at most 1, got 2"),
        (
            {"type": "less_than", "ctx": {"lt": 10}, "input": "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},
            None,
            "must be less than 10, got 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…'",
        ),
        ({"type": "string_too_short", "ctx": {"min_length": 1}}, None, "must not be empty"),
        ({"type": "string_too_short", "ctx": {"min_length": 3}}, None, "must be at least 3 characters"),
        ({"type": "string_too_short"}, None, "must not be empty"),
        ({"type": "string_too_long", "ctx": {"max_length": 80}}, None, "must be at most 80 characters"),
        ({"type": "too_short", "ctx": {"min_length": 1}}, None, "must have at least 1 item"),
        ({"type": "too_short", "ctx": {"min_length": 2}}, None, "must have at least 2 items"),
        ({"type": "too_long", "ctx": {"max_length": 12}}, None, "must have at most 12 items"),
        ({"type": "too_long"}, None, "must have at most 0 items"),
        ({"type": "set_type", "input": "a"}, None, "must be a list (one '- item' a line, or [a, b]), got 'a'"),
        (
            {"type": "mapping_type", "input": 4},
            None,
            "must be keys with values (key: value, one a line, or {key: value}), got 4",
        ),
        (
            {"type": "string_pattern_mismatch", "ctx": {"pattern": "^x$"}, "input": "y"},
            {"^x$": "must be an x"},
            "must be an x, got 'y'",
        ),
        (
            {"type": "string_pattern_mismatch", "ctx": {"pattern": "^z$"}, "input": "y"},
            {"^x$": "must be an x"},
            "is not in the form expected, got 'y'",
        ),
        (
            {"type": "string_pattern_mismatch", "ctx": {"pattern": "^z$"}, "input": "y"},
            None,
            "is not in the form expected, got 'y'",
        ),
        ({"type": "extra_forbidden", "input": 1}, None, "not a key here"),
        ({"type": "url_parsing", "msg": "Input should be a valid URL"}, None, "input should be a valid URL"),
        ({"type": "url_parsing"}, None, "is not valid"),
    ],
)
def test_plain_says_each_kind_in_words(error, patterns, words):
    assert plain(error, patterns) == words


class Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    alpha: int
    beta: str = "b"


class Wide(BaseModel):  # more keys than a message lists
    model_config = ConfigDict(extra="forbid")
    k01: int = 0
    k02: int = 0
    k03: int = 0
    k04: int = 0
    k05: int = 0
    k06: int = 0
    k07: int = 0
    k08: int = 0
    k09: int = 0
    k10: int = 0
    k11: int = 0
    k12: int = 0
    k13: int = 0


class Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    inner: Inner
    wide: Wide | None = None


@pytest.mark.parametrize(
    ("raw", "twice", "also_known", "found"),
    [
        ({"inner": {"alpah": 1}}, False, None, [(("inner", "alpah"), "not a key here; did you mean alpha?")]),
        (
            {"inner": {"alpha": 1, "alpah": 2}},
            False,
            None,
            [(("inner", "alpah"), "not a key here, and alpha, which it resembles, is given too: keep one")],
        ),
        (
            {"wide": {"zzz": 1}},
            False,
            None,
            [(("inner",), "required, and not given"), (("wide", "zzz"), "not a key here")],
        ),
        (
            {"inner": {"alpha": "x", "qqq": 1}},
            True,
            None,
            [
                (("inner", "alpha"), "must be a whole number, got 'x'"),
                (("inner", "qqq"), "not a key here; the keys here are alpha, beta"),
            ],
        ),
        (
            {"inner": {"alpha": 1}, "extra": 1},
            False,
            {(): ["extras"]},
            [(("extra",), "not a key here; did you mean extras?")],
        ),
        (
            {"inner": {"alpha": 1}, "extra": 1},
            False,
            None,
            [(("extra",), "not a key here; the keys here are inner, wide")],
        ),
    ],
)
def test_described_says_each_place_once_with_the_nearest_key(raw, twice, also_known, found):
    with pytest.raises(ValidationError) as caught:
        Doc.model_validate(raw)
    errors = caught.value.errors() * (2 if twice else 1)
    assert described(errors, Doc, raw, also_known=also_known) == found
