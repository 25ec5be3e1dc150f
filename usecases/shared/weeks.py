"""Closing a week: each step's verdict and the transitions it causes, the cycle's result
and the scale rule when it was a cycle's last week, and the week's summary for the team.

Closes come in rounds (usecases/tick.py): one round holds at most one week per playbook, and
costs the same few queries however many playbooks close at once.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from cadence import calendar, closing, compare, cycle_end, decisions, keys, replication, rules, sources, webhooks
from cadence.closing import Guardrail
from cadence.definition_compare import Compare
from cadence.exception_queue import Item
from cadence.figures import WeekFigures
from cadence.schedule import Due
from storage.governance_rows import Change, NewCycleBar, NewCycleResult, NewProposal, NewVerdict, StepHistory
from storage.outbox import Message
from storage.store import CURATORS_CHANNEL, PlaybookState, Store
from templates import notices_close
from usecases.shared import calibration, champions, queue, readiness, waves
from usecases.shared.governance import thresholds, transitions_change
from usecases.shared.registry import not_ready_messages, scale_messages


@dataclass(frozen=True)
class Closed:
    """One week's close, ready to record: what it decided and its summary for the team."""

    due: Due
    state: PlaybookState
    change: Change
    summary: dict[str, Any]


@dataclass(frozen=True)
class RoundReads:
    """What a round of closes is judged on, read in the close's unit of work (after the
    weeks were closed to reports) but for the steps' history, read beside it."""

    figures: dict[tuple[int, date], WeekFigures]
    history: StepHistory
    cycle_kpis: dict[tuple[int, date], float]
    origins: dict[int, cycle_end.OriginProgress]
    pilots: dict[int, dict[str, str]]
    scale: dict[int, Any]
    open_scale: set[int]
    curators: str | None
    source_failures: dict[tuple[int, date], dict[str, str]]
    readiness: dict[int, dict[str, Any]] = field(default_factory=dict)  # for the scale rules that may hold
    places: dict[int, waves.Place] = field(default_factory=dict)  # adopters' waves, to tell of a replication
    # The (baseline, target) each closing week's cycle is judged by, for those recorded
    # (cycle_bar): a close records its cycle's when there is none yet.
    bars: dict[tuple[int, int], tuple[float, float]] = field(default_factory=dict)
    cycle_rests: dict[tuple[int, date], float] = field(default_factory=dict)  # the rest's, with `compare`
    training: set[int] = field(default_factory=set)  # adopters whose promotions wait for the champion's training


def close_round(store: Store, batch: list[tuple[PlaybookState, Due]], beside: Store | None = None) -> list[Closed]:
    """The closes of these weeks, judged in `store`, the close's unit of work, which has
    closed the weeks to reports (Governance.close_weeks): their figures, and the cycle's
    KPIs with them, are read in it, so no report acknowledged is left out. `beside`: the
    store the steps' history is read on, in a second thread (see read_round)."""
    reads = read_round(store, batch, beside or store)
    queued: dict[int, list[Item]] = {}  # the open exception items of playbooks with a demotion
    return [_close_week(store, state, due, reads, queued) for state, due in batch]


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
        figures = store.reports.week_figures_many([(state, _week(due).week_start) for state, due in batch])
        history = histories.result()
    cycle_ends = [(state, due) for state, due in batch if _ends_cycle(state, _week(due))]
    cycle_kpis, (origins, places), scale, open_scale = _cycle_reads(store, cycle_ends)
    pilots = _pilots(store, [state for state, due in batch if state.playbook.adopted_from_id and _week(due).cycle == 1])
    curators = store.org.setting(CURATORS_CHANNEL)
    source_failures = store.sources.failures(
        [(s.playbook.id, _week(d).week_start) for s, d in batch if s.playbook.definition.get("sources")]
    )
    reads = RoundReads(figures, history, cycle_kpis, origins, pilots, scale, open_scale, curators, source_failures)
    reads.places.update(places)
    reads.training.update(
        champions.training_waits(store, [s for s, d in batch if s.playbook.adopted_from_id and _week(d).cycle == 1])
    )
    reads.bars.update(store.governance.cycle_bars([(state.playbook.id, _week(due).cycle) for state, due in batch]))
    reads.cycle_rests.update(_cycle_rests(store, cycle_ends))
    reads.readiness.update(_readiness(store, cycle_ends, reads))
    return reads


