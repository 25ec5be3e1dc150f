"""Replication at an adopting playbook's completed cycle (cadence/cycle_end.py,
cadence/replication.py): its cycle against its origin's in the cycle with the same
number, held back by its steps over the cap or its missing evidence; kept as a decision
and told to its wave. Its origins' progress is read once a round, in four reads."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from cadence import calendar, compare, cycle_end, replication, replication_evidence
from cadence.definition import KpiSpec, read_spec
from cadence.definition_compare import Compare
from usecases.shared import waves
from usecases.shared.close import cycle_result, reads, steps
from usecases.shared.close.week import CloseRule, Round, WeekClose
from usecases.shared.governance import thresholds


@dataclass(frozen=True)
class Read:
    weeks: reads.Weeks
    origins: dict[int, cycle_end.OriginProgress]
    places: dict[int, waves.Place]


def _read(round: Round) -> Read:
    adopting = [(s, w) for s, w in reads.cycle_ends(round) if s.playbook.adopted_from_id]
    return Read(round.read(reads.weeks), *_origins(round, adopting))


def _close(week: WeekClose, read: Read) -> None:
    ended, judged = week.outcome(cycle_result.RULE), week.outcome(steps.RULE)
    if ended is None or judged is None:
        return
    state, ref = week.state, week.week
    figures = replace(
        ended.figures,
        origin=read.origins.get(state.playbook.id),
        over_cap=_over_cap(week, judged, read.weeks),
        evidence=_evidence(week, judged, read.weeks),
    )
    decision = cycle_end.judge_replication(figures, ended.result)
    if decision is not None:
        week.change.decisions.append(decision)
        verdict = decision.figures["verdict"]
        week.change.messages += waves.replicated_messages(
            read.places.get(state.playbook.id), state.playbook, ref.cycle, verdict
        )


def _over_cap(week: WeekClose, judged: steps.Judged, read: reads.Weeks) -> tuple[str, ...]:
    """An adopting playbook's steps demoted in the cycle or with a week at once over the cap
    (cadence.replication.over_cap_steps): its earlier weeks as kept, this one as judged."""
    state, ref = week.state, week.week
    if not state.playbook.adopted_from_id:
        return ()
    cycle = {}
    for step in state.steps:
        before = read.history.states[step.id]
        earlier = [v for v in before.verdicts if ref.cycle_start <= v.week_start < ref.week_start]
        demoted = {d for d in before.demotions if d >= ref.cycle_start}
        demoted |= {ref.week_start} if step.name in judged.demoted else set()
        cycle[step.name] = ([*earlier, judged.weeks[step.name]], demoted)
    return tuple(replication.over_cap_steps(cycle, thresholds(state)))


def _evidence(week: WeekClose, judged: steps.Judged, read: reads.Weeks) -> str | None:
    """Why an adopting playbook's cycle lacks the evidence to replicate
    (cadence.replication.evidence_gap): its earlier weeks as kept, this one as judged."""
    state, ref = week.state, week.week
    if not state.playbook.adopted_from_id:
        return None
    cycle = {}
    for step in state.steps:
        before = read.history.states[step.id]
        earlier = [v for v in before.verdicts if ref.cycle_start <= v.week_start < ref.week_start]
        cycle[step.name] = [*earlier, judged.weeks[step.name]]
    return replication_evidence.evidence_gap(cycle, ref.cycle_start)


def _origins(
    round: Round, adopting: list[tuple[Any, calendar.WeekRef]]
) -> tuple[dict[int, cycle_end.OriginProgress], dict[int, waves.Place]]:
    """For the adopting playbooks whose cycle closes in this round: their origins' progress
    in the same cycle, in four reads however many, and each one's wave (waves.places)."""
    if not adopting:
        return {}, {}
    store = round.store
    versions = store.registry.versions_by_id(
        [s.playbook.adopted_from_id for s, _ in adopting if s.playbook.adopted_from_id]
    )
    starts = store.governance.cycle_starts_of(sorted({v.playbook_id for v in versions.values()}))
    wanted = {}
    measured = {s.playbook.id: s.playbook.baseline_measured for s, _ in adopting}  # its baseline week's
    for state, week in adopting:
        version = versions.get(state.playbook.adopted_from_id or 0)
        if version is not None:
            wanted[state.playbook.id] = (version, starts.get((version.playbook_id, week.cycle)))
    kpis = store.reports.week_kpis(
        [
            (version.playbook_id, start + timedelta(days=7 * i))
            for version, start in wanted.values()
            if start is not None
            for i in range(calendar.WEEKS_PER_CYCLE)
        ]
    )
    rests = store.reports.week_rests(  # the origins that compare with the rest: their rest's too
        [
            (version.playbook_id, start + timedelta(days=7 * i))
            for version, start in wanted.values()
            if start is not None and Compare.of(version.definition) is not None
            for i in range(calendar.WEEKS_PER_CYCLE)
        ]
    )
    kpi_of = {v.id: read_spec(v.definition).kpi for v in versions.values()}
    origins = {
        pid: cycle_end.OriginProgress(
            version.slug,
            version.version,
            _origin_progress(version, kpi_of[version.id], start, kpis),
            origin_change(version, kpi_of[version.id]),
            _origin_delta(version, kpi_of[version.id], start, kpis, rests),
            kpi_of[version.id].baseline,
            measured.get(pid),
        )
        for pid, (version, start) in wanted.items()
    }
    return origins, waves.places(store, list(versions.values()))


def _origin_delta(
    version: Any,
    kpi: KpiSpec,
    start: date | None,
    kpis: dict[tuple[int, date], float],
    rests: dict[tuple[int, date], float],
) -> float | None:
    """The origin's mean weekly delta against the rest in its cycle starting `start` (None:
    it does not compare, or has no such cycle, or no week with both numbers)."""
    if start is None or kpi.compare is None:
        return None
    weeks = [(version.playbook_id, start + timedelta(days=7 * i)) for i in range(calendar.WEEKS_PER_CYCLE)]
    run, rest = [kpis.get(w) for w in weeks], [rests.get(w) for w in weeks]
    return compare.compare_cycle(run, rest, kpi.direction).change.change


def origin_change(version: Any, kpi: KpiSpec) -> tuple[int, float] | None:
    """The origin's cycle and relative KPI change when the version was published (what an
    adopting cycle must reach `replicate_share` of), from the results the version keeps;
    None for a version published by override (the scale rule never held): nothing to
    replicate against."""
    if getattr(version, "override_reason", None) is not None:
        return None
    return replication.origin_change(version.cycle_results, kpi.baseline)


def _origin_progress(
    version: Any, kpi: KpiSpec, start: date | None, kpis: dict[tuple[int, date], float]
) -> float | None:
    """The origin's progress in its cycle starting `start`, by its version's KPI bar (None:
    no such cycle, or no KPI in it)."""
    if start is None:
        return None
    weekly = [kpis.get((version.playbook_id, start + timedelta(days=7 * i))) for i in range(4)]
    return replication.cycle_progress(weekly, kpi.baseline, kpi.target)


RULE = CloseRule(
    "replication",
    _read,
    _close,
    cycle_end.judge_replication,
    needs=("cycle result", "steps"),
    after=("assessment offer",),
)
