"""Usage cohorts (cadence/usage_cohorts.py; docs/usage-records.md, "Usage cohorts"): a
team-week's cohort at each threshold's edge, the anonymity floor, the counts a week needs
whole, the KPI's movement as the digest's, and the comparison: its minimum of teams, and
its interval scipy's."""

from __future__ import annotations

from datetime import date

import pytest
from scipy.stats import quantile_test

from cadence.judgement import Interval
from cadence.usage import TeamWeek
from cadence.usage_cohorts import (
    HEAVY,
    LIGHT,
    MIN_TEAMS,
    MODERATE,
    NONE,
    TOO_FEW_TEAMS,
    cohort,
    compare,
    counted,
    median_interval,
    movement,
    team_cohort,
)

WEEK = date(2026, 3, 9)
SUNDAY = date(2026, 3, 15)


def week(people: int, active: int, active_days: int, tool: str = "copilot") -> TeamWeek:
    return TeamWeek("CTEAM", tool, WEEK, people, active, active_days, 0)


@pytest.mark.parametrize(
    ("people", "active", "days", "expected"),
    [
        (8, 0, 0, NONE),  # no one
        (8, 3, 15, LIGHT),  # 37.5% active: under half, however often
        (8, 4, 7, LIGHT),  # half active, 1.75 days each: under 2 days
        (8, 4, 8, MODERATE),  # half active, 2 days each: the edges of moderate
        (8, 6, 17, MODERATE),  # 75% active, 2.83 days each: short of 3
        (8, 6, 18, HEAVY),  # 75% active, 3 days each: the edges of heavy
        (8, 5, 35, MODERATE),  # 62.5% active every day: short of three in four
        (8, 8, 56, HEAVY),  # everyone, every day
        (8, 8, 12, LIGHT),  # everyone, 1.5 days each: a try now and then
    ],
)
def test_a_team_week_s_cohort_at_each_edge(people, active, days, expected):
    assert cohort(week(people, active, days)) == expected


def test_a_team_under_the_floor_is_in_no_cohort():
    assert team_cohort([week(4, 4, 20)], floor=5) is None  # four people's week is theirs
    assert team_cohort([week(5, 4, 20)], floor=5) == HEAVY  # at the floor: counted
    assert team_cohort([week(5, 0, 0)], floor=5) == NONE
    assert team_cohort([], floor=5) is None  # no counts: unknown, never "none"


def test_a_team_of_several_tools_is_in_the_heaviest_of_their_cohorts():
    weeks = [week(8, 0, 0, "copilot"), week(8, 8, 40, "cursor"), week(8, 2, 2, "openai")]
    assert team_cohort(weeks, floor=5) == HEAVY
    assert team_cohort([week(8, 0, 0, "copilot"), week(8, 2, 2, "openai")], floor=5) == LIGHT


def test_a_week_is_counted_only_whole_for_every_tool_a_source_covers():
    kept = {("CTEAM", "copilot", WEEK): week(8, 2, 4), ("CTEAM", "cursor", WEEK): week(8, 0, 0, "cursor")}
    whole = {"copilot": SUNDAY, "cursor": SUNDAY}
    assert counted(kept, whole, {"copilot", "cursor"}, "CTEAM", WEEK) == [week(8, 2, 4), week(8, 0, 0, "cursor")]
    assert counted(kept, {**whole, "cursor": date(2026, 3, 13)}, {"copilot", "cursor"}, "CTEAM", WEEK) is None
    assert counted(kept, {**whole, "cursor": None}, {"copilot", "cursor"}, "CTEAM", WEEK) is None
    assert counted(kept, whole, {"copilot", "gemini"}, "CTEAM", WEEK) is None  # gemini's week not kept
    assert counted(kept, whole, {"copilot"}, "COTHER", WEEK) is None
    assert counted(kept, whole, set(), "CTEAM", WEEK) is None


def test_the_kpi_s_movement_is_its_share_of_the_way_to_target_either_way():
    assert movement(30.0, 40.0, 20.0) == 0.5  # down: half way
    assert movement(45.0, 40.0, 20.0) == -0.25  # down, the wrong way
    assert movement(0.9, 0.8, 1.0) == pytest.approx(0.5)  # up: half way
    assert movement(None, 40.0, 20.0) is None
    assert movement(30.0, 40.0, 40.0) is None  # no way to go


def test_cohorts_are_compared_only_where_two_have_the_minimum_of_teams():
    few = compare([(HEAVY, 0.1 * i) for i in range(MIN_TEAMS)] + [(LIGHT, 0.0)] * (MIN_TEAMS - 1))
    assert not few.compared and few.why_not == TOO_FEW_TEAMS
    assert [(c.cohort, c.teams, c.median) for c in few.cohorts] == [
        (HEAVY, MIN_TEAMS, None),  # enough of its own, but nothing to compare it with
        (MODERATE, 0, None),
        (LIGHT, MIN_TEAMS - 1, None),
        (NONE, 0, None),
    ]
    enough = compare([(HEAVY, 0.1 * i) for i in range(MIN_TEAMS)] + [(LIGHT, 0.0)] * MIN_TEAMS + [(NONE, 1.0)])
    assert enough.compared and enough.why_not is None
    heavy, moderate, light, none = enough.cohorts
    assert heavy.median == pytest.approx(0.25) and light.median == 0.0
    assert not moderate.shown and none.teams == 1 and not none.shown  # one team: its count only


def test_a_team_without_a_cohort_or_a_movement_is_left_out():
    found = compare([(None, 0.5), (HEAVY, None), (HEAVY, 0.5)])
    assert found.left_out == 2 and found.cohorts[0].teams == 1


def test_the_interval_is_scipy_s_of_the_median():
    values = [0.9, -0.2, 0.4, 0.1, 0.35, 0.6, 0.05, 0.3]
    ci = quantile_test(values, q=0.325, p=0.5).confidence_interval(confidence_level=0.95)
    assert median_interval(values) == Interval(float(ci.low), float(ci.high)) == Interval(-0.2, 0.9)
    assert median_interval(values[: MIN_TEAMS - 1]) is None  # five values: no 95% interval exists
    shown = compare([(HEAVY, v) for v in values] + [(LIGHT, v) for v in values])
    assert shown.cohorts[0].interval == median_interval(values)
    assert shown.cohorts[0].interval.includes(shown.cohorts[0].median)
