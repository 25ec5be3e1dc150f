"""A cycle's end, judged: pure functions over the figures the close read beforehand in its
unit of work (usecases/shared/close/), which records what they decide. No
database, no Slack.

- `cycle_result` / `scale_held`: did the cycle hit target, and did the scale rule hold?
- `judge`: the whole cycle end: the KPI's move, the result, the scale rule's proposal or
  "not yet ready" (readiness judged on its read inputs), replication against the origin
  and the stall rule, as the decisions and figures to record; `judge_result`,
  `judge_scale`, `judge_replication` and `judge_stall`, its parts, one close rule each.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from cadence import calendar, compare, cycle_decisions, cycle_rules, decisions, readiness, replication, verdicts
from cadence.judgement import STALL_MISSED_CYCLES, CycleKpi, KpiChange, kpi_change, stall, stall_figures


@dataclass(frozen=True)
class Bar:
    """The KPI bar a cycle is judged by: its baseline and target."""

    baseline: float
    target: float


@dataclass(frozen=True)
class OriginProgress:
    """What an adopting playbook's cycle is judged against: the version it adopted, and
    its origin's progress in the cycle with the same number (None: it had no such cycle,
    or no KPI in it)."""

    slug: str
    version: int
    progress: float | None
    change: tuple[int, float] | None = None  # its cycle and relative KPI change when the version was published
    delta: float | None = None  # with `compare`: its mean weekly delta against the rest in that same cycle
    baseline: float | None = None  # the version's KPI baseline: an adopter's own is declared, not measured
    measured: float | None = None  # ...unless its baseline week measured it (this, the week's mean)


@dataclass(frozen=True)
class CycleFigures:
    """A cycle's last week, as read: the cycle, its weekly KPIs, its bar and the history
    the scale and stall rules read."""

    playbook_id: int
    cycle: int
    week: int  # the closing week's number in the cycle (below 4: interrupted)
    week_start: date
    weekly: tuple[float | None, ...]  # the cycle's four weeks' KPIs
    bar: Bar
    direction: str
    th: verdicts.Thresholds
    breached: bool  # a week of the cycle breached the guardrail
    earlier: tuple[cycle_rules.CycleResult, ...] = ()  # the playbook's earlier cycle results, oldest first
    covered: int = 0  # the last cycle a publish or scale proposal covered
    scale_open: bool = False  # a "ready to scale" proposal is open
    origin: OriginProgress | None = None  # an adopting playbook's origin
    rest: tuple[float | None, ...] | None = None  # the rest's weekly KPIs, with `compare` (None: without)
    rest_baseline: float | None = None
    # An adopting playbook's steps demoted in the cycle or with a week at once over the cap
    # (cadence.replication.over_cap_steps).
    over_cap: tuple[str, ...] = ()
    # Why its evidence holds an adopting cycle back (cadence.replication.evidence_gap).
    evidence: str | None = None

    @property
    def interrupted(self) -> bool:
        return self.week < calendar.WEEKS_PER_CYCLE


@dataclass(frozen=True)
class Scale:
    """The scale rule held: a proposal when ready, else "not yet ready" naming what is missing."""

    ready: bool
    figures: dict[str, Any]
    missing: list[str]
    decision: decisions.Decision


@dataclass
class CycleEnd:
    """What a cycle's end decided, in the order it is recorded."""

    result: cycle_rules.CycleResult
    kpi_moved: KpiChange
    result_decision: decisions.Decision
    scale: Scale | None = None
    replication: decisions.Decision | None = None
    stall: dict[str, Any] | None = None  # a stall's figures
    stall_decision: decisions.Decision | None = None
    held: list[cycle_rules.CycleResult] | None = field(default=None)
    compared: compare.Comparison | None = None  # with `compare`: the cycle against the rest


def bar_to_record(recorded: tuple[float, float] | None, baseline: float, target: float) -> Bar | None:
    """The bar a close records as its cycle's (the bar in force now), when the cycle has
    none recorded yet: its first close; None after."""
    return Bar(baseline, target) if recorded is None else None


