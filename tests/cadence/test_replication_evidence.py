"""Replication on evidence (issue 93, item 6): an adopting cycle with a step that reported no
case count in any week, or with a FAIL week, is not `replicated`, with the reason."""

from datetime import date, timedelta

from cadence import replication
from cadence.replication_evidence import NO_CASES, evidence_gap
from cadence.verdicts import FAIL, INCONCLUSIVE, MISSING, PASS, WeekNumbers, WeekVerdict

START = date(2027, 1, 18)


def week(n, outcome, cases):
    return WeekVerdict(START + timedelta(days=7 * (n - 1)), outcome, WeekNumbers(cases, 0, None))


def test_a_step_with_no_case_count_all_cycle_is_no_evidence():
    cycle = {"draft": [week(n, PASS, 20) for n in range(1, 5)], "send": [week(n, MISSING, None) for n in range(1, 5)]}
    assert evidence_gap(cycle, START) == NO_CASES == "no evidence of exceptions: report cases"


def test_a_fail_week_names_itself():
    cycle = {"draft": [week(1, PASS, 20), week(2, FAIL, 20), week(3, PASS, 20), week(4, INCONCLUSIVE, 5)]}
    assert evidence_gap(cycle, START) == "week 2 FAILed: fix the rubric before scaling"


def test_a_week_without_cases_among_weeks_with_them_is_evidence_enough():
    cycle = {"draft": [week(1, MISSING, None), *(week(n, PASS, 20) for n in range(2, 5))]}
    assert evidence_gap(cycle, START) is None


def test_the_gap_holds_a_hit_back_to_on_track():
    match = replication.Match(-0.7, -0.6, "down", 0.8)
    held = replication.held_back(match, [], False, "week 2 FAILed: fix the rubric before scaling")
    assert held == "week 2 FAILed: fix the rubric before scaling"
    assert replication.replication_verdict(True, 0.7, 0.6, True, held) == replication.ON_TRACK
    assert replication.held_back(match, [], False, None) is None
