"""Issue 69, item 5: a week clearly over the cap (its 95% Wilson interval's lower bound
above the cap, on at least `min_cases` cases) demotes the step at once, in either
judgement mode; a week over the cap within noise is a FAIL towards 2 of 4 as before.

The bounds are worked by hand (Wilson, z = 1.959964):
- 18/100: centre (0.18 + z²/200) / (1 + z²/100) = 0.19921 / 1.03841 = 0.19184, half-width
  z·sqrt(0.18·0.82/100 + z²/40000) / 1.03841 = 0.07484, so 11.70%-26.67%: over a 10% cap.
- 12/100: centre 0.13476 / 1.03841 = 0.12977, half-width 0.06407 → 7.00%-19.81%: not over.
- 3/9: 12.06%-64.58%, over 10%, but 9 cases < min_cases 10: no verdict to demote on."""

from datetime import date, timedelta

import pytest

from cadence.definition_rules import RuleSettings
from cadence.judgement import clearly_over_cap
from cadence.rules import StepState, evaluate
from cadence.verdicts import FAIL, INCONCLUSIVE, Thresholds, WeekNumbers, WeekVerdict, judge

W1 = date(2026, 11, 16)


def thresholds(judgement: str = "classic", min_cases: int = 10) -> Thresholds:
    settings = RuleSettings(judgement=judgement, min_cases=min_cases)
    return Thresholds.of(settings, exception_cap=0.10, rubric_threshold=0.90)


def close(state: StepState, weeks: list[tuple[int, int]], t: Thresholds):
    transitions = []
    for i, (cases, exceptions) in enumerate(weeks):
        n = WeekNumbers(cases, exceptions, None)
        found, state = evaluate(state, WeekVerdict(W1 + timedelta(weeks=i), judge(n, state.mode, t), n), t)
        transitions += found
    return transitions, state


def test_the_hand_computed_bounds():
    over = clearly_over_cap(18, 100, 0.10, 10)
    assert (
        over is not None
        and over.low == pytest.approx(0.1170, abs=5e-5)
        and over.high == pytest.approx(0.2667, abs=5e-5)
    )
    assert clearly_over_cap(12, 100, 0.10, 10) is None  # 7.0%-19.8%: within noise of the cap
    assert clearly_over_cap(3, 9, 0.10, 10) is None  # over, but on too few cases
    assert clearly_over_cap(3, 9, 0.10, 9) is not None  # the same week where 9 cases may be judged
    assert clearly_over_cap(0, None, 0.10, 10) is None


@pytest.mark.parametrize("judgement", ["classic", "confident"])
def test_18_of_100_against_a_10_percent_cap_demotes_at_once(judgement):
    found, state = close(StepState("send", "ai-led"), [(100, 18)], thresholds(judgement))
    assert [(x.kind, x.rule, x.from_mode, x.to_mode) for x in found] == [
        ("demotion", "over-cap", "ai-led", "collaborative")
    ]
    figures = found[0].figures
    assert figures["rule"] == "over-cap" and figures["cases"] == 100 and figures["exceptions"] == 18
    assert round(figures["ci_low"], 3) == 0.117 and round(figures["ci_high"], 3) == 0.267
    assert found[0].counter == "exceptions clearly over the cap in one week (95% CI 11.7-26.7% > cap 10%)"
    assert state.mode == "collaborative"


@pytest.mark.parametrize("judgement", ["classic", "confident"])
def test_over_twice_the_cap_is_still_the_critical_rule(judgement):
    found, _ = close(StepState("send", "ai-led"), [(100, 25)], thresholds(judgement))
    assert [(x.rule, x.to_mode) for x in found] == [("critical", "collaborative")]


def test_12_of_100_is_a_fail_only_and_two_of_four_demote_as_before():
    t = thresholds()
    found, state = close(StepState("send", "collaborative"), [(100, 12)], t)
    assert found == [] and state.mode == "collaborative" and state.verdicts[-1].outcome == FAIL
    found, state = close(StepState("send", "collaborative"), [(100, 12), (100, 5), (100, 12)], t)
    assert [(x.rule, x.to_mode) for x in found] == [("fails", "human-led")]


def test_3_of_9_with_min_cases_10_demotes_an_ai_led_step_whatever_min_cases_says():
    """Demotion cannot be switched off (issue 109): 3 of 9 is INCONCLUSIVE under min_cases
    10, but its interval (12.1-64.6%) is clearly over a 10% cap: an ai-led step is demoted;
    a collaborative one is not (the week is too small to count as a FAIL)."""
    found, state = close(StepState("send", "ai-led"), [(9, 3)], thresholds())
    assert [(x.rule, x.to_mode) for x in found] == [("over-cap", "collaborative")]
    assert state.verdicts[-1].outcome == INCONCLUSIVE and "whatever min_cases 10 says" in found[0].counter
    found, state = close(StepState("send", "collaborative"), [(9, 3)], thresholds())
    assert found == [] and state.mode == "collaborative"


def test_150_of_200_under_min_cases_100000_still_demotes():
    """The issue's case: `min_cases: 100000` makes every week INCONCLUSIVE; 150 exceptions
    of 200 on an ai-led step still demote it."""
    found, _ = close(StepState("send", "ai-led"), [(200, 150)], thresholds(min_cases=100000))
    assert [(x.kind, x.rule, x.to_mode) for x in found] == [("demotion", "over-cap", "collaborative")]


def test_2_of_9_is_within_noise_of_the_cap_and_stays():
    found, state = close(StepState("send", "ai-led"), [(9, 1)], thresholds())
    assert found == [] and state.mode == "ai-led"


def test_human_led_is_the_floor_for_over_cap_too():
    found, state = close(StepState("send", "human-led"), [(100, 18)], thresholds())
    assert found == [] and state.mode == "human-led"