def _cycle_rests(store: Store, cycle_ends: list[tuple[PlaybookState, Due]]) -> dict[tuple[int, date], float]:
    """The rest's weekly KPIs of the ending cycles whose KPI has `compare`: no read without one."""
    compared = [(s, d) for s, d in cycle_ends if Compare.of(s.playbook.definition) is not None]
    weeks = [(s.playbook.id, _week(d).cycle_start + timedelta(days=7 * i)) for s, d in compared for i in range(4)]
    return store.reports.week_rests(weeks)


def _readiness(
    store: Store, cycle_ends: list[tuple[PlaybookState, Due]], reads: RoundReads
) -> dict[int, dict[str, Any]]:
    """Readiness's inputs for the playbooks whose scale rule may hold at this close (it
    holds if the cycle hits target with no guardrail breach: judged so here), over the
    cycles it would hold over."""
    holding = []
    for state, due in cycle_ends:
        figures = _cycle_figures(state, _week(due), reads, False)
        held = cycle_end.scale_held(figures, cycle_end.cycle_result(figures))
        if held is not None:
            holding.append((state, _week(due), held))
    if not holding:
        return {}
    starts = store.governance.cycle_starts_of([state.playbook.id for state, _, _ in holding])
    wanted = []
    for state, week, held in holding:
        own = {cycle: start for (pid, cycle), start in starts.items() if pid == state.playbook.id}
        own[week.cycle] = week.cycle_start
        wanted.append((state, [(r.cycle, own[r.cycle]) for r in held]))
    return readiness.inputs_many(store, wanted)


def _cycle_reads(
    store: Store, cycle_ends: list[tuple[PlaybookState, Due]]
) -> tuple[
    dict[tuple[int, date], float],
    tuple[dict[int, cycle_end.OriginProgress], dict[int, waves.Place]],
    dict[int, Any],
    set[int],
]:
    """For the playbooks whose cycle ends this week: their cycle's KPIs, the origins of
    those that adopted (with their waves), the scale rule's history and which have a scale
    proposal open."""
    cycle_kpis = store.reports.week_kpis(
        [
            (state.playbook.id, _week(due).cycle_start + timedelta(days=7 * i))
            for state, due in cycle_ends
            for i in range(calendar.WEEKS_PER_CYCLE)
        ]
    )
    origins = _origins(store, [(s, _week(d)) for s, d in cycle_ends if s.playbook.adopted_from_id])
    scale = store.governance.scale_history([state.playbook.id for state, _ in cycle_ends])
    open_scale = store.governance.open_scale_proposals([state.playbook.id for state, _ in cycle_ends])
    return cycle_kpis, origins, scale, open_scale


@dataclass
class _Judged:
    """One week's close as it is judged, step by step: the change, and what the summary says."""

    change: Change = field(default_factory=Change)
    outcomes: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)  # the rule that gave each step its verdict
    evidence: dict[str, Any] = field(default_factory=dict)  # what each confident PASS was judged on
    verdicts: list[tuple[str, decisions.Decision]] = field(default_factory=list)  # for week_closed


