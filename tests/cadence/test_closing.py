"""The week's close, judged without a database (cadence/closing.py): the guardrail with
its breaches in a row, and a step's verdict with the transitions it causes."""

from datetime import date, timedelta

from cadence import closing, rules
from cadence.cycle_rules import BREACHED
from cadence.definition_rules import RuleSettings
from cadence.rules import Kind, StepState
from cadence.verdicts import FAIL, MISSING, PASS, Thresholds, WeekNumbers, WeekVerdict, judge_with_rule

T = Thresholds.of(RuleSettings(), exception_cap=0.10, rubric_threshold=0.90)  # the schema's defaults
W = date(2026, 11, 16)
CSAT = closing.GuardrailSpec(1, "CSAT", "%", 90.0, None)
GOOD = WeekNumbers(40, 0, 0.95, 40)


def weeks_back(*n: int) -> list[date]:
    return [W - timedelta(days=7 * i) for i in n]


def step(
    mode: str, numbers: WeekNumbers = GOOD, before: StepState | None = None, source_failed: bool = False, **rest
) -> closing.StepClosing:
    return closing.StepClosing(1, 7, "draft", mode, numbers, before or StepState("draft", mode), source_failed, **rest)


def test_a_guardrail_within_its_bound_holds_and_counts_no_breach():
    found = closing.guardrail(CSAT, W, 95.0, dict.fromkeys(weeks_back(1), BREACHED))
    assert (found.state, found.breaches_in_a_row) == ("HOLDS", 0)
    assert found.decision.figures == {"state": "HOLDS", "value": 95.0, "min": 90.0, "max": None, "name": "CSAT"}


def test_breaches_in_a_row_count_back_until_a_week_that_was_not_breached():
    earlier = dict.fromkeys(weeks_back(1, 2, 4), BREACHED)  # week 3 back held: the run stops there
    found = closing.guardrail(CSAT, W, 80.0, earlier)
    assert (found.state, found.breaches_in_a_row, found.unit) == (BREACHED, 3, "%")


def test_no_reading_is_missing_not_a_breach():
    found = closing.guardrail(CSAT, W, None, dict.fromkeys(weeks_back(1), BREACHED))
    assert (found.state, found.breaches_in_a_row) == ("MISSING", 0)


def test_a_step_is_judged_by_the_rules_with_the_rule_that_decided():
    judged = closing.judge_step(step("collaborative"), W, T, None)
    assert (judged.outcome, judged.rule) == (PASS, judge_with_rule(GOOD, "collaborative", T)[1])
    assert judged.decision.step_id == 7 and judged.transitions == []
    failing = closing.judge_step(step("collaborative", WeekNumbers(40, 20, 0.95, 40)), W, T, None)
    assert failing.outcome == FAIL


def test_a_step_whose_source_failed_is_missing_and_pools_nothing():
    judged = closing.judge_step(step("human-led", source_failed=True), W, T, None)
    assert (judged.outcome, judged.evidence, judged.transitions) == (MISSING, None, [])


def test_a_breached_guardrail_demotes_an_ai_led_step_only():
    breached = closing.guardrail(CSAT, W, 80.0, dict.fromkeys(weeks_back(1, 2), BREACHED))
    kinds = {
        mode: [t.kind for t in closing.judge_step(step(mode), W, T, breached).transitions] for mode in rules.LEVELS
    }
    assert kinds["ai-led"] == [Kind.DEMOTION]
    assert kinds["collaborative"] == kinds["human-led"] == []


def test_a_first_cycle_pilot_proposes_no_step_above_the_mode_it_adopted():
    passes = tuple(WeekVerdict(d, PASS, GOOD) for d in weeks_back(3, 2, 1))
    before = StepState("draft", "collaborative", verdicts=passes)
    free = closing.judge_step(step("collaborative", before=before), W, T, None)
    assert [(t.kind, t.to_mode) for t in free.transitions] == [(Kind.PROPOSAL, "ai-led")]
    capped = step("collaborative", before=before, pilot_mode="collaborative", piloting=True)
    assert closing.judge_step(capped, W, T, None).transitions == []
    above = step("collaborative", before=before, pilot_mode="ai-led", piloting=True)
    assert [t.kind for t in closing.judge_step(above, W, T, None).transitions] == [Kind.PROPOSAL]


def test_a_close_knows_which_steps_it_may_demote_before_judging_them():
    """cadence.closing.may_demote, the close's reason to read a playbook's open exception
    items beforehand: every week that demotes a step is of a step it says may be demoted."""
    critical = WeekNumbers(40, 30, 0.95, 40)
    breached = closing.guardrail(CSAT, W, 80.0, dict.fromkeys(weeks_back(1, 2), BREACHED))
    missing = tuple(WeekVerdict(d, MISSING, WeekNumbers(None, 0, None, 0)) for d in weeks_back(3, 2, 1))
    weeks = [(critical, None, ()), (GOOD, breached, ()), (WeekNumbers(None, 0, None, 0), None, missing)]
    demoted = set()
    for mode in rules.LEVELS:
        for numbers, guardrail, verdicts in weeks:
            judged = closing.judge_step(
                step(mode, numbers, StepState("draft", mode, verdicts=verdicts)), W, T, guardrail
            )
            if any(t.kind is Kind.DEMOTION for t in judged.transitions):
                demoted.add(mode)
                assert closing.may_demote(mode)
    assert demoted == {"collaborative", "ai-led"}
    assert not closing.may_demote("human-led")
