"""Digest figures: deltas against baseline and target, risks first."""

import pytest

from cadence.digest import Origin, PlaybookWeek, Risk, StepLastWeek, by_function, order, summarize


def week(**overrides):
    values = dict(
        slug="support-replies",
        title="Support",
        function="Support",
        kpi_name="First-response time",
        unit="min",
        direction="down",
        baseline=42.0,
        target=15.0,
        exception_cap=0.10,
        kpi_series=[40, 35, 30, None, 22, 19, 16, 14],
        cycle_values=[16, 14],
        weeks_left=2,
        steps=[StepLastWeek("draft", "collaborative", 20, 1), StepLastWeek("send", "ai-led", 20, 0)],
        dms_sent=6,
        checked_in=5,
    )
    values.update(overrides)
    return PlaybookWeek(**values)


def test_deltas_sparkline_and_standing():
    d = summarize(week())
    assert d.latest == 14 and d.change == -2
    assert d.progress == pytest.approx((14 - 42) / (15 - 42))  # the share of the way, as status and the web view
    assert summarize(week(kpi_series=[None])).progress is None
    assert d.sparkline == "█▇▅·▃▂▂▁"
    assert d.standing == "on track" and d.cycle_mean == 15  # 14 met the target: one of the two closed weeks
    assert d.attestation == 5 / 6 and d.worst_step.name == "draft" and d.risks == []


def test_the_standing_is_the_web_overviews():
    """Issue 54, item 9: one definition (cadence.sponsor.standing), not "on track while 3
    target weeks are still possible": at least half the running cycle's closed weeks met
    the target, or the last cycle hit it; a stalled playbook is stalled only; a paused or
    retired one is not judged."""
    assert summarize(week(cycle_values=[18, 17])).standing == "at risk"  # 2 target weeks could still come
    assert summarize(week(cycle_values=[18, 17], last_cycle_hit=True)).standing == "on track"
    assert summarize(week(cycle_values=[None, None])).standing == "at risk"  # no KPI in its closed weeks
    assert summarize(week(direction="up", baseline=0.5, target=0.8, cycle_values=[0.9, 0.85])).standing == "on track"
    # the week that ended a cycle: the next cycle has closed nothing, its last result judges
    ended = dict(cycle_values=[18, 17, 14, 14], weeks_left=0)
    assert summarize(week(**ended, last_cycle_hit=False)).standing == "at risk"
    assert summarize(week(**ended, last_cycle_hit=True)).standing == "on track"
    stalled = summarize(week(cycle_values=[18, 17], stalled="since the end of cycle 2 (2027-01-10): ..."))
    assert stalled.standing == "stalled"
    for status in ("paused", "retired"):
        assert summarize(week(cycle_values=[18, 17], status=status)).standing == "not judged yet"


def test_risks():
    d = summarize(
        week(
            steps=[
                StepLastWeek("draft", "collaborative", 20, 3),
                StepLastWeek("send", "ai-led", None, 0),
                StepLastWeek("review", "human-led", 20, 2, frozen=True),
                StepLastWeek("tag", "collaborative", 10, 0),
            ],
            dms_sent=6,
            checked_in=2,
            kpi_series=[40, 30, None],
        )
    )
    assert d.risks == [
        Risk("over_cap", "draft", 0.15, 0.10, exceptions=3, cases=20),  # the counts, for the interval
        Risk("unobserved", "send"),
        Risk("near_cap", "review", 0.10, 0.10, exceptions=2, cases=20),
        Risk("frozen", "review"),
        Risk("missing_checkins", value=2, limit=6),
        Risk("kpi_missing"),
    ]


def test_a_plateau_is_a_risk():
    assert summarize(week(plateau=True)).risks == [Risk("plateau")]
    assert summarize(week()).risks == []


def test_risky_playbooks_come_first_within_their_function():
    calm = summarize(week(slug="a-calm", function="Sales"))
    risky = summarize(week(slug="z-risky", function="Sales", dms_sent=10, checked_in=1))
    other = summarize(week(slug="b", function="finance"))
    assert [d.slug for d in order([calm, risky])] == ["z-risky", "a-calm"]
    groups = by_function([calm, risky, other])
    assert list(groups) == ["finance", "Sales"] and [d.slug for d in groups["Sales"]] == ["z-risky", "a-calm"]


def test_adopted_playbooks_carry_their_origins_progress():
    origin = Origin("support-replies", 1, 42.0, 14.0, target=15.0)
    assert origin.progress == pytest.approx(28 / 27)  # past the target: more than the whole way
    assert Origin("x", 1, 0.0, 3.0).progress is None  # no target known
    assert Origin("x", 1, 42.0, None, target=15.0).progress is None


def test_a_stalled_playbook_comes_first_whatever_the_others_risks():
    risky = summarize(week(slug="a-risky", exception_cap=0.01))
    stalled = summarize(week(slug="z-stalled", stalled="since the end of cycle 2 (2027-01-10): ..."))
    assert risky.risks and [d.slug for d in order([risky, stalled])] == ["z-stalled", "a-risky"]
