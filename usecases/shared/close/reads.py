"""The kinds of data more than one of the close's rules is judged on, each read once a
round (week.py, `Round.read`), a query or two however many playbooks close: the weeks'
figures and the steps' history, the cycles' bars, the curators' channel, the calibration
standings, and for the playbooks whose cycle ends, what the cycle is judged on."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from cadence import calendar, cycle_end, cycle_rules
from cadence import calibration as calibration_rules
from cadence.calibration import Standing
from cadence.definition_compare import Compare
from cadence.figures import WeekFigures
from cadence.state import PlaybookState
from storage.governance_rows import StepHistory
from storage.store import CURATORS_CHANNEL
from usecases.shared import calibration
from usecases.shared.close.week import Round, WeekClose, ends_cycle, week_of
from usecases.shared.governance import thresholds


@dataclass(frozen=True)
class Weeks:
    """The closing weeks' figures, and the steps' history (and the guardrail's) before them."""

    figures: dict[tuple[int, date], WeekFigures]
    history: StepHistory


def weeks(round: Round) -> Weeks:
    """The close's two largest reads, side by side: on PostgreSQL each waits on the server
    for a while (the steps' verdict windows longest), and that wait is spent reading the
    week's figures (0.98 to 0.86 s, median of five closes of 1,000 playbooks). On SQLite
    both are work in this process: no faster, no slower. The history is read on its own
    connection (`beside`): a unit of work's session is not shared between threads, and
    the close changes nothing the history reads before it is judged."""
    batch = round.batch
    lookback = max(thresholds(state).lookback_weeks for state, _ in batch)
    with ThreadPoolExecutor(1, thread_name_prefix="close-reads") as reader:
        histories = reader.submit(round.beside.governance.histories, [state for state, _ in batch], lookback)
        figures = round.store.reports.week_figures_many([(state, week_of(due).week_start) for state, due in batch])
        history = histories.result()
    return Weeks(figures, history)


def bars(round: Round) -> dict[tuple[int, int], tuple[float, float]]:
    """The (baseline, target) each closing week's cycle is judged by, for those recorded
    (cycle_bar): a close records its cycle's when there is none yet."""
    return round.store.governance.cycle_bars([(state.playbook.id, week_of(due).cycle) for state, due in round.batch])


def curators(round: Round) -> str | None:
    return round.store.org.setting(CURATORS_CHANNEL)


def standings(round: Round) -> dict[int, dict[str, Standing]]:
    """The calibration standings of the playbooks with a step a close may propose to
    ai-led (cadence.calibration.may_hold) or whose cycle ends (readiness's): one read for
    all, none where no playbook declares a set."""
    ending = {s.playbook.id for s, d in round.batch if ends_cycle(s, week_of(d))}
    calibrated = [
        s
        for s, _ in round.batch
        if calibration_rules.declares_any(s.playbook.definition)  # most do not: no step looked at
        and (
            s.playbook.id in ending
            or any(calibration_rules.may_hold(s.playbook.definition, step.name, step.mode) for step in s.steps)
        )
    ]
    return calibration.standings_of(round.store, calibrated)


@dataclass(frozen=True)
class Cycles:
    """For the playbooks whose cycle ends this week: the cycle's weekly KPIs (`kpis`; the
    rest's, `rests`, with `compare`), the scale rule's history and which have a scale
    proposal open."""

    kpis: dict[tuple[int, date], float]
    rests: dict[tuple[int, date], float]
    scale: dict[int, Any]
    open_scale: set[int]


def cycle_ends(round: Round) -> list[tuple[PlaybookState, calendar.WeekRef]]:
    return [(state, week_of(due)) for state, due in round.batch if ends_cycle(state, week_of(due))]


def cycles(round: Round) -> Cycles:
    ending = cycle_ends(round)
    cycle_kpis = round.store.reports.week_kpis(
        [
            (state.playbook.id, week.cycle_start + timedelta(days=7 * i))
            for state, week in ending
            for i in range(calendar.WEEKS_PER_CYCLE)
        ]
    )
    scale = round.store.governance.scale_history([state.playbook.id for state, _ in ending])
    open_scale = round.store.governance.open_scale_proposals([state.playbook.id for state, _ in ending])
    compared = [(s, w) for s, w in ending if Compare.of(s.playbook.definition) is not None]
    rests = round.store.reports.week_rests(  # no read without `compare`
        [(s.playbook.id, w.cycle_start + timedelta(days=7 * i)) for s, w in compared for i in range(4)]
    )
    return Cycles(cycle_kpis, rests, scale, open_scale)


@dataclass(frozen=True)
class CycleReads:
    """What a cycle's figures are read from: the guardrail's weeks, the cycles' bars and
    the cycles' KPIs and scale history."""

    guardrail: dict[int, dict[date, str]]
    bars: dict[tuple[int, int], tuple[float, float]]
    cycles: Cycles


def cycle_reads(round: Round) -> CycleReads:
    return CycleReads(round.read(weeks).history.guardrail, round.read(bars), round.read(cycles))


def cycle_figures(
    read: CycleReads, state: PlaybookState, week: calendar.WeekRef, breached: bool
) -> cycle_end.CycleFigures:
    """The cycle's figures as read: its weekly KPIs, its bar (its cycle_bar row's, else,
    as this close records it, the playbook's now), the guardrail over its weeks
    (`breached`: the closing week's), the scale rule's history, and the rest's KPIs and
    baseline for a KPI with `compare`. An adopter's origin is the replication rule's."""
    playbook = state.playbook
    pid = playbook.id
    states = read.guardrail.get(pid, {})
    cycle_breached = breached or any(
        states.get(week.cycle_start + timedelta(days=7 * i)) == cycle_rules.BREACHED for i in range(week.week - 1)
    )
    earlier, covered = read.cycles.scale.get(pid, ([], 0))
    baseline, target = read.bars.get((pid, week.cycle), (playbook.kpi_baseline, playbook.kpi_target))
    compared = Compare.of(playbook.definition)
    rest = None
    if compared is not None:
        rest = tuple(read.cycles.rests.get((pid, week.cycle_start + timedelta(days=7 * i))) for i in range(4))
    return cycle_end.CycleFigures(
        pid,
        week.cycle,
        week.week,
        week.week_start,
        tuple(read.cycles.kpis.get((pid, week.cycle_start + timedelta(days=7 * i))) for i in range(4)),
        cycle_end.Bar(baseline, target),
        playbook.kpi_direction,
        thresholds(state),
        cycle_breached,
        tuple(earlier),
        covered,
        pid in read.cycles.open_scale,
        None,
        rest,
        compared.rest_baseline if compared is not None else None,
    )


def of_week(week: WeekClose) -> tuple[int, date]:
    return week.state.playbook.id, week.week.week_start
