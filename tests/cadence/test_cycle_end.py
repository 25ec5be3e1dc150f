"""A cycle's end, judged without a database (cadence/cycle_end.py): the cycle's result by
its bar, the scale rule with readiness, replication against the origin and the stall rule."""

from datetime import date

from cadence import cycle_end, readiness, replication
from cadence.cycle_rules import CycleResult
from cadence.decisions import DecisionKind
from cadence.definition_rules import RuleSettings
from cadence.verdicts import Thresholds
from tests.conftest import READY_INPUT

T = Thresholds.of(RuleSettings(), exception_cap=0.10, rubric_threshold=0.90)
W = date(2026, 11, 16)  # the cycle's fourth week
BAR = cycle_end.Bar(baseline=30.0, target=20.0)  # minutes, lower is better
HIT = (18.0, 19.0, 17.0, 21.0)  # three of four weeks at or under 20


def figures(weekly=HIT, bar=BAR, week=4, **rest) -> cycle_end.CycleFigures:
    return cycle_end.CycleFigures(1, 3, week, W, tuple(weekly), bar, "down", T, False, **rest)


def hit(cycle: int) -> CycleResult:
    return CycleResult(cycle, 4, 18.0, 20.0, "down", True, 4)


def missed(cycle: int) -> CycleResult:
    return CycleResult(cycle, 4, 25.0, 20.0, "down", False, 0)


def ready_inputs(cycles: list[int], learnings: int = 1) -> dict:
    return dict(
        asked=10,
        answered=10,
        min_attestation=0.8,
        steps=[readiness.StepRatio("draft", exceptions=0, cases=40, cap=0.10)],
        inputs=[READY_INPUT],
        outputs=["reply"],
        learnings=dict.fromkeys(cycles, learnings),
        cycles=cycles,
        owner_active=True,
        rubrics=[readiness.StepRubric("draft", [[0.95] * 4 for _ in cycles])],
        rubric_threshold=0.90,
    )


def test_a_cycle_is_judged_by_its_bar_not_by_another():
    assert cycle_end.judge(figures()).result.hit
    moved = cycle_end.judge(figures(bar=cycle_end.Bar(30.0, 15.0)))  # a tighter target: missed
    assert not moved.result.hit and moved.result.target == 15.0
    assert moved.result_decision.kind == DecisionKind.CYCLE_RESULT


def test_the_kpi_move_is_over_the_weeks_run_against_the_bars_baseline():
    judged = cycle_end.judge(figures())
    assert judged.kpi_moved.change == (18.0 + 19.0 + 17.0 + 21.0) / 4 - 30.0
    interrupted = cycle_end.judge(figures(week=2))
    assert interrupted.kpi_moved.change == (18.0 + 19.0) / 2 - 30.0
    assert interrupted.result.interrupted and not interrupted.result.hit
    assert (interrupted.held, interrupted.stall, interrupted.replication) == (None, None, None)


def test_the_scale_rule_holds_over_the_uncovered_cycles_that_hit():
    f = figures(earlier=(hit(1), hit(2)), covered=0)
    held = cycle_end.scale_held(f, cycle_end.cycle_result(f))
    assert held is not None and [r.cycle for r in held] == [2, 3]  # the last two (scale_after_cycles)
    assert cycle_end.scale_held(figures(earlier=(hit(1), hit(2)), scale_open=True), hit(3)) is None
    assert cycle_end.scale_held(figures(earlier=(hit(1), missed(2))), hit(3)) is None
    assert cycle_end.scale_held(figures(earlier=(hit(1), hit(2)), covered=2), hit(3)) is None  # one since the publish


def test_a_holding_rule_proposes_when_ready_and_names_what_is_missing_when_not():
    f = figures(earlier=(hit(1), hit(2)))
    cycles = [r.cycle for r in cycle_end.scale_held(f, cycle_end.cycle_result(f)) or []]
    ready = cycle_end.judge(f, ready_inputs(cycles))
    assert ready.scale is not None and ready.scale.ready
    assert ready.scale.decision.kind == DecisionKind.SCALE_PROPOSAL
    assert all(c["met"] for c in ready.scale.figures["criteria"])
    short = cycle_end.judge(f, ready_inputs(cycles, learnings=0))
    assert short.scale is not None and not short.scale.ready and "learnings" in short.scale.missing
    assert short.scale.decision.kind == DecisionKind.NOT_READY


def test_an_adopting_playbooks_cycle_is_judged_against_its_origin_by_its_own_bar():
    origin = cycle_end.OriginProgress("triage", 2, 0.5)
    judged = cycle_end.judge(figures(origin=origin))
    assert judged.replication is not None and judged.replication.figures["origin"] == "triage"
    assert judged.replication.figures["progress"] == replication.cycle_progress(list(HIT), 30.0, 20.0)
    assert cycle_end.judge(figures()).replication is None


def test_two_missed_cycles_in_a_row_stall_and_one_does_not():
    flat = (29.0, 29.5, 30.0, 29.0)  # barely moved from the baseline, never at the target
    stalled = cycle_end.judge(figures(weekly=flat, earlier=(missed(2),)))
    assert stalled.stall is not None and stalled.stall_decision is not None
    assert stalled.stall_decision.kind == DecisionKind.STALLED
    assert cycle_end.judge(figures()).stall is None


def test_a_stall_says_why_each_cycle_counts_as_missing():
    """Issue 108, item 1: a cycle that met its own target but was no better than the rest
    (`compare`), or breached its guardrail, counts as missing, and the stall says so of that
    cycle, not "cycles 1 and 3 missed the target" beside a chart of cycle 3 over its target."""
    rest = (18.5, 18.0, 18.0, 21.5)  # as good as the run's weeks: within noise
    judged = cycle_end.judge(figures(earlier=(missed(1),), rest=rest, rest_baseline=30.0))
    assert judged.result.weeks_met == 3 and not judged.result.hit and judged.stall is not None  # 3 of 4 hit alone
    why = "cycle 1 missed the target, and cycle 3 met its target but was no better than the rest, within noise"
    assert judged.stall["why"] == [[1, "missed the target"], [3, why.split("cycle 3 ")[1]]]
    assert (
        judged.stall_decision is not None and judged.stall_decision.summary == f"stalled at the end of cycle 3: {why}"
    )
    breached = cycle_end.CycleFigures(1, 3, 4, W, HIT, BAR, "down", T, True, earlier=(missed(2),))
    said = cycle_end.judge(breached).stall_decision
    assert said is not None
    assert said.summary == (
        "stalled at the end of cycle 3: cycle 2 missed the target, and cycle 3 met its target but breached its guardrail"
    )
    # two plain misses keep their one clause
    flat = (29.0, 29.5, 30.0, 29.0)
    plain = cycle_end.judge(figures(weekly=flat, earlier=(missed(2),))).stall_decision
    assert plain is not None and plain.summary == "stalled at the end of cycle 3: cycles 2 and 3 missed the target"
