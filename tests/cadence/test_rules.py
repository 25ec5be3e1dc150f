"""The mode rules, checked against docs/playbooks.md and docs/usage.md line by line, then by property."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cadence.cycle_rules import cycle_result, ready_to_scale
from cadence.decisions import DecisionRule
from cadence.definition_rules import RuleSettings
from cadence.rules import LEVELS, Kind, StepState, Transition, TransitionRule, approve, evaluate, override, reject
from cadence.rules import pooled as rules_pooled
from cadence.verdicts import (
    FAIL,
    INCONCLUSIVE,
    MISSING,
    PASS,
    Thresholds,
    VerdictRule,
    WeekNumbers,
    WeekVerdict,
    judge,
    judge_with_rule,
)
from tests.conftest import examples

T = Thresholds.of(RuleSettings(), exception_cap=0.10, rubric_threshold=0.90)  # the schema's defaults
W1 = date(2026, 11, 16)


def week(n: int) -> date:
    return W1 + timedelta(days=7 * (n - 1))


def numbers(cases=20, exceptions=1, rubric=0.95):
    return WeekNumbers(cases, exceptions, rubric)


@pytest.mark.parametrize(
    ("n", "mode", "expected"),
    [
        (WeekNumbers(None, 3, 0.95), "ai-led", MISSING),  # 1. no case count
        (WeekNumbers(9, 0, 0.99), "collaborative", INCONCLUSIVE),  # 2. cases < min_cases
        (WeekNumbers(20, 3, 0.95), "collaborative", FAIL),  # 3. 15% > cap 10%
        (WeekNumbers(20, 1, 0.79), "collaborative", FAIL),  # 3. rubric below the floor (0.80)
        (WeekNumbers(20, 2, 0.90), "collaborative", PASS),  # 4. 10% <= cap and rubric >= threshold
        (WeekNumbers(20, 2, None), "ai-led", PASS),  # 4. ai-led with no rubric
        (WeekNumbers(20, 2, None), "collaborative", INCONCLUSIVE),  # 5. no rubric, not ai-led
        (WeekNumbers(20, 1, 0.85), "collaborative", INCONCLUSIVE),  # 5. between floor and threshold
        (WeekNumbers(10, 0, 0.90), "human-led", PASS),  # exactly min_cases, exactly the threshold
    ],
)
def test_verdicts(n, mode, expected):
    assert judge(n, mode, T) == expected


@pytest.mark.parametrize(
    ("n", "mode", "expected"),
    [
        (WeekNumbers(None, 0, None), "collaborative", (MISSING, VerdictRule.NO_CASE_COUNT)),
        (WeekNumbers(9, 0, 0.99), "collaborative", (INCONCLUSIVE, VerdictRule.TOO_FEW_CASES)),
        (WeekNumbers(9, 0, None), "ai-led", (INCONCLUSIVE, VerdictRule.TOO_FEW_CASES)),
        (WeekNumbers(20, 1, 0.85), "collaborative", (INCONCLUSIVE, VerdictRule.RUBRIC_BETWEEN)),
        # the floor itself is not below it
        (WeekNumbers(20, 1, 0.80), "ai-led", (INCONCLUSIVE, VerdictRule.RUBRIC_BETWEEN)),
        (WeekNumbers(20, 2, None), "collaborative", (INCONCLUSIVE, VerdictRule.NO_RUBRIC)),
        (WeekNumbers(20, 2, None), "human-led", (INCONCLUSIVE, VerdictRule.NO_RUBRIC)),
        (WeekNumbers(20, 2, None), "ai-led", (PASS, VerdictRule.AI_LED_NO_RUBRIC)),
    ],
)
def test_an_inconclusive_verdict_says_which_of_its_three_kinds_it_is(n, mode, expected):
    """Issue 39, item 18: too few cases, a rubric between the floor and the threshold, or
    no rubric from a step that is not AI-led: the rule that gave the verdict tells them apart."""
    assert judge_with_rule(n, mode, T) == expected


@settings(max_examples=examples(300), deadline=None)
@given(
    cases=st.none() | st.integers(0, 40),
    exceptions=st.integers(0, 10),
    rubric=st.none() | st.floats(0, 1),
    mode=st.sampled_from(LEVELS),
)
def test_an_inconclusive_verdict_is_always_one_of_its_three_kinds(cases, exceptions, rubric, mode):
    outcome, rule = judge_with_rule(WeekNumbers(cases, exceptions, rubric), mode, T)
    kinds = {VerdictRule.TOO_FEW_CASES, VerdictRule.RUBRIC_BETWEEN, VerdictRule.NO_RUBRIC}
    assert (outcome == INCONCLUSIVE) == (rule in kinds)
    if rule == VerdictRule.RUBRIC_BETWEEN:
        assert rubric is not None and T.rubric_floor <= rubric < T.rubric_threshold


@pytest.mark.parametrize("judgement", ["classic", "confident"])
def test_a_step_whose_sourced_number_failed_is_missing_whatever_else_it_has(judgement):
    """Failures are said, never guessed: exceptions that never came are not zero, and a
    rubric that never came does not make an AI-led step's PASS."""
    t = Thresholds.of(RuleSettings(judgement=judgement), exception_cap=0.10, rubric_threshold=0.90)
    for mode in LEVELS:
        assert judge_with_rule(WeekNumbers(40, 0, 0.95), mode, t, source_failed=True) == (
            MISSING,
            VerdictRule.SOURCE_FAILED,
        )
    assert judge_with_rule(WeekNumbers(40, 0, None), "ai-led", t)[0] == PASS  # the same numbers, none failed


