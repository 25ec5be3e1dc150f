"""Small weeks are pooled (cadence.pooling.pool, cadence.closing.judge_step): a step's week
under min_cases is pooled with the next weeks of its cycle until the pool reaches
min_cases, and the pool is judged once, as a week is; still short at the cycle's end, it
is INCONCLUSIVE. Evidence needs cases: no case count is no evidence."""

from datetime import date, timedelta

from cadence import closing, rules
from cadence.definition_rules import RuleSettings
from cadence.pooling import Bar
from cadence.rules import Kind, StepState
from cadence.verdicts import FAIL, INCONCLUSIVE, MISSING, PASS, Thresholds, VerdictRule, WeekNumbers
from cadence.verdicts import WeekVerdict as V
from templates import inconclusive_reason, pool_phrase

T = Thresholds.of(RuleSettings(), exception_cap=0.10, rubric_threshold=0.90)  # min_cases 10
T25 = Thresholds.of(RuleSettings(min_cases=25), exception_cap=0.10, rubric_threshold=0.90)
CYCLE = date(2026, 11, 16)


def week(n: int) -> date:
    return CYCLE + timedelta(days=7 * (n - 1))


def short(n: int, cases: int, exceptions: int, rubric: float | None = None) -> V:
    return V(week(n), INCONCLUSIVE, WeekNumbers(cases, exceptions, rubric), VerdictRule.TOO_FEW_CASES)


def judged(
    mode: str, numbers: WeekNumbers, n: int, *before: V, t: Thresholds = T, bars: dict[date, Bar] | None = None
) -> closing.StepJudged:
    state = StepState("draft", mode, verdicts=tuple(before))
    closing_week = closing.StepClosing(1, 7, "draft", mode, numbers, state, False, cycle_start=CYCLE, bars=bars)
    return closing.judge_step(closing_week, week(n), t, None)


def test_three_small_weeks_over_the_cap_are_pooled_judged_once_and_demote():
    """The issue's step at 3 of 9, 2 of 9 and 3 of 9 against a 10% cap (min_cases 25): never judged before."""
    still = judged("collaborative", WeekNumbers(9, 2, None), 2, short(1, 9, 3), t=T25)
    assert still.outcome == INCONCLUSIVE and pool_phrase(still.decision.figures["pool"], T25) == (
        "weeks 1–2 pooled: 18 cases, fewer than the 25 needed"
    )
    found = judged("collaborative", WeekNumbers(9, 3, None), 3, short(1, 9, 3), short(2, 9, 2), t=T25)
    assert found.pool is not None and found.pool.weeks == (week(1), week(2), week(3))
    assert found.pool.numbers[:2] == (27, 8)
    assert (found.outcome, found.rule) == (FAIL, VerdictRule.EXCEPTIONS_OVER_CAP)
    [demotion] = found.transitions
    assert (demotion.kind, demotion.rule) == (Kind.DEMOTION, rules.TransitionRule.CRITICAL)  # 30% > 2 × 10%
    kept = found.decision.figures
    assert kept["pool"] == dict(weeks=[1, 2, 3], cases=27, exceptions=8, ratio=8 / 27, rubric=None, reviewed=None)
    assert kept["cases"] == 9  # the week's own numbers stay its own
    assert pool_phrase(kept["pool"], T25) == "weeks 1–3 pooled: 8 of 27 = 30% (95% CI 16–48%)"


def test_a_pool_that_reaches_min_cases_within_the_cap_passes_on_its_pooled_rubric():
    found = judged("collaborative", WeekNumbers(6, 0, 0.95, 6), 2, short(1, 6, 0, 0.9))
    assert (found.outcome, found.rule) == (PASS, VerdictRule.RUBRIC_MET)
    assert found.pool is not None and found.pool.numbers == WeekNumbers(12, 0, 11 / 12, 12)


def test_a_pool_still_short_is_inconclusive_and_says_how_many_cases():
    found = judged("collaborative", WeekNumbers(3, 0, None), 2, short(1, 4, 0))
    assert (found.outcome, found.rule) == (INCONCLUSIVE, VerdictRule.TOO_FEW_CASES)
    assert pool_phrase(found.decision.figures["pool"], T) == "weeks 1–2 pooled: 7 cases, fewer than the 10 needed"