def cycle_result(f: CycleFigures) -> cycle_rules.CycleResult:
    """The scale rule's result of the cycle, by its bar's target; with `compare`, a hit
    also needs the mean delta's interval wholly on the good side of zero (comparison)."""
    result = cycle_rules.cycle_result(
        f.cycle, list(f.weekly), f.bar.target, f.direction, f.th, f.breached, f.interrupted
    )
    compared = comparison(f)
    return result if compared is None or compared.better else replace(result, hit=False)


def comparison(f: CycleFigures) -> compare.Comparison | None:
    """The cycle's weeks so far against the rest (None: the KPI is not compared)."""
    if f.rest is None:
        return None
    return compare.compare_cycle(f.weekly[: f.week], f.rest[: f.week], f.direction, f.bar.baseline, f.rest_baseline)


def scale_held(f: CycleFigures, result: cycle_rules.CycleResult) -> list[cycle_rules.CycleResult] | None:
    """The cycles the scale rule held over (None if it did not, or a proposal is open)."""
    uncovered = [r for r in f.earlier if r.cycle > f.covered and r.cycle < result.cycle] + [result]
    if not f.scale_open and cycle_rules.ready_to_scale(uncovered, f.th):
        return uncovered[-f.th.scale_after_cycles :]
    return None


def judge(f: CycleFigures, readiness: dict[str, Any] | None = None) -> CycleEnd:
    """The cycle's end. `readiness`: the inputs of cadence.readiness.readiness over the
    cycles the scale rule holds over, read when it may hold (without them a holding rule
    is judged not ready on nothing: the close always reads them). The close judges it in
    the four parts below, one rule each (usecases/shared/close/)."""
    judged = judge_result(f)
    judged.held, judged.scale = judge_scale(f, judged.result, readiness)
    judged.replication = judge_replication(f, judged.result)
    stalled = judge_stall(f, judged.result, judged.compared)
    if stalled is not None:
        judged.stall, judged.stall_decision = stalled
    return judged


def judge_result(f: CycleFigures) -> CycleEnd:
    """The cycle's result and the KPI's move over it, and with `compare` the cycle against
    the rest, which its decision keeps, and says."""
    result = cycle_result(f)
    judged = CycleEnd(
        result,
        kpi_change(f.weekly[: f.week], f.bar.baseline),
        cycle_decisions.of_cycle_result(f.playbook_id, f.week_start, result),
        compared=comparison(f),
    )
    if judged.compared is not None:  # the decision keeps the comparison, and says it
        made = judged.result_decision
        said = _said(judged.compared)
        judged.result_decision = replace(
            made, summary=f"{made.summary}: {said}", figures={**made.figures, "compare": judged.compared.figures()}
        )
    return judged


def _said(compared: compare.Comparison) -> str:
    why = {
        compare.WITHIN_NOISE: "no better than the rest, within noise",
        compare.TOO_FEW: "too few weeks to compare",
    }
    return why.get(compared.verdict, f"{compared.verdict} than the rest")


def against_the_rest(compared: compare.Comparison | None) -> str | None:
    """Why the comparison held the cycle short of its target, if it did."""
    if compared is None or compared.verdict == compare.BETTER:
        return None
    return _said(compared)


def judge_scale(
    f: CycleFigures, result: cycle_rules.CycleResult, readiness: dict[str, Any] | None = None
) -> tuple[list[cycle_rules.CycleResult] | None, Scale | None]:
    """The cycles the scale rule held over (None: it did not), and then its proposal or
    "not yet ready", by the criteria of readiness on their read inputs."""
    held = scale_held(f, result)
    return held, (_scale(f, held, readiness or {}) if held is not None else None)


def judge_replication(f: CycleFigures, result: cycle_rules.CycleResult) -> decisions.Decision | None:
    """An adopting playbook's completed cycle against its origin's (None: not adopted, or
    the cycle was interrupted)."""
    if f.origin is None or f.interrupted:
        return None
    return _replication(f, result, f.origin)


def judge_stall(
    f: CycleFigures, result: cycle_rules.CycleResult, compared: compare.Comparison | None
) -> tuple[dict[str, Any], decisions.Decision] | None:
    """The stall rule at a completed cycle's end: its figures and decision, or None."""
    if f.interrupted:
        return None
    figures = _stall(f, result, against_the_rest(compared))
    if figures is None:
        return None
    return figures, cycle_decisions.of_stall(f.playbook_id, f.week_start, figures)