def test_a_missing_week_adds_nothing_to_the_evidence_pooled_for_a_confident_pass():
    t = Thresholds.of(RuleSettings(judgement="confident"), exception_cap=0.10, rubric_threshold=0.90)
    before = StepState("draft", "collaborative", verdicts=(WeekVerdict(W1, MISSING, WeekNumbers(40, 0, 0.95)),))
    pooled = rules_pooled(WeekNumbers(30, 1, 0.95), t, before)  # the MISSING week's 40 cases are not counted
    assert pooled is not None and (pooled.weeks, pooled.cases) == (1, 30)


def test_rule_names_are_the_text_decision_rows_keep():
    """A decision row keeps its rule as this text (a transition's actor as "rule:<it>"):
    members may be added, but a value never changes, or rows already kept would name
    another rule or none."""
    assert {rule.value: sorted(rule.kinds) for rule in TransitionRule} == {
        "critical": ["demotion"],
        "over-cap": ["demotion"],  # issue 69, item 5: clearly over the cap demotes now
        "fails": ["demotion"],
        "unobserved": ["demotion", "warning"],
        "guardrail": ["demotion", "withdrawal"],
        "fail-withdraws": ["withdrawal"],
        "streak": ["proposal"],
        "freeze": ["freeze"],
        "approval": ["promotion"],
        "recovery": ["promotion"],  # issue 112, item 4: back from human-led review (demote_to)
        "rejection": ["rejection"],
        "override": ["override", "withdrawal"],
        "unfreeze": ["unfreeze"],
    }
    assert {rule.value for rule in VerdictRule} == {
        "1-no-case-count",
        "1-source-failed",
        "2-too-few-cases",
        "3-exceptions-over-cap",
        "3-rubric-below-floor",
        "4-within-cap-rubric-met",
        "4-within-cap-ai-led-no-rubric",
        "5-rubric-between-floor-and-threshold",
        "5-no-rubric",
        # added with `judgement: confident` (issue 42): the classic eight above are unchanged
        "3c-exceptions-surely-over-cap",
        "3c-rubric-surely-below-floor",
        "4c-surely-within-cap-rubric-met",
        "4c-surely-within-cap-ai-led-no-rubric",
        "5c-interval-spans-a-bound",
    }
    assert {rule.value for rule in DecisionRule} == {
        "scale",
        "guardrail",
        "readiness",
        "wave",
        "replication",
        "approval",
        "override",
        "curator",
        "definition",
        "slack",
        "stall",
        "pulse",  # issue 82: the pulse asked of the people
        "handoff",
    }
    assert TransitionRule("critical") is TransitionRule.CRITICAL  # a stored name reads back as its rule


def test_a_transition_of_a_kind_its_rule_does_not_make_is_refused():
    """The kinds a rule declares are the pairs the alert words (templates/mode_alert.json.j2):
    a rule cannot make a transition its declaration, and so its wording, leaves out."""
    with pytest.raises(ValueError, match="rule critical makes no warning"):
        Transition(Kind.WARNING, TransitionRule.CRITICAL, week(1), "ai-led")
    assert Transition(Kind.WARNING, TransitionRule.UNOBSERVED, week(1), "ai-led").rule == "unobserved"


def run(state, outcomes_numbers, t=T, start=1):
    """Evaluate weeks in order; returns all transitions and the final state."""
    transitions = []
    for i, n in enumerate(outcomes_numbers):
        v = WeekVerdict(week(start + i), judge(n, state.mode, t), n)
        found, state = evaluate(state, v, t)
        transitions += found
    return transitions, state


def test_critical_demotion_is_immediate_and_one_level():
    found, state = run(StepState("send", "ai-led"), [numbers(20, 5, None)])
    assert [(x.kind, x.rule, x.from_mode, x.to_mode) for x in found] == [
        ("demotion", "critical", "ai-led", "collaborative")
    ]
    assert found[0].figures["ratio"] == 0.25 and found[0].counter == "exceptions over 2 × cap in one week"
    assert state.mode == "collaborative"


