"""Issue 112, item 4: `demote_to: human-led` and `recover_after` (cadence/recovery.py): the
schema, the rules' demotion straight to human-led and the recovery back to collaborative,
the one function's clearing of that move, and the bar sorter's judgement of the fields."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cadence import bar_sort, closing, recovery, rules
from cadence.definition_load import DefinitionError, parse_playbook
from cadence.definition_rules import RuleSettings
from cadence.mode_move import Move
from cadence.rules import Kind, StepState, TransitionRule
from cadence.verdicts import FAIL, INCONCLUSIVE, PASS, Thresholds, WeekNumbers, WeekVerdict
from tests.conftest import SUPPORT_REPLIES

T = Thresholds.of(RuleSettings(), exception_cap=0.10, rubric_threshold=0.90)
W = [date(2027, 1, 4) + timedelta(days=7 * i) for i in range(10)]
GOOD, BAD = WeekNumbers(40, 0, 0.95), WeekNumbers(20, 6, 0.95)  # 6 of 20: over twice the cap


def canonical(send=None, **changes):
    steps = [{**s, **(send or {})} if s["name"] == "send" else s for s in SUPPORT_REPLIES["steps"]]
    return parse_playbook({**SUPPORT_REPLIES, "steps": steps, **changes}).canonical()


def _send(definition):
    return next(s for s in definition["steps"] if s["name"] == "send")


# ---- the schema ----


def test_demote_to_and_recover_after_are_kept_only_where_given():
    assert "demote_to" not in _send(canonical()) and "recover_after" not in _send(canonical())
    declared = _send(canonical({"demote_to": "human-led"}))
    assert declared["demote_to"] == "human-led" and "recover_after" not in declared
    assert recovery.recover_after(canonical({"demote_to": "human-led"}), "send") == 2  # the default
    assert recovery.recover_after(canonical({"demote_to": "human-led", "recover_after": 3}), "send") == 3
    assert recovery.recover_after(canonical(), "send") is None


@pytest.mark.parametrize(
    ("send", "words"),
    [
        ({"recover_after": 2}, "recover_after goes with demote_to: human-led"),
        ({"demote_to": "collaborative"}, "demote_to"),
        ({"demote_to": "human-led", "recover_after": 0}, "recover_after"),
        ({"demote_to": "human-led", "recover_after": 9}, "recover_after"),
    ],
)
def test_what_the_schema_refuses_is_named(send, words):
    with pytest.raises(DefinitionError, match=words):
        canonical(send)


# ---- the rules ----


def _state(mode, verdicts=(), **kw):
    return StepState("send", mode, verdicts=tuple(verdicts), **kw)


def _run(state, weeks):
    """Each (week, numbers, outcome) evaluated in turn: every transition, and the state after."""
    found = []
    for at, numbers, outcome in weeks:
        transitions, state = rules.evaluate(state, WeekVerdict(at, outcome, numbers), T)
        found += transitions
    return found, state


@pytest.mark.parametrize("mode", ["ai-led", "collaborative"])
def test_a_demotion_goes_straight_to_human_led_with_demote_to(mode):
    found, after = _run(_state(mode, recover_after=2), [(W[0], BAD, FAIL)])
    [demotion] = [t for t in found if t.kind is Kind.DEMOTION]
    assert (demotion.rule, demotion.from_mode, demotion.to_mode) == (TransitionRule.CRITICAL, mode, "human-led")
    assert demotion.figures["demote_to"] == "human-led" and demotion.figures["recover_after"] == 2
    assert after.mode == "human-led"


def test_without_demote_to_a_demotion_goes_one_level_as_before():
    found, after = _run(_state("ai-led"), [(W[0], BAD, FAIL)])
    assert [t.to_mode for t in found if t.kind is Kind.DEMOTION] == ["collaborative"] and after.mode == "collaborative"


def test_recover_after_pass_weeks_in_a_row_return_it_a_fail_or_an_unsure_week_restarting_the_count():
    state = _state("human-led", recover_after=2, review_since=W[0], changes=(W[0],), demotions=(W[0],))
    weeks = [(W[1], GOOD, PASS), (W[2], BAD, FAIL), (W[3], GOOD, PASS), (W[4], GOOD, INCONCLUSIVE)]
    found, after = _run(state, weeks)
    assert found == [] and after.mode == "human-led"  # no proposal either: its way back is the recovery
    found, after = _run(after, [(W[5], GOOD, PASS), (W[6], GOOD, PASS)])
    [back] = found
    assert (back.kind, back.rule, back.from_mode, back.to_mode) == (
        Kind.PROMOTION,
        TransitionRule.RECOVERY,
        "human-led",
        "collaborative",
    )
    assert back.figures["streak"] == 2 and [w["week"] for w in back.figures["pass_weeks"]] == [
        W[5].isoformat(),
        W[6].isoformat(),
    ]
    assert after.mode == "collaborative" and not after.recovering


@pytest.mark.parametrize("kw", [{"frozen": True}, {"ceiling": "human-led"}, {"review_since": None}])
def test_a_frozen_step_one_at_its_pilots_ceiling_or_one_not_under_review_does_not_recover(kw):
    state = _state("human-led", **{"recover_after": 1, "review_since": W[0], "changes": (W[0],), **kw})
    found, after = _run(state, [(W[1], GOOD, PASS)])
    assert not any(t.rule is TransitionRule.RECOVERY for t in found) and after.mode == "human-led"


def test_review_since_is_the_last_mode_change_only_when_it_was_a_demote_to_demotion():
    review = {"demote_to": "human-led"}
    assert recovery.review_since([(W[0], "human-led", review)]) == W[0]
    assert recovery.review_since([(W[0], "human-led", review), (W[1], "collaborative", {})]) is None
    assert recovery.review_since([(W[0], "human-led", {})]) is None  # a demotion one level, or a person's


# ---- the close: the move through the one function ----


def _closing(**kw):
    before = _state("human-led", recover_after=1, review_since=W[0], changes=(W[0],))
    return closing.StepClosing(1, 7, "send", "human-led", GOOD, before, False, recover_after=1, **kw)


def test_the_close_clears_a_recovery_through_take_effect():
    judged = closing.judge_step(_closing(), W[1], T, None)
    assert [t.rule for t in judged.transitions] == [TransitionRule.RECOVERY]
    assert isinstance(judged.cleared, Move) and judged.cleared.cleared and judged.cleared.to_mode == "collaborative"


def test_a_recovery_waits_while_an_adopting_teams_training_waits():
    judged = closing.judge_step(_closing(piloting=True, pilot_mode="ai-led", training_waits=True), W[1], T, None)
    assert judged.transitions == [] and judged.cleared is None


# ---- the bar ----


def test_declaring_demote_to_tightens_and_removing_it_or_a_shorter_review_waits():
    one_level, review = canonical(), canonical({"demote_to": "human-led"})
    assert bar_sort.sort(one_level, review).kind == bar_sort.TIGHTENING
    assert bar_sort.sort(review, canonical({"demote_to": "human-led", "recover_after": 4})).kind == bar_sort.TIGHTENING
    removed = bar_sort.sort(review, one_level)
    assert removed.kind == bar_sort.REQUEST
    assert [c.field for c in removed.waiting] == ["steps[send].demote_to"]
    shorter = bar_sort.sort(review, canonical({"demote_to": "human-led", "recover_after": 1}))
    assert shorter.kind == bar_sort.REQUEST
    assert [c.words for c in shorter.waiting] == ["step send recover_after 2 → 1 PASS weeks"]
    put_back = bar_sort.apply_now(review, canonical({"demote_to": "human-led", "recover_after": 1}), shorter)
    assert "recover_after" not in _send(put_back)