def _close_week(
    store: Store, state: PlaybookState, due: Due, reads: RoundReads, queued: dict[int, list[Item]]
) -> Closed:
    """One playbook's week: the guardrail, each step's verdict and transitions, the cycle's
    end, the sources that failed, and the summary."""
    week = _week(due)
    week_start = week.week_start
    week_figures = reads.figures[(state.playbook.id, week_start)]
    judged = _Judged()
    if (state.playbook.id, week.cycle) not in reads.bars:  # the cycle's first close: its bar
        judged.change.cycle_bars.append(_bar_of(state, week))
    guardrail = _guardrail(
        state, week_start, week_figures.guardrail, reads.history.guardrail.get(state.playbook.id, {})
    )
    if guardrail is not None:
        judged.change.decisions.append(guardrail.decision)
        if guardrail.state == rules.BREACHED:
            judged.change.messages += _guardrail_alert(state, week, guardrail, due.key)
    failed = _source_failed(state, reads.source_failures.get((state.playbook.id, week_start), {}))
    _judge_steps(store, state, due, reads, guardrail, failed, judged, queued)
    judged.change.events.append(_week_closed(state, week, week_figures.kpi, guardrail, judged.verdicts))
    breached = guardrail is not None and guardrail.state == rules.BREACHED
    result, kpi_moved, compared = _cycle_end(state, due, reads, breached, judged.change)
    for entry in sources.entries(state.playbook.definition):
        if entry.key in failed:  # for history: MISSING, with why
            what, error = failed[entry.key]["what"], failed[entry.key]["error"]
            judged.change.decisions.append(
                decisions.of_source_missing(state.playbook.id, week_start, entry, what, error)
            )
    summary = notices_close.week_closed(
        playbook=state.playbook,
        week=week,
        figures=week_figures,
        outcomes=judged.outcomes,
        reasons=judged.reasons,
        evidence=judged.evidence,
        thresholds=thresholds(state),
        result=result,
        scale_min_kpi_weeks=state.settings.scale_min_kpi_weeks,
        guardrail=guardrail,
        source_failed=failed,
        kpi_moved=kpi_moved,
        judged_target=result.target if result is not None and result.target != state.playbook.kpi_target else None,
        compared=compared,
    )
    return Closed(due, state, judged.change, summary)


def _judge_steps(
    store: Store,
    state: PlaybookState,
    due: Due,
    reads: RoundReads,
    guardrail: Guardrail | None,
    failed: dict[str, dict[str, str]],
    judged: _Judged,
    queued: dict[int, list[Item]],
) -> None:
    """Each step's verdict (cadence/closing.py) and the change its transitions make."""
    week_start = _week(due).week_start
    th = thresholds(state)
    pid = state.playbook.id
    # A step whose cases, exceptions or rubric never came from its source is not judged on a guess.
    unsourced = {e.step for e in sources.entries(state.playbook.definition) if e.step and e.key in failed}
    pilot = reads.pilots.get(pid)
    for step, numbers in zip(state.steps, reads.figures[(pid, week_start)].steps, strict=True):
        # A review whose sample fell short of the review rate counts as no rubric score.
        lowest_of = numbers.dimensions if numbers.counted_rubric is not None else None
        week_numbers = rules.WeekNumbers(
            numbers.cases, numbers.total_exceptions, numbers.counted_rubric, numbers.reviewed, lowest_of
        )
        step_week = closing.StepClosing(
            pid,
            step.id,
            step.name,
            step.mode,
            week_numbers,
            reads.history.states[step.id],
            step.name in unsourced,
            pilot.get(step.name.lower()) if pilot is not None else None,
            pilot is not None,
            pid in reads.training,
        )
        verdict = closing.judge_step(step_week, week_start, th, guardrail)
        judged.evidence[step.name] = verdict.evidence
        judged.outcomes[step.name] = verdict.outcome
        judged.reasons[step.name] = verdict.rule
        judged.change.decisions.append(verdict.decision)
        judged.verdicts.append((step.name, verdict.decision))
        judged.change.verdicts.append(
            NewVerdict(
                pid,
                step.id,
                week_start,
                step.mode,
                verdict.outcome,
                numbers.cases,
                numbers.total_exceptions,
                numbers.counted_rubric,
                verdict.rule,
                numbers.reviewed,
                lowest_of,
            )
        )
        if verdict.transitions:  # most steps, most weeks have none
            _transitions(store, state, step, due, verdict.transitions, reads, judged.change, queued)