def test_over_twice_the_cap_on_too_few_cases_demotes_only_when_clearly_over():
    """Too few cases for a FAIL, but 4 of 5 is clearly over the cap (95% CI 37.6-96.4%):
    an ai-led step is demoted whatever min_cases says (issue 109); 1 of 5 is noise."""
    found, state = run(StepState("send", "ai-led"), [numbers(5, 4, None)])
    assert [(x.rule, x.to_mode) for x in found] == [("over-cap", "collaborative")]
    found, state = run(StepState("send", "ai-led"), [numbers(5, 1, None)])
    assert found == [] and state.mode == "ai-led"


def test_demotion_on_two_fails_in_four_weeks():
    bad = numbers(20, 3, None)  # 15%: FAIL but not critical
    good = numbers(20, 1, None)
    found, _state = run(StepState("send", "ai-led"), [bad, good, good, bad])
    assert [(x.kind, x.rule, x.counter) for x in found] == [("demotion", "fails", "FAIL 2 of last 4 weeks")]
    found, _ = run(StepState("send", "ai-led"), [bad, good, good, good, bad])  # 5 weeks apart
    assert found == []


def test_weeks_before_a_demotion_are_not_counted_again():
    bad = numbers(20, 3, 0.95)
    found, state = run(StepState("draft", "ai-led"), [bad, bad, bad])
    assert [(x.kind, x.from_mode) for x in found] == [("demotion", "ai-led")]
    assert state.mode == "collaborative"


def test_unobserved_autonomy_warns_then_demotes():
    missing = WeekNumbers(None, 0, None)
    found, state = run(StepState("send", "ai-led"), [missing, missing, missing])
    assert [(x.kind, x.rule, x.counter) for x in found] == [
        ("warning", "unobserved", "MISSING 2 weeks in a row"),
        ("demotion", "unobserved", "MISSING 3 weeks in a row"),
    ]
    assert state.mode == "collaborative"
    found, _ = run(StepState("draft", "collaborative"), [missing] * 4)
    assert found == []  # only ai-led steps are "unobserved autonomy"


def test_promotion_proposal_after_two_passing_weeks():
    found, state = run(StepState("draft", "collaborative"), [numbers(), numbers()])
    assert [(x.kind, x.from_mode, x.to_mode, x.counter) for x in found] == [
        ("proposal", "collaborative", "ai-led", "PASS 2 weeks in a row")
    ]
    assert state.open_proposal
    found, state = run(state, [numbers()], start=3)
    assert found == []  # an open proposal is not proposed again


def test_any_other_verdict_resets_the_streak():
    inconclusive = numbers(5, 0, 0.99)
    found, _ = run(StepState("draft", "collaborative"), [numbers(), inconclusive, numbers()])
    assert found == []


def test_no_proposal_for_pinned_frozen_or_top_steps():
    for state in (
        StepState("refunds", "human-led", pinned=True),
        StepState("x", "collaborative", frozen=True),
        StepState("send", "ai-led"),
    ):
        found, _ = run(state, [numbers(20, 0, None), numbers(20, 0, None)])
        assert [x for x in found if x.kind == "proposal"] == []


def test_no_proposal_within_four_weeks_of_a_demotion():
    demoted_in = WeekVerdict(week(1), FAIL, numbers(20, 5, 0.95))  # the week of the demotion was evaluated too
    state = StepState("draft", "collaborative", verdicts=(demoted_in,), changes=(week(1),), demotions=(week(1),))
    found, state = run(state, [numbers()] * 3, start=2)  # weeks 2-4: cooldown
    assert found == []
    found, _ = run(state, [numbers()], start=5)  # week 5 is 4 evaluated weeks after week 1
    assert [x.kind for x in found] == ["proposal"]


def test_windows_count_evaluated_weeks_so_a_pause_neither_helps_nor_hurts():
    bad = numbers(20, 3, 0.95)  # FAIL, not critical
    paused = run(StepState("send", "collaborative"), [bad], start=1)[1]
    found, _ = run(paused, [numbers(), numbers(), bad], start=10)  # weeks 2-9 paused: no verdicts
    # FAIL 2 of the last 4 evaluated weeks (1, 10, 11, 12): demoted, though week 1 is 11 weeks back
    assert ("demotion", "fails") in [(x.kind, x.rule) for x in found]


def test_a_fail_withdraws_an_open_proposal():
    state = StepState("draft", "collaborative", open_proposal=True)
    found, state = run(state, [numbers(20, 3, 0.95)])
    assert [(x.kind, x.rule) for x in found] == [("withdrawal", "fail-withdraws")]
    assert not state.open_proposal


