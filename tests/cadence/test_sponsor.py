"""What a sponsor asks first (cadence/sponsor.py): each playbook's standing and its
furthest stage on the way from a pilot to a replicated result."""

import pytest

from cadence.sponsor import (
    ADOPTED,
    AT_RISK,
    NOT_JUDGED,
    ON_TRACK,
    PILOT,
    PUBLISHED,
    READY,
    REPLICATED,
    STAGES,
    STALLED,
    counts,
    funnel,
    stage,
    standing,
)


@pytest.mark.parametrize(
    ("closed", "last_hit", "found"),
    [
        ([14.0, 16.0], None, ON_TRACK),  # half of the closed weeks met 15 (lower is better): enough
        ([14.0], None, ON_TRACK),
        ([16.0, 17.0, 14.0], None, AT_RISK),  # one of three: less than half
        ([None, 14.0], None, ON_TRACK),  # a week without a KPI did not meet it
        ([None, None], None, AT_RISK),
        ([16.0, 17.0], True, ON_TRACK),  # the last cycle hit: on track while this one catches up
        ([16.0, 17.0], False, AT_RISK),
        ([], True, ON_TRACK),  # week 1 of a cycle: the last cycle decides
        ([], False, AT_RISK),
        ([], None, NOT_JUDGED),  # the first cycle's first week: nothing closed to judge
    ],
)
def test_on_track_when_half_the_closed_weeks_met_the_target_or_the_last_cycle_hit(closed, last_hit, found):
    assert standing(closed, 15.0, "down", last_hit, stalled=False) == found


def test_the_target_is_met_on_its_better_side():
    assert standing([30.0, 36.0], 35.0, "up", None, stalled=False) == ON_TRACK  # 36 met it
    assert standing([30.0, 34.9], 35.0, "up", None, stalled=False) == AT_RISK
    assert standing([35.0], 35.0, "up", None, stalled=False) == ON_TRACK  # the target itself meets it


def test_stalled_whatever_else_holds():
    assert standing([14.0, 14.0], 15.0, "down", True, stalled=True) == STALLED
    assert standing([], 15.0, "down", None, stalled=True) == STALLED


@pytest.mark.parametrize(
    ("reached", "found"),
    [
        ((False, False, False, False), PILOT),
        ((True, False, False, False), READY),
        ((True, True, False, False), PUBLISHED),
        ((False, True, False, False), PUBLISHED),  # published by a curator's override: never proposed
        ((True, True, True, False), ADOPTED),
        ((True, True, True, True), REPLICATED),
        ((False, False, False, True), REPLICATED),  # the furthest counts
    ],
)
def test_a_playbook_is_at_its_furthest_stage(reached, found):
    assert stage(*reached) == found


def test_the_funnel_counts_each_playbook_once_and_says_how_many_reached_each_stage():
    stages = [PILOT, PILOT, PILOT, READY, PUBLISHED, REPLICATED]
    rows = funnel(stages)
    assert [name for name, _, _ in rows] == list(STAGES)
    assert [(at, reached) for _, at, reached in rows] == [(3, 6), (1, 3), (1, 2), (0, 1), (1, 1)]
    assert sum(at for _, at, _ in rows) == len(stages)
    assert funnel([]) == [(name, 0, 0) for name in STAGES]


def test_a_paused_or_retired_playbook_is_not_judged():
    """Issue 54, item 9: nothing of it runs, so nothing says it is at risk (or stalled)."""
    for status in ("paused", "retired"):
        assert standing([20.0, 20.0], 15.0, "down", False, True, status) == NOT_JUDGED
    assert standing([20.0, 20.0], 15.0, "down", False, False, "active") == AT_RISK


def test_the_counts_name_every_standing_even_at_zero():
    assert counts([ON_TRACK, ON_TRACK, STALLED]) == {ON_TRACK: 2, AT_RISK: 0, STALLED: 1, NOT_JUDGED: 0}