def _transitions(
    store: Store,
    state: PlaybookState,
    step: Any,
    due: Due,
    transitions: list[rules.Transition],
    reads: RoundReads,
    change: Change,
    queued: dict[int, list[Item]],
) -> None:
    """What a step's transitions change; a demotion names the open exception items behind
    it (few demotions: read then)."""
    transitions, waiting = calibration.hold_promotions(store, state, step, transitions)  # a set not run waits
    change.messages += waiting
    items = None
    if any(t.kind is rules.Kind.DEMOTION for t in transitions):
        if state.playbook.id not in queued:
            queued[state.playbook.id] = store.exception_items.open_of([state.playbook.id])
        at = calendar.week_closes_at(_week(due).week_start, state.playbook.timezone, state.settings.grace_hours)
        items = [queue.shown(state, i, at) for i in queued[state.playbook.id] if i.step_id == step.id]
    change.merge(
        transitions_change(
            state,
            step,
            transitions,
            None,
            keys.step_transitions(due.key, step.id),
            reads.curators,
            reads.history.open_proposals.get(step.id),
            items=items,
        )
    )


def _cycle_end(
    state: PlaybookState, due: Due, reads: RoundReads, breached: bool, change: Change
) -> tuple[rules.CycleResult | None, Any, Any]:
    """At a cycle's last week: the KPI's move over the cycle, the scale rule, replication
    against the origin and the stall rule, judged (cadence/cycle_end.py) and recorded.
    (None, None, None) in any other week."""
    week = _week(due)
    if not _ends_cycle(state, week):
        return None, None, None
    playbook = state.playbook
    judged = cycle_end.judge(_cycle_figures(state, week, reads, breached), reads.readiness.get(playbook.id))
    change.cycle_results.append(NewCycleResult(playbook.id, week.cycle_start, judged.result, due.due_at))
    change.decisions.append(judged.result_decision)
    if judged.scale is not None:
        _record_scale(state, week, judged.scale, change, reads.curators)
    if judged.replication is not None:
        change.decisions.append(judged.replication)
        verdict = judged.replication.figures["verdict"]
        change.messages += waves.replicated_messages(reads.places.get(playbook.id), playbook, week.cycle, verdict)
    if judged.stall is not None and judged.stall_decision is not None:
        change.decisions.append(judged.stall_decision)
        change.messages += stall_messages(state, judged.stall, reads.curators)
    return judged.result, judged.kpi_moved, judged.compared