def test_rejection_restarts_the_streak():
    _, state = run(StepState("draft", "collaborative"), [numbers(), numbers()])
    state = reject(state, week(2))
    found, state = run(state, [numbers()], start=3)
    assert found == []
    found, _ = run(state, [numbers()], start=4)
    assert [x.kind for x in found] == ["proposal"]


def test_approval_promotes_one_level_and_restarts_counters():
    _, state = run(StepState("draft", "human-led"), [numbers(), numbers()])
    found, state = approve(state, week(3), T)
    assert [(x.kind, x.from_mode, x.to_mode) for x in found] == [("promotion", "human-led", "collaborative")]
    assert state.since_change() == ()


def test_freeze_after_three_changes_in_eight_weeks():
    state = StepState("draft", "collaborative", changes=(week(1), week(4)), demotions=(week(1),))
    found, state = override(state, "ai-led", week(6), T)
    assert [x.kind for x in found] == ["override", "freeze"]
    assert state.frozen and found[1].counter == "3 mode changes in 8 weeks"


def test_override_withdraws_an_open_proposal():
    found, state = override(StepState("draft", "collaborative", open_proposal=True), "human-led", week(2), T)
    assert [x.kind for x in found] == ["withdrawal", "override"] and state.mode == "human-led"


@pytest.mark.parametrize(
    ("values", "direction", "hit"),
    [
        ([14, 15, 13, None], "down", True),  # 3 weeks each at or under 15
        ([14, None, 13, None], "down", False),  # only 2 weeks with a value
        ([14, 16, 17, 15], "down", False),  # 2 weeks meet it
        ([16, 16, 1, 14], "down", False),  # mean 11.75 "hits", but only 2 weeks do: one outlier can't carry it
        ([16, 16, 1, None], "down", False),  # the case: mean 11 "hit" a target of 15
        ([0.5, 0.6, 0.7, 0.6], "up", True),  # target 0.6: 3 weeks at or above
    ],
)
def test_cycle_hits_target_when_3_weeks_each_meet_it(values, direction, hit):
    target = 15 if direction == "down" else 0.6
    assert cycle_result(1, values, target, direction, T).hit is hit


def test_a_cycle_result_says_which_weeks_met_the_target():
    result = cycle_result(1, [14, None, 16, 12], 15, "down", T)
    assert result.met == (True, None, False, True) and result.weeks_met == 2 and not result.hit


def test_ready_to_scale_after_two_hits_in_a_row():
    hit = cycle_result(1, [1, 1, 1, 1], 15, "down", T)
    miss = cycle_result(2, [99, 99, 99, 99], 15, "down", T)
    assert ready_to_scale([hit, hit], T) and not ready_to_scale([hit, miss], T)
    assert not ready_to_scale([hit], T) and ready_to_scale([miss, hit, hit], T)


# ---- properties -------------------------------------------------------------------

week_numbers = st.one_of(
    st.just(WeekNumbers(None, 0, None)),
    st.builds(
        lambda cases, share, rubric: WeekNumbers(cases, int(cases * share), rubric),
        st.integers(0, 40),
        st.floats(0, 0.5),
        st.one_of(st.none(), st.floats(0.5, 1.0)),
    ),
)


@settings(max_examples=examples(300), deadline=None)
@given(st.sampled_from(LEVELS), st.booleans(), st.lists(st.tuples(week_numbers, st.booleans()), max_size=20))
def test_properties_of_any_history(mode, pinned, weeks):
    state = StepState("step", "human-led" if pinned else mode, pinned=pinned)
    for i, (n, approve_if_open) in enumerate(weeks, start=1):
        v = WeekVerdict(week(i), judge(n, state.mode, T), n)
        before = state
        found, state = evaluate(before, v, T)
        # the same history always gives the same decisions
        assert evaluate(before, v, T) == (found, state)
        # evaluating a week twice changes nothing
        assert evaluate(state, v, T) == ([], state)
        for x in found:
            if x.changes_mode:  # rules move one level at a time
                assert abs(LEVELS.index(x.to_mode) - LEVELS.index(x.from_mode)) == 1
            if x.kind == "proposal":  # never without the full PASS streak since the last change
                recent = [w.outcome for w in state.since_change()][-T.promote_after_weeks :]
                assert len(recent) == T.promote_after_weeks and set(recent) == {PASS}
                assert not state.pinned and not state.frozen
        if approve_if_open and state.open_proposal:
            found, state = approve(state, week(i), T)
            assert all(abs(LEVELS.index(x.to_mode) - LEVELS.index(x.from_mode)) == 1 for x in found if x.changes_mode)
        if state.pinned:
            assert state.mode == "human-led"
