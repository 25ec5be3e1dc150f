"""Strict boundaries (cadence/boundaries.py, cadence/boundaries_bar.py), pure: the gate of
messy cases or boundaries at a promotion to ai-led, the close's hold of a proposal, the
definition's new fields, how the sorter judges their changes and the out-of-scope share."""

from datetime import date

import pytest

from cadence import bar_sort, boundaries
from cadence.calibration import Wait
from cadence.definition_load import DefinitionError, parse_playbook
from cadence.promotion_gates import Gate, Reading, shut
from cadence.rules import Kind, Transition, TransitionRule
from templates.boundaries_words import VAGUE, out_of_scope_phrase
from templates.gate_words import gate_phrase
from tests.conftest import SUPPORT_REPLIES

W = date(2026, 11, 16)


def definition(top: dict | None = None, **draft) -> dict:
    steps = [
        {"name": "draft", "mode": "collaborative", "calibration": {"cases": 40}, **draft},
        {"name": "send", "mode": "ai-led"},
        {"name": "refunds", "mode": "human-led", "pinned": True},
    ]
    return parse_playbook({**SUPPORT_REPLIES, **(top or {}), "steps": steps}).canonical()


def proposal(to_mode: str = "ai-led") -> Transition:
    return Transition(Kind.PROPOSAL, TransitionRule.STREAK, W, "collaborative", to_mode, "PASS 3 weeks", {})


def test_a_tidy_set_with_no_boundaries_is_vague_and_says_how_many_messy_cases_would_do():
    assert boundaries.vagueness(definition(), "draft") == {
        "step": "draft",
        "messy": 0,
        "cases": 40,
        "messy_min": 0.2,
        "needed": 8,
    }
    seven = boundaries.vagueness(definition(calibration={"cases": 40, "messy": 7}), "draft")
    assert seven is not None and seven["messy"] == 7 and seven["needed"] == 8


@pytest.mark.parametrize(
    "top, draft",
    [
        ({}, {"calibration": {"cases": 40, "messy": 8}}),  # 20%: exactly messy_min
        ({}, {"boundaries": ["refund over 500 EUR", "legal threat"]}),
        ({"messy_min": 0.1}, {"calibration": {"cases": 40, "messy": 4}}),
        ({"calibration": {"cases": 30, "messy": 9}}, {"calibration": None}),  # the playbook's set applies
        ({}, {"calibration": "none", "reason": "a person reads every draft"}),  # no set: the calibration gate's
    ],
)
def test_messy_enough_boundaries_declared_or_no_set_is_not_vague(top, draft):
    d = definition(top, **{k: v for k, v in draft.items() if v is not None})
    if draft.get("calibration", 0) is None:
        d["steps"][0].pop("calibration", None)
    assert boundaries.vagueness(d, "draft") is None


def test_the_gate_shuts_a_move_to_ai_led_only_and_words_the_fix():
    vague = boundaries.vagueness(definition(), "draft")
    reading = Reading(calibration="38/40 = 95%, current", vagueness=vague)
    assert shut("ai-led", reading) == [Gate("vague", vague)]
    assert shut("collaborative", reading) == []
    words = gate_phrase(Gate("vague", vague))
    assert words.startswith(VAGUE)
    assert "declares 0 messy of 40 cases, 0%, under messy_min 20%" in words
    assert "`calibration: {cases: 40, messy: 8}`" in words and "`boundaries: [" in words


def test_the_close_holds_a_proposal_to_ai_led_of_a_vague_step_and_lets_others_go():
    kept, waits = boundaries.hold([proposal()], definition(), "draft")
    assert kept == []
    assert waits == [Wait("vague", "0 messy of 40 cases, under messy_min 20%; at least 8 needed", None)]
    other = proposal("collaborative")
    assert boundaries.hold([other], definition(), "draft") == ([other], [])
    bounded = definition(boundaries=["legal threat"])
    assert boundaries.hold([proposal()], bounded, "draft") == ([proposal()], [])


def test_the_definition_keeps_boundaries_and_messy_and_refuses_more_messy_than_cases():
    d = definition({"messy_min": 0.25}, boundaries=["refund over 500 EUR"], calibration={"cases": 40, "messy": 10})
    assert d["messy_min"] == 0.25
    assert d["steps"][0]["boundaries"] == ["refund over 500 EUR"]
    assert d["steps"][0]["calibration"] == {"cases": 40, "messy": 10}
    plain = definition()
    assert "messy_min" not in plain and "boundaries" not in plain["steps"][0]
    assert plain["steps"][0]["calibration"] == {"cases": 40}  # as it always was
    with pytest.raises(DefinitionError, match="messy: 41 is more than the set's 40 cases"):
        definition(calibration={"cases": 40, "messy": 41})
    with pytest.raises(DefinitionError):
        definition(boundaries=[])


@pytest.mark.parametrize(
    "before, after, field, kind",
    [
        (definition(), definition(boundaries=["legal threat"]), "steps[draft].boundaries", bar_sort.REQUEST),
        (definition(boundaries=["legal threat"]), definition(), None, bar_sort.TIGHTENING),
        (
            definition(boundaries=["legal threat"]),
            definition(boundaries=["legal threat", "refund over 500 EUR"]),
            None,
            bar_sort.TIGHTENING,
        ),
        (
            definition(),
            definition(calibration={"cases": 40, "messy": 10}),
            "steps[draft].calibration.messy",
            bar_sort.REQUEST,
        ),
        (
            definition(calibration={"cases": 40, "messy": 10}),
            definition(calibration={"cases": 40, "messy": 2}),
            None,
            bar_sort.TIGHTENING,
        ),
        (definition({"messy_min": 0.3}), definition({"messy_min": 0.1}), "messy_min", bar_sort.REQUEST),
        (definition(), definition({"messy_min": 0.3}), None, bar_sort.TIGHTENING),
        (definition({"messy_min": 0.3}), definition(), "messy_min", bar_sort.REQUEST),  # back to 0.2: lower
    ],
)
def test_a_change_that_could_open_the_gate_is_a_request_and_a_tightening_applies_at_once(before, after, field, kind):
    sorting = bar_sort.sort(before, after)
    assert sorting.kind == kind
    assert [c.field for c in sorting.waiting] == ([field] if field else [])
    assert bar_sort.apply_now(before, after, sorting) == (before if field else after)


def test_the_out_of_scope_share_is_of_every_case_seen():
    assert boundaries.out_of_scope_share(88, 12) == pytest.approx(0.12)
    assert out_of_scope_phrase(0.12) == "12% of cases out of scope"
    assert boundaries.out_of_scope_share(40, 0) == 0.0
    assert boundaries.out_of_scope_share(40, None) is None
    assert boundaries.out_of_scope_share(None, 3) == 1.0