def _cycle_figures(
    state: PlaybookState, week: calendar.WeekRef, reads: RoundReads, breached: bool
) -> cycle_end.CycleFigures:
    """The cycle's figures as read: its weekly KPIs, its bar, the guardrail over its weeks
    (`breached`: the closing week's), the scale rule's history and the origin."""
    playbook = state.playbook
    pid = playbook.id
    states = reads.history.guardrail.get(pid, {})
    cycle_breached = breached or any(
        states.get(week.cycle_start + timedelta(days=7 * i)) == rules.BREACHED for i in range(week.week - 1)
    )
    earlier, covered = reads.scale.get(pid, ([], 0))
    return cycle_end.CycleFigures(
        pid,
        week.cycle,
        week.week,
        week.week_start,
        tuple(reads.cycle_kpis.get((pid, week.cycle_start + timedelta(days=7 * i))) for i in range(4)),
        _bar(state, week, reads),
        playbook.kpi_direction,
        thresholds(state),
        cycle_breached,
        tuple(earlier),
        covered,
        pid in reads.open_scale,
        reads.origins.get(pid),
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
    return tuple(reads.cycle_rests.get((pid, start + timedelta(days=7 * i))) for i in range(4)), compared.rest_baseline


def _bar_of(state: PlaybookState, week: calendar.WeekRef) -> NewCycleBar:
    """The bar in force now, as the cycle's: recorded by the first close of one of its weeks."""
    playbook = state.playbook
    return NewCycleBar(playbook.id, week.cycle, week.cycle_start, playbook.kpi_baseline, playbook.kpi_target)


def _bar(state: PlaybookState, week: calendar.WeekRef, reads: RoundReads) -> cycle_end.Bar:
    """The KPI bar the cycle is judged by: its cycle_bar row's, else (this close records
    it) the playbook's now."""
    playbook = state.playbook
    baseline, target = reads.bars.get((playbook.id, week.cycle), (playbook.kpi_baseline, playbook.kpi_target))
    return cycle_end.Bar(baseline, target)


def _record_scale(
    state: PlaybookState, week: calendar.WeekRef, scale: cycle_end.Scale, change: Change, curators: str | None
) -> None:
    """The scale rule held: "ready to scale" with its Publish button if the criteria of
    readiness are met too, each shown ✅ or ❌ with its numbers. Otherwise "KPI sustained,
    not yet ready", naming what is missing, to the owner and the curators, once per cycle
    (its keys are the cycle's): no proposal, and the next cycle's close asks again.
    Either way a decision row keeps the numbers."""
    playbook = state.playbook
    if not scale.ready:
        change.decisions.append(scale.decision)
        change.messages += not_ready_messages(state, scale.figures, curators)
        return
    key = keys.scale(playbook.id, week.cycle)
    change.new_proposals.append(NewProposal(key, "scale", playbook.id, week.week_start, figures=scale.figures))
    change.decisions.append(scale.decision)
    change.messages += scale_messages(state, scale.figures, key, curators)


def _source_failed(state: PlaybookState, errors: dict[str, str]) -> dict[str, dict[str, str]]:
    """The sourced numbers a week closed without, by what they feed: MISSING ("source failed: …")."""
    found = {}
    for entry in sources.entries(state.playbook.definition):
        if entry.key in errors:
            what = entry.words(state.playbook.kpi_name, state.playbook.guardrail_name or "")
            found[entry.key] = {"what": what, "source": entry.source, "error": errors[entry.key]}
    return found


def _week_closed(
    state: PlaybookState,
    week: calendar.WeekRef,
    kpi: float | None,
    guardrail: Guardrail | None,
    verdicts: list[tuple[str, decisions.Decision]],
) -> webhooks.Event:
    """The webhooks' week_closed: the KPI, the guardrail, each step's verdict with its figures."""
    playbook = state.playbook
    figures = dict(
        name=playbook.kpi_name,
        unit=playbook.kpi_unit,
        value=kpi,
        baseline=playbook.kpi_baseline,
        target=playbook.kpi_target,
        direction=playbook.kpi_direction,
    )
    record = guardrail.decision if guardrail is not None else None
    return webhooks.week_closed(playbook.id, week.week_start, week.cycle, week.week, figures, record, verdicts)


def _guardrail(
    state: PlaybookState, week_start: date, value: float | None, earlier: dict[date, str]
) -> Guardrail | None:
    playbook = state.playbook
    if playbook.guardrail_name is None:
        return None
    spec = closing.GuardrailSpec(
        playbook.id, playbook.guardrail_name, state.guardrail_unit, playbook.guardrail_min, playbook.guardrail_max
    )
    return closing.guardrail(spec, week_start, value, earlier)


def _guardrail_alert(
    state: PlaybookState, week: calendar.WeekRef, guardrail: Guardrail, close_key: str
) -> list[Message]:
    """A BREACHED week, to the team channel and the owner: the value, the bound, the week."""
    playbook = state.playbook
    message = notices_close.guardrail_alert(
        slug=playbook.slug,
        week=week,
        g=guardrail,
        owner=playbook.owner_id,
        demotes=any(s.mode == "ai-led" for s in state.steps),
    )
    unit = keys.transition(close_key, "guardrail")
    return [
        Message(keys.to_audience(unit, "team"), "chat.postMessage", playbook.channel_id, message),
        Message(keys.to_audience(unit, "owner"), "chat.postMessage", playbook.owner_id, message),
    ]


def _ends_cycle(state: PlaybookState, week: calendar.WeekRef) -> bool:
    """A cycle's last week: its fourth, or the week a pause or retirement ended the run in."""
    anchor = state.cycle_anchor
    runs = [anchor, anchor.before] if anchor is not None else []
    return week.week == calendar.WEEKS_PER_CYCLE or any(r is not None and r.ends_after == week.week_start for r in runs)


def _week(due: Due) -> calendar.WeekRef:
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
    pilots = {}
    for state in adopting:
        version = versions.get(state.playbook.adopted_from_id or 0)
        if version is not None:
            steps = version.definition.get("steps") or []
            pilots[state.playbook.id] = {str(s["name"]).lower(): str(s["mode"]) for s in steps}
    return pilots


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
    origins = {
        pid: cycle_end.OriginProgress(
            version.slug,
            version.version,
            _origin_progress(version, start, kpis),
            _origin_change(version),
            _origin_delta(version, start, kpis, rests),
        )
        for pid, (version, start) in wanted.items()
    }
    return origins, waves.places(store, list(versions.values()))


def _origin_delta(
    version: Any, start: date | None, kpis: dict[tuple[int, date], float], rests: dict[tuple[int, date], float]
) -> float | None:
    """The origin's mean weekly delta against the rest in its cycle starting `start` (None:
    it does not compare, or has no such cycle, or no week with both numbers)."""
    if start is None or Compare.of(version.definition) is None:
        return None
    weeks = [(version.playbook_id, start + timedelta(days=7 * i)) for i in range(calendar.WEEKS_PER_CYCLE)]
    run, rest = [kpis.get(w) for w in weeks], [rests.get(w) for w in weeks]
    return compare.compare_cycle(
        run, rest, (version.definition.get("kpi") or {}).get("direction", "down")
    ).change.change


def _origin_change(version: Any) -> tuple[int, float] | None:
    """The origin's cycle and relative KPI change when the version was published (what an
    adopting cycle must reach `replicate_share` of), from the results the version keeps."""
    kpi = version.definition.get("kpi") or {}
    return replication.origin_change(version.cycle_results, kpi["baseline"]) if "baseline" in kpi else None


def _origin_progress(version: Any, start: date | None, kpis: dict[tuple[int, date], float]) -> float | None:
    """The origin's progress in its cycle starting `start`, by its version's KPI bar (None:
    no such cycle, or no KPI in it)."""
    kpi = version.definition.get("kpi") or {}
    if start is None or "baseline" not in kpi or "target" not in kpi:
        return None
    weekly = [kpis.get((version.playbook_id, start + timedelta(days=7 * i))) for i in range(4)]
    return replication.cycle_progress(weekly, kpi["baseline"], kpi["target"])


def stall_messages(state: PlaybookState, figures: dict[str, Any], curators: str | None) -> list[Message]:
    """The stall, to the owner's DM and the curators (or, while there is no curators
    channel, the team), with *Refine*, *Re-scope* and *Retire*."""
    playbook = state.playbook
    unit = keys.stall(playbook.id, figures["cycle"])
    message = notices_close.stalled(
        slug=playbook.slug,
        title=playbook.title,
        kpi_name=playbook.kpi_name,
        kpi_unit=playbook.kpi_unit,
        direction=playbook.kpi_direction,
        owner=playbook.owner_id,
        figures=figures,
        key=unit,
    )
    return [
        Message(keys.to_audience(unit, "owner"), "chat.postMessage", playbook.owner_id, message),
        Message(keys.to_audience(unit, "curators"), "chat.postMessage", curators or playbook.channel_id, message),
    ]
