"""The close's calibration hold (cadence/calibration.py), pure: which steps a close reads
the standings of beforehand, and a proposal to ai-led held back, or let go with its run,
given the step's standing."""

from datetime import UTC, date, datetime

from cadence import calibration
from cadence.calibration import BELOW, MISSING, NO_SET, STALE, Run, Wait, basis, hold, may_hold, standing
from cadence.definition_load import parse_playbook
from cadence.rules import Kind, Transition, TransitionRule
from tests.conftest import SUPPORT_REPLIES

AT = datetime(2026, 11, 20, 12, tzinfo=UTC)
W = date(2026, 11, 16)


def definition(**step_changes) -> dict:
    steps = [
        {"name": "draft", "mode": "collaborative", "calibration": {"cases": 40}, **step_changes},
        {"name": "send", "mode": "ai-led"},
        {"name": "refunds", "mode": "human-led", "calibration": {"cases": 10}},
    ]
    return parse_playbook({**SUPPORT_REPLIES, "steps": steps}).canonical()


D = definition()


def run_of(passed: int = 38, revision: int | None = 5, step: str = "draft") -> Run:
    return Run(passed, 40, basis(D, step), "UOWNER0001", AT, revision)


def proposal(to_mode: str = "ai-led") -> Transition:
    from_mode = "collaborative" if to_mode == "ai-led" else "human-led"
    return Transition(
        Kind.PROPOSAL, TransitionRule.STREAK, W, from_mode, to_mode, "PASS 3 weeks in a row", {"streak": 3}
    )


WARNING = Transition(Kind.WARNING, TransitionRule.UNOBSERVED, W, "ai-led", None, "MISSING 2 weeks in a row")


def test_a_proposal_to_ai_led_waits_for_a_missing_run_and_says_why():
    one = standing(D, "draft", None, False, 0.9)
    kept, waits = hold([proposal()], one)
    assert kept == []
    assert waits == [Wait(MISSING, "no run of its 40 cases yet", None)]


def test_a_stale_or_low_run_holds_it_with_the_runs_time():
    stale = standing(D, "draft", run_of(), True, 0.9)
    assert hold([proposal()], stale) == ([], [Wait(STALE, stale.words(), AT)])
    low = standing(D, "draft", run_of(30), False, 0.9)
    assert hold([proposal()], low) == ([], [Wait(BELOW, "30/40 = 75%, below the threshold 90%", AT)])


def test_a_current_run_lets_it_go_showing_the_run():
    one = standing(D, "draft", run_of(), False, 0.9)
    [kept], waits = hold([proposal()], one)
    assert waits == []
    assert kept.figures == {"streak": 3, "calibration": "38/40 = 95%, current"}
    assert (kept.kind, kept.to_mode, kept.counter) == (Kind.PROPOSAL, "ai-led", "PASS 3 weeks in a row")


def test_other_transitions_go_unchanged_and_a_step_without_a_set_waits_unless_it_says_none():
    missing = standing(D, "draft", None, False, 0.9)
    transitions = [WARNING, proposal("collaborative")]
    assert hold(transitions, missing) == (transitions, [])  # no proposal to ai-led: nothing held
    assert hold(transitions, None) == (transitions, [])
    kept, waits = hold([WARNING, proposal()], None)  # no set declared: calibration is its evidence
    assert kept == [WARNING] and [(w.why, w.standing) for w in waits] == [(NO_SET, "no calibration set")]
    [said] = hold([proposal()], None, "the <model> only ranks, a person sends")[0]  # calibration: none
    assert said.figures["calibration"] == "no calibration set: the <model> only ranks, a person sends"
    kept, waits = hold([WARNING, proposal()], missing)
    assert kept == [WARNING] and [w.why for w in waits] == [MISSING]


def test_a_close_reads_the_standing_of_a_step_with_a_set_one_below_ai_led():
    assert may_hold(D, "draft", "collaborative")
    assert not may_hold(D, "draft", "ai-led")  # nothing above it to propose
    assert not may_hold(D, "refunds", "human-led")  # a proposal to collaborative does not wait
    assert not may_hold(D, "send", "collaborative")  # no set declared for it


def test_a_definition_without_any_set_is_told_at_once():
    assert calibration.declares_any(D)
    plain = parse_playbook(SUPPORT_REPLIES).canonical()
    assert not calibration.declares_any(plain)
    assert not any(may_hold(plain, s["name"], "collaborative") for s in plain["steps"])
    whole = parse_playbook({**SUPPORT_REPLIES, "calibration": {"cases": 20}}).canonical()  # the playbook's
    assert calibration.declares_any(whole)


def test_a_change_of_a_steps_model_or_prompt_makes_its_run_stale_by_itself():
    plain = parse_playbook(SUPPORT_REPLIES).canonical()
    steps = [{**s, "model": "gpt-5.1 2026-09", "prompt": "v7"} if s["name"] == "draft" else s for s in plain["steps"]]
    declared = {**plain, "steps": steps}
    assert basis(plain, "send") == basis(declared, "send")  # a step without them keeps its runs' basis
    assert basis(plain, "draft") != basis(declared, "draft")
    newer = {**declared, "steps": [{**s, "model": "gpt-5.2"} if s["name"] == "draft" else s for s in steps]}
    assert basis(declared, "draft") != basis(newer, "draft")
    prompted = {**declared, "steps": [{**s, "prompt": "v8"} if s["name"] == "draft" else s for s in steps]}
    assert basis(declared, "draft") != basis(prompted, "draft")