def test_a_pool_stays_within_its_cycle_and_after_the_last_judged_week():
    last_cycle = V(CYCLE - timedelta(days=7), INCONCLUSIVE, WeekNumbers(9, 5, None), VerdictRule.TOO_FEW_CASES)
    alone = judged("collaborative", WeekNumbers(9, 0, None), 1, last_cycle)
    assert alone.pool is None and alone.outcome == INCONCLUSIVE  # the cycle's end ended that pool
    judged_week = V(week(2), PASS, WeekNumbers(30, 0, 0.95), VerdictRule.RUBRIC_MET)
    after = judged("collaborative", WeekNumbers(5, 0, None), 3, short(1, 5, 0), judged_week)
    assert after.pool is None  # week 1 was pooled into week 2's judgement already


def test_a_week_without_a_case_count_adds_nothing_to_a_pool_and_is_no_evidence():
    missing = V(week(2), MISSING, WeekNumbers(None, 0, 0.95), VerdictRule.NO_CASE_COUNT)
    found = judged("collaborative", WeekNumbers(6, 2, None), 3, short(1, 6, 0), missing)
    assert found.pool is not None and found.pool.weeks == (week(1), week(3)) and found.pool.numbers[:2] == (12, 2)
    uncounted = judged("collaborative", WeekNumbers(None, 0, 0.95), 2, short(1, 6, 0))
    assert uncounted.pool is None and uncounted.outcome == MISSING


def test_no_cases_is_no_cases_never_within_the_cap():

    found = judged("collaborative", WeekNumbers(0, 0, None), 1)
    assert (found.outcome, found.rule) == (INCONCLUSIVE, VerdictRule.TOO_FEW_CASES)
    assert inconclusive_reason(found.rule, 0, None, T) == "no cases"


def test_a_pool_that_spans_a_tightening_is_judged_by_its_last_weeks_bar_and_says_so():
    """Issue 81: weeks 1 and 2 were judged by a 15% cap, tightened to 10% before week 3 (a
    tightening applies at once). The pool, 4 of 27 = 15%, is within the old cap and over the new."""
    looser = Bar.of(T25)._replace(cap=0.15)
    found = judged(
        "collaborative",
        WeekNumbers(9, 2, None),
        3,
        short(1, 9, 1),
        short(2, 9, 1),
        t=T25,
        bars={week(1): looser, week(2): looser},
    )
    assert found.pool is not None and found.pool.bars == (looser, looser)
    assert (found.outcome, found.rule) == (FAIL, VerdictRule.EXCEPTIONS_OVER_CAP)  # by week 3's 10%
    kept = found.decision.figures
    assert kept["cap"] == 0.10 and kept["pool"]["bar_before"] == {"cap": [0.15]}
    assert pool_phrase(kept["pool"], T25) == (
        "weeks 1–3 pooled: 4 of 27 = 15% (95% CI 6–32%), judged by week 3's bar (cap 10%; 15% before)"
    )


def test_a_pool_still_short_after_min_cases_was_raised_says_so_too():
    lower = Bar.of(T25)._replace(min_cases=10)
    found = judged("collaborative", WeekNumbers(4, 0, None), 2, short(1, 5, 0), t=T25, bars={week(1): lower})
    assert (found.outcome, found.rule) == (INCONCLUSIVE, VerdictRule.TOO_FEW_CASES)
    assert pool_phrase(found.decision.figures["pool"], T25) == (
        "weeks 1–2 pooled: 9 cases, fewer than the 25 needed, judged by week 2's bar (min cases 25; 10 before)"
    )


def test_a_pool_whose_bar_held_or_is_unknown_says_what_it_said_before():
    """The same bar in every week, or an earlier week's bar not read: the words unchanged, byte for byte."""
    for bars in ({week(1): Bar.of(T25), week(2): Bar.of(T25)}, {}, None, {week(1): Bar(None, None, None, None)}):
        found = judged("collaborative", WeekNumbers(9, 3, None), 3, short(1, 9, 3), short(2, 9, 2), t=T25, bars=bars)
        assert "bar_before" not in found.decision.figures["pool"]
        assert pool_phrase(found.decision.figures["pool"], T25) == "weeks 1–3 pooled: 8 of 27 = 30% (95% CI 16–48%)"
