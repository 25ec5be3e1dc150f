"""What a round of week closes (usecases/shared/weeks.py) is judged on, all of it read
before any of it is judged, in the close's unit of work: a query or two a kind of data
for the whole round however many playbooks close, none a playbook or a step. The weeks'
figures and the steps' history; what may keep a step from a promotion (an adopting
team's first cycle, the calibration sets); the open exception items a demotion names;
and for the playbooks whose cycle ends, what the cycle's end is judged on."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from cadence import calendar, closing, compare, cycle_end, cycle_rules, pooling, replication
from cadence import calibration as calibration_rules
from cadence.calibration import Standing
from cadence.definition import KpiSpec, read_spec
from cadence.definition_compare import Compare
from cadence.exception_queue import Item
from cadence.figures import WeekFigures
from cadence.pulse import Pulse
from cadence.schedule import Due
from storage.governance_rows import StepHistory
from storage.store import CURATORS_CHANNEL, PlaybookState, Store
from usecases.shared import calibration, champions, readiness, waves
from usecases.shared.governance import thresholds


@dataclass(frozen=True)
class Promotions:
    """What may keep a step from a proposal, or hold its proposal back: in an adopting
    team's first cycle, each step's mode in the version adopted (`pilots`, by playbook and
    lowercased step name) and whether the champion's training waits (`training`); and the
    steps' calibration standings (by playbook and step name), read for the playbooks with
    a step a close may propose to ai-led and those whose cycle ends (readiness's)."""

    pilots: dict[int, dict[str, str]]
    training: set[int]
    calibration: dict[int, dict[str, Standing]]


@dataclass(frozen=True)
class CycleEnds:
    """For the playbooks whose cycle ends this week: the cycle's weekly KPIs (`kpis`; the
    rest's, `rests`, with `compare`), the origins of those that adopted and the adopters'
    waves (to tell of a replication), the scale rule's history and which have a scale
    proposal open; and readiness's inputs for those whose scale rule may hold."""

    kpis: dict[tuple[int, date], float]
    rests: dict[tuple[int, date], float]
    origins: dict[int, cycle_end.OriginProgress]
    places: dict[int, waves.Place]
    scale: dict[int, Any]
    open_scale: set[int]
    readiness: dict[int, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class RoundReads:
    """What a round of closes is judged on, read in the close's unit of work (after the
    weeks were closed to reports) but for the steps' history, read beside it."""

    figures: dict[tuple[int, date], WeekFigures]
    history: StepHistory
    # The (baseline, target) each closing week's cycle is judged by, for those recorded
    # (cycle_bar): a close records its cycle's when there is none yet.
    bars: dict[tuple[int, int], tuple[float, float]]
    source_failures: dict[tuple[int, date], dict[str, str]]
    curators: str | None
    promotions: Promotions
    # The open exception items, oldest first, of the playbooks with a step a close may
    # demote: a demotion's alert names its step's.
    queued: dict[int, list[Item]]
    cycles: CycleEnds
    # The pulse of each closing playbook's cycle and the two before it, as it may be shown
    # (storage/pulse.py, the gate; usecases/shared/pulse_close.py), whose pulse is on.
    pulses: dict[tuple[int, int], Pulse] = field(default_factory=dict)
    # The bar each step's short weeks this close pools were judged by (cadence.pooling):
    # by step id, then week start. A pool that spans a change of the bar says so.
    pool_bars: dict[int, dict[date, pooling.Bar]] = field(default_factory=dict)


def read_round(store: Store, batch: list[tuple[PlaybookState, Due]], beside: Store) -> RoundReads:
    """Everything a round's closes are judged on, in a few queries however many playbooks."""
    lookback = max(thresholds(state).lookback_weeks for state, _ in batch)
    # The close's two largest reads, side by side: on PostgreSQL each waits on the server
    # for a while (the steps' verdict windows longest), and that wait is spent reading the
    # week's figures (0.98 to 0.86 s, median of five closes of 1,000 playbooks). On SQLite
    # both are work in this process: no faster, no slower. The history is read on its own
    # connection (`beside`): a unit of work's session is not shared between threads, and
    # the close changes nothing the history reads before it is judged.
    with ThreadPoolExecutor(1, thread_name_prefix="close-reads") as reader:
        histories = reader.submit(beside.governance.histories, [state for state, _ in batch], lookback)
        figures = store.reports.week_figures_many([(state, week_of(due).week_start) for state, due in batch])
        history = histories.result()
    cycle_ends = [(state, due) for state, due in batch if ends_cycle(state, week_of(due))]
    reads = RoundReads(
        figures,
        history,
        store.governance.cycle_bars([(state.playbook.id, week_of(due).cycle) for state, due in batch]),
        store.sources.failures([(s.playbook.id, week_of(d).week_start) for s, d in batch if s.spec.sources]),
        store.org.setting(CURATORS_CHANNEL),
        _promotions(store, batch, cycle_ends),
        _queued(store, batch),
        _cycle_reads(store, cycle_ends),
    )
    return replace(
        reads,
        cycles=replace(reads.cycles, readiness=_readiness(store, cycle_ends, reads)),
        pulses=_pulses(store, batch),
        pool_bars=_pool_bars(store, batch, history),
    )


def _pool_bars(
    store: Store, batch: list[tuple[PlaybookState, Due]], history: StepHistory
) -> dict[int, dict[date, pooling.Bar]]:
    """The bar each step's short weeks of its cycle (the weeks its close pools,
    cadence.pooling.short_weeks) were judged by: one read, none when no step pools."""
    wanted = [
        (state.playbook.id, step.id, start)
        for state, due in batch
        for step in state.steps
        for start in pooling.short_weeks(week_of(due).week_start, history.states[step.id], week_of(due).cycle_start)
    ]
    bars: dict[int, dict[date, pooling.Bar]] = {}
    for (step_id, start), bar in store.governance.verdict_bars(wanted).items():
        bars.setdefault(step_id, {})[start] = bar
    return bars


def _pulses(store: Store, batch: list[tuple[PlaybookState, Due]]) -> dict[tuple[int, int], Pulse]:
    """The pulse a round's closes are judged on, in one read through the pulse's gate:
    each playbook's (pulse on) closing cycle, sealed if it ends now, and the two before it."""
    wanted = {
        (state.playbook.id, week_of(due).cycle - back): state.settings.pulse_min_answers
        for state, due in batch
        if state.settings.pulse == "on"
        for back in range(3)
        if week_of(due).cycle - back >= 1
    }
    return store.pulses.shown(wanted)


def _promotions(
    store: Store, batch: list[tuple[PlaybookState, Due]], cycle_ends: list[tuple[PlaybookState, Due]]
) -> Promotions:
    """An adopting team's first cycle, and the calibration standings of the playbooks with
    a step a close may propose to ai-led (cadence.calibration.may_hold) or whose cycle
    ends: two reads for all, none where no playbook declares a set."""
    first_cycle = [s for s, d in batch if s.playbook.adopted_from_id and week_of(d).cycle == 1]
    ending = {s.playbook.id for s, _ in cycle_ends}
    calibrated = [
        s
        for s, _ in batch
        if calibration_rules.declares_any(s.playbook.definition)  # most do not: no step looked at
        and (
            s.playbook.id in ending
            or any(calibration_rules.may_hold(s.playbook.definition, step.name, step.mode) for step in s.steps)
        )
    ]
    return Promotions(
        _pilots(store, first_cycle),
        champions.training_waits(store, first_cycle),
        calibration.standings_of(store, calibrated),
    )


def _queued(store: Store, batch: list[tuple[PlaybookState, Due]]) -> dict[int, list[Item]]:
    """The open exception items of the playbooks with a step a close may demote
    (cadence.closing.may_demote), by playbook: one read for all."""
    demotable = [s.playbook.id for s, _ in batch if any(closing.may_demote(step.mode) for step in s.steps)]
    queued: dict[int, list[Item]] = {pid: [] for pid in demotable}
    for item in store.exception_items.open_of(demotable):
        queued[item.playbook_id].append(item)
    return queued


def _cycle_rests(store: Store, cycle_ends: list[tuple[PlaybookState, Due]]) -> dict[tuple[int, date], float]:
    """The rest's weekly KPIs of the ending cycles whose KPI has `compare`: no read without one."""
    compared = [(s, d) for s, d in cycle_ends if Compare.of(s.playbook.definition) is not None]
    weeks = [(s.playbook.id, week_of(d).cycle_start + timedelta(days=7 * i)) for s, d in compared for i in range(4)]
    return store.reports.week_rests(weeks)


def _readiness(
    store: Store, cycle_ends: list[tuple[PlaybookState, Due]], reads: RoundReads
) -> dict[int, dict[str, Any]]:
    """Readiness's inputs for the playbooks whose scale rule may hold at this close (it
    holds if the cycle hits target with no guardrail breach: judged so here), over the
    cycles it would hold over."""
    holding = []
    for state, due in cycle_ends:
        figures = cycle_figures(state, week_of(due), reads, False)
        held = cycle_end.scale_held(figures, cycle_end.cycle_result(figures))
        if held is not None:
            holding.append((state, week_of(due), held))
    if not holding:
        return {}
    starts = store.governance.cycle_starts_of([state.playbook.id for state, _, _ in holding])
    wanted = []
    for state, week, held in holding:
        own = {cycle: start for (pid, cycle), start in starts.items() if pid == state.playbook.id}
        own[week.cycle] = week.cycle_start
        wanted.append((state, [(r.cycle, own[r.cycle]) for r in held]))
    return readiness.inputs_many(store, wanted, standings=reads.promotions.calibration)


def _cycle_reads(store: Store, cycle_ends: list[tuple[PlaybookState, Due]]) -> CycleEnds:
    """For the playbooks whose cycle ends this week: their cycle's KPIs (and the rest's),
    the origins of those that adopted (with their waves), the scale rule's history and
    which have a scale proposal open. Readiness's inputs come after (`_readiness`)."""
    cycle_kpis = store.reports.week_kpis(
        [
            (state.playbook.id, week_of(due).cycle_start + timedelta(days=7 * i))
            for state, due in cycle_ends
            for i in range(calendar.WEEKS_PER_CYCLE)
        ]
    )
    origins, places = _origins(store, [(s, week_of(d)) for s, d in cycle_ends if s.playbook.adopted_from_id])
    scale = store.governance.scale_history([state.playbook.id for state, _ in cycle_ends])
    open_scale = store.governance.open_scale_proposals([state.playbook.id for state, _ in cycle_ends])
    return CycleEnds(cycle_kpis, _cycle_rests(store, cycle_ends), origins, places, scale, open_scale)


def cycle_figures(
    state: PlaybookState, week: calendar.WeekRef, reads: RoundReads, breached: bool
) -> cycle_end.CycleFigures:
    """The cycle's figures as read: its weekly KPIs, its bar, the guardrail over its weeks
    (`breached`: the closing week's), the scale rule's history and the origin."""
    playbook = state.playbook
    pid = playbook.id
    states = reads.history.guardrail.get(pid, {})
    cycle_breached = breached or any(
        states.get(week.cycle_start + timedelta(days=7 * i)) == cycle_rules.BREACHED for i in range(week.week - 1)
    )
    earlier, covered = reads.cycles.scale.get(pid, ([], 0))
    return cycle_end.CycleFigures(
        pid,
        week.cycle,
        week.week,
        week.week_start,
        tuple(reads.cycles.kpis.get((pid, week.cycle_start + timedelta(days=7 * i))) for i in range(4)),
        _bar(state, week, reads),
        playbook.kpi_direction,
        thresholds(state),
        cycle_breached,
        tuple(earlier),
        covered,
        pid in reads.cycles.open_scale,
        reads.cycles.origins.get(pid),
        *_rest_figures(state, week, reads),
    )


def _rest_figures(
    state: PlaybookState, week: calendar.WeekRef, reads: RoundReads
) -> tuple[tuple[float | None, ...] | None, float | None]:
    """The rest's weekly KPIs and baseline, for a KPI with `compare` (None, None without)."""
    compared = Compare.of(state.playbook.definition)
    if compared is None:
        return None, None
    pid, start = state.playbook.id, week.cycle_start
    return tuple(reads.cycles.rests.get((pid, start + timedelta(days=7 * i))) for i in range(4)), compared.rest_baseline


def _bar(state: PlaybookState, week: calendar.WeekRef, reads: RoundReads) -> cycle_end.Bar:
    """The KPI bar the cycle is judged by: its cycle_bar row's, else (this close records
    it) the playbook's now."""
    playbook = state.playbook
    baseline, target = reads.bars.get((playbook.id, week.cycle), (playbook.kpi_baseline, playbook.kpi_target))
    return cycle_end.Bar(baseline, target)


def ends_cycle(state: PlaybookState, week: calendar.WeekRef) -> bool:
    """A cycle's last week: its fourth, or the week a pause or retirement ended the run in."""
    anchor = state.cycle_anchor
    runs = [anchor, anchor.before] if anchor is not None else []
    return week.week == calendar.WEEKS_PER_CYCLE or any(r is not None and r.ends_after == week.week_start for r in runs)


def week_of(due: Due) -> calendar.WeekRef:
    assert due.week is not None, "a week close always names its week"
    return due.week


def _pilots(store: Store, adopting: list[PlaybookState]) -> dict[int, dict[str, str]]:
    """For the adopting playbooks in their first cycle: each step's mode in the version
    they adopted (by lowercased name), which no promotion proposal may go above."""
    if not adopting:
        return {}
    versions = store.registry.versions_by_id(
        [s.playbook.adopted_from_id for s in adopting if s.playbook.adopted_from_id]
    )
    modes: dict[int, dict[str, str]] = {
        v.id: {s.name.lower(): s.mode for s in read_spec(v.definition).steps} for v in versions.values()
    }
    return {s.playbook.id: modes[v.id] for s in adopting if (v := versions.get(s.playbook.adopted_from_id or 0))}


def _origins(
    store: Store, adopting: list[tuple[PlaybookState, calendar.WeekRef]]
) -> tuple[dict[int, cycle_end.OriginProgress], dict[int, waves.Place]]:
    """For the adopting playbooks whose cycle closes in this round: their origins' progress
    in the same cycle, in four reads however many, and each one's wave (waves.places)."""
    if not adopting:
        return {}, {}
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
            _origin_change(version, kpi_of[version.id]),
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


def _origin_change(version: Any, kpi: KpiSpec) -> tuple[int, float] | None:
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