def _scale(f: CycleFigures, held: list[cycle_rules.CycleResult], inputs: dict[str, Any]) -> Scale:
    """Ready to scale if the criteria of readiness are met too, each with its numbers."""
    criteria = readiness.readiness(**inputs)
    figures = {
        "cycle": f.cycle,
        "results": [cycle_decisions.result_figures(r) for r in held],
        "criteria": [c.kept() for c in criteria],
    }
    if not readiness.is_ready(criteria):
        missing = readiness.missing(criteria)
        return Scale(
            False, figures, missing, cycle_decisions.of_not_ready(f.playbook_id, f.week_start, figures, missing)
        )
    decision = cycle_decisions.of_scale_proposal(f.playbook_id, f.week_start, len(held), figures)
    return Scale(True, figures, [], decision)


def _replication(f: CycleFigures, result: cycle_rules.CycleResult, origin: OriginProgress) -> decisions.Decision:
    """An adopting playbook's completed cycle against its origin's: replicated, on track
    or not yet, with the numbers."""
    weekly = list(f.weekly)
    own = replication.cycle_progress(weekly, f.bar.baseline, f.bar.target)
    origin_cycle, origin_change = origin.change or (None, None)
    match = replication.cycle_match(weekly, f.bar.baseline, f.direction, origin_change, f.th.replicate_share)
    declared = replication.declared(f.bar.baseline, origin.baseline, f.rest is not None, origin.measured)
    held = replication.held_back(match, list(f.over_cap), declared, f.evidence)
    verdict = replication.replication_verdict(result.hit, own, origin.progress, match.met, held)
    figures = dict(
        **match.figures(),
        why=held,
        over_cap=list(f.over_cap),
        origin_cycle=origin_cycle,
        hit=result.hit,
        progress=own,
        origin=origin.slug,
        origin_version=origin.version,
        origin_progress=origin.progress,
        weekly=weekly,
    )
    compared = comparison(f)
    if compared is not None:  # adopters compare too: the mean delta against the origin's
        figures.update(rest_delta=compared.change.change, origin_rest_delta=origin.delta)
    return cycle_decisions.of_replication(f.playbook_id, f.week_start, f.cycle, verdict, figures)


def _stall_cycles(
    f: CycleFigures, result: cycle_rules.CycleResult
) -> tuple[list[CycleKpi], dict[int, cycle_rules.CycleResult]]:
    """The cycles the stall rule reads at this cycle's end, oldest first: this one with its
    weekly KPI, and the completed ones just before it, up to STALL_MISSED_CYCLES in all;
    with each one's result, by cycle."""
    cycles = [CycleKpi(result.cycle, result.hit, False, tuple(f.weekly))]
    results = {result.cycle: result}
    for r in reversed(f.earlier):
        if len(cycles) == STALL_MISSED_CYCLES:
            break
        if r.cycle < result.cycle and not r.interrupted:
            cycles.insert(0, CycleKpi(r.cycle, r.hit, False, ()))
            results[r.cycle] = r
    return cycles, results


def _stall(f: CycleFigures, result: cycle_rules.CycleResult, against_the_rest: str | None) -> dict[str, Any] | None:
    """The stall rule at a completed cycle's end, over the earlier completed cycles the
    rule can look at (newest first from the end): the stall's figures, or None; with why
    this cycle missed against the rest (`against_the_rest`), when the comparison held it
    short: its KPI alone may have reached the target ("116.7% of the way ... Missed")."""
    cycles, results = _stall_cycles(f, result)
    found = stall(cycles, f.bar.baseline, f.bar.target)
    if found is None:
        return None
    figures = stall_figures(found, cycles, f.bar.baseline, f.bar.target)
    if against_the_rest is not None and not result.hit:
        figures["against_the_rest"] = against_the_rest
    if found.reason == "missed":  # each cycle's own reason: one may have met its target and not counted
        needed = f.th.scale_min_kpi_weeks
        figures["why"] = [
            [
                c,
                cycle_decisions.missed_why(
                    results[c].weeks_met,
                    needed,
                    results[c].breached,
                    figures.get("against_the_rest") if c == result.cycle else None,
                ),
            ]
            for c in found.cycles
        ]
    return figures
