"""Closing a week: each step's verdict and the transitions it causes, the cycle's result
and the scale rule when it was a cycle's last week, and the week's summary for the team.

Closes come in rounds (usecases/tick.py): one round holds at most one week per playbook, and
costs the same few queries however many playbooks close at once. A round reads, judges,
writes: everything its closes are judged on is read first (usecases/shared/close_reads.py),
the rules in cadence/ judge it and return their decisions as data, and each close's
`Change` (with its messages, rendered here) is written by the caller's unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from cadence import (
    calendar,
    closing,
    cycle_end,
    cycle_rules,
    decisions,
    keys,
    replication,
    replication_evidence,
    rules,
    setup_decisions,
    sources,
    webhooks,
)
from cadence import calibration as calibration_rules
from cadence.closing import Guardrail
from cadence.definition_calibration import none_reason
from cadence.pulse import without_promotions_to_ai_led
from cadence.schedule import Due
from cadence.verdicts import WeekNumbers, WeekVerdict
from storage.governance_rows import Change, NewCycleBar, NewCycleResult, NewProposal, NewVerdict
from storage.outbox import Message
from storage.store import PlaybookState, Store
from templates import notices_close
from usecases.shared import baseline, calibration, pulse_close, queue, waves
from usecases.shared.close_reads import RoundReads, cycle_figures, ends_cycle, read_round, week_of
from usecases.shared.governance import thresholds, transitions_change
from usecases.shared.registry import not_ready_messages, scale_messages


@dataclass(frozen=True)
class Closed:
    """One week's close, ready to record: what it decided and its summary for the team."""

    due: Due
    state: PlaybookState
    change: Change
    summary: dict[str, Any]


def close_round(store: Store, batch: list[tuple[PlaybookState, Due]], beside: Store | None = None) -> list[Closed]:
    """The closes of these weeks, judged in `store`, the close's unit of work, which has
    closed the weeks to reports (Governance.close_weeks): their figures, and the cycle's
    KPIs with them, are read in it, so no report acknowledged is left out. `beside`: the
    store the steps' history is read on, in a second thread (see close_reads.read_round)."""
    judged = [(state, due) for state, due in batch if not week_of(due).baseline]
    reads = read_round(store, judged, beside or store) if judged else None
    closed = []
    for state, due in batch:
        if reads is None or week_of(due).baseline:  # an adopter's baseline week: no step is judged
            change, summary = baseline.close(store, state, due)
            closed.append(Closed(due, state, change, summary))
        else:
            closed.append(_close_week(state, due, reads))
    return closed


@dataclass
class _Judged:
    """One week's close as it is judged, step by step: the change, and what the summary says."""

    change: Change = field(default_factory=Change)
    outcomes: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)  # the rule that gave each step its verdict
    evidence: dict[str, Any] = field(default_factory=dict)  # what each confident PASS was judged on
    pools: dict[str, Any] = field(default_factory=dict)  # the small weeks a step's week was pooled with
    verdicts: list[tuple[str, decisions.Decision]] = field(default_factory=list)  # for week_closed
    judged: dict[str, WeekVerdict] = field(default_factory=dict)  # each step's week, as judged
    demoted: set[str] = field(default_factory=set)  # the steps this week demoted


def _close_week(state: PlaybookState, due: Due, reads: RoundReads) -> Closed:
    """One playbook's week: the guardrail, each step's verdict and transitions, the cycle's
    end, the sources that failed, and the summary."""
    week = week_of(due)
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
        if guardrail.state == cycle_rules.BREACHED:
            judged.change.messages += _guardrail_alert(state, week, guardrail, due.key)
    failed = _source_failed(state, reads.source_failures.get((state.playbook.id, week_start), {}))
    _judge_steps(state, due, reads, guardrail, failed, judged)
    judged.change.events.append(_week_closed(state, week, week_figures.kpi, guardrail, judged.verdicts))
    breached = guardrail is not None and guardrail.state == cycle_rules.BREACHED
    result, kpi_moved, compared = _cycle_end(state, due, reads, breached, judged)
    pulse, previous_pulse, pulse_hold = pulse_close.at_cycle_end(state, week, reads, judged.change)
    for entry in sources.entries(state.playbook.definition):
        if entry.key in failed:  # for history: MISSING, with why
            what, error = failed[entry.key]["what"], failed[entry.key]["error"]
            judged.change.decisions.append(
                setup_decisions.of_source_missing(state.playbook.id, week_start, entry, what, error)
            )
    summary = notices_close.week_closed(
        playbook=state.playbook,
        week=week,
        figures=week_figures,
        outcomes=judged.outcomes,
        reasons=judged.reasons,
        evidence=judged.evidence,
        pools=judged.pools,
        thresholds=thresholds(state),
        result=result,
        scale_min_kpi_weeks=state.settings.scale_min_kpi_weeks,
        guardrail=guardrail,
        source_failed=failed,
        kpi_moved=kpi_moved,
        judged_target=result.target if result is not None and result.target != state.playbook.kpi_target else None,
        compared=compared,
        pulse=pulse,
        previous_pulse=previous_pulse,
        pulse_hold=pulse_hold,
    )
    return Closed(due, state, judged.change, summary)


def _judge_steps(
    state: PlaybookState,
    due: Due,
    reads: RoundReads,
    guardrail: Guardrail | None,
    failed: dict[str, dict[str, str]],
    judged: _Judged,
) -> None:
    """Each step's verdict (cadence/closing.py) and the change its transitions make."""
    week_start = week_of(due).week_start
    th = thresholds(state)
    pid = state.playbook.id
    # A step whose cases, exceptions or rubric never came from its source is not judged on a guess.
    unsourced = {e.step for e in sources.entries(state.playbook.definition) if e.step and e.key in failed}
    pilot = reads.promotions.pilots.get(pid)
    for step, numbers in zip(state.steps, reads.figures[(pid, week_start)].steps, strict=True):
        # A review whose sample fell short of the review rate counts as no rubric score.
        lowest_of = numbers.dimensions if numbers.counted_rubric is not None else None
        week_numbers = WeekNumbers(
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
            pid in reads.promotions.training,
            week_of(due).cycle_start,
            reads.pool_bars.get(step.id),
        )
        verdict = closing.judge_step(step_week, week_start, th, guardrail)
        judged.evidence[step.name] = verdict.evidence
        judged.outcomes[step.name] = verdict.outcome
        judged.reasons[step.name] = verdict.rule
        if verdict.pool is not None:
            judged.pools[step.name] = verdict.decision.figures["pool"]
        judged.change.decisions.append(verdict.decision)
        judged.verdicts.append((step.name, verdict.decision))
        judged.judged[step.name] = WeekVerdict(week_start, verdict.outcome, week_numbers)
        if any(t.kind is rules.Kind.DEMOTION for t in verdict.transitions):
            judged.demoted.add(step.name)
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
            _transitions(state, step, due, verdict.transitions, reads, judged.change)


def _transitions(
    state: PlaybookState,
    step: Any,
    due: Due,
    transitions: list[rules.Transition],
    reads: RoundReads,
    change: Change,
) -> None:
    """What a step's transitions change: a proposal to ai-led waits while the step's
    calibration set is not run, stale or below the threshold (cadence/calibration.py),
    and a demotion names the open exception items behind it."""
    if pulse_close.held(state, week_of(due), reads):  # the team's pulse holds them (the owner was told once)
        transitions = without_promotions_to_ai_led(transitions)
    standing = reads.promotions.calibration.get(state.playbook.id, {}).get(step.name)
    none = none_reason(state.playbook.definition, step.name)
    transitions, waits = calibration_rules.hold(transitions, standing, none)
    change.messages += calibration.wait_messages(state, step, waits)
    items = None
    if any(t.kind is rules.Kind.DEMOTION for t in transitions):
        at = calendar.week_closes_at(week_of(due).week_start, state.playbook.timezone, state.settings.grace_hours)
        # read beforehand for every playbook with a step above the floor (cadence.closing.may_demote)
        items = [queue.shown(state, i, at) for i in reads.queued[state.playbook.id] if i.step_id == step.id]
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
    state: PlaybookState, due: Due, reads: RoundReads, breached: bool, closed: _Judged
) -> tuple[cycle_rules.CycleResult | None, Any, Any]:
    """At a cycle's last week: the KPI's move over the cycle, the scale rule, replication
    against the origin and the stall rule, judged (cadence/cycle_end.py) and recorded.
    (None, None, None) in any other week."""
    week = week_of(due)
    if not ends_cycle(state, week):
        return None, None, None
    playbook = state.playbook
    change = closed.change
    figures = replace(
        cycle_figures(state, week, reads, breached),
        over_cap=_over_cap(state, week, reads, closed),
        evidence=_evidence(state, week, reads, closed),
    )
    judged = cycle_end.judge(figures, reads.cycles.readiness.get(playbook.id))
    change.cycle_results.append(NewCycleResult(playbook.id, week.cycle_start, judged.result, due.due_at))
    change.decisions.append(judged.result_decision)
    if judged.scale is not None:
        shown = pulse_close.shown(state, week, reads)  # beside readiness's criteria, as information
        _record_scale(state, week, judged.scale, change, reads.curators, shown)
    if judged.replication is not None:
        change.decisions.append(judged.replication)
        verdict = judged.replication.figures["verdict"]
        change.messages += waves.replicated_messages(
            reads.cycles.places.get(playbook.id), playbook, week.cycle, verdict
        )
    if judged.stall is not None and judged.stall_decision is not None:
        change.decisions.append(judged.stall_decision)
        change.messages += stall_messages(state, judged.stall, reads.curators)
    return judged.result, judged.kpi_moved, judged.compared


def _over_cap(state: PlaybookState, week: calendar.WeekRef, reads: RoundReads, closed: _Judged) -> tuple[str, ...]:
    """An adopting playbook's steps demoted in the cycle or with a week at once over the cap
    (cadence.replication.over_cap_steps): its earlier weeks as kept, this one as judged."""
    if not state.playbook.adopted_from_id:
        return ()
    cycle = {}
    for step in state.steps:
        before = reads.history.states[step.id]
        earlier = [v for v in before.verdicts if week.cycle_start <= v.week_start < week.week_start]
        demoted = {d for d in before.demotions if d >= week.cycle_start}
        demoted |= {week.week_start} if step.name in closed.demoted else set()
        cycle[step.name] = ([*earlier, closed.judged[step.name]], demoted)
    return tuple(replication.over_cap_steps(cycle, thresholds(state)))


def _evidence(state: PlaybookState, week: calendar.WeekRef, reads: RoundReads, closed: _Judged) -> str | None:
    """Why an adopting playbook's cycle lacks the evidence to replicate
    (cadence.replication.evidence_gap): its earlier weeks as kept, this one as judged."""
    if not state.playbook.adopted_from_id:
        return None
    cycle = {}
    for step in state.steps:
        before = reads.history.states[step.id]
        earlier = [v for v in before.verdicts if week.cycle_start <= v.week_start < week.week_start]
        cycle[step.name] = [*earlier, closed.judged[step.name]]
    return replication_evidence.evidence_gap(cycle, week.cycle_start)


def _bar_of(state: PlaybookState, week: calendar.WeekRef) -> NewCycleBar:
    """The bar in force now, as the cycle's: recorded by the first close of one of its weeks."""
    playbook = state.playbook
    return NewCycleBar(playbook.id, week.cycle, week.cycle_start, playbook.kpi_baseline, playbook.kpi_target)


def _record_scale(
    state: PlaybookState,
    week: calendar.WeekRef,
    scale: cycle_end.Scale,
    change: Change,
    curators: str | None,
    pulse: dict[str, Any] | None = None,
) -> None:
    """The scale rule held: "ready to scale" with its Publish button if the criteria of
    readiness are met too, each shown ✅ or ❌ with its numbers. Otherwise "KPI sustained,
    not yet ready", naming what is missing, to the owner and the curators, once per cycle
    (its keys are the cycle's): no proposal, and the next cycle's close asks again.
    Either way a decision row keeps the numbers."""
    playbook = state.playbook
    if not scale.ready:
        change.decisions.append(scale.decision)
        change.messages += not_ready_messages(state, {**scale.figures, "pulse": pulse}, curators)
        return
    key = keys.scale(playbook.id, week.cycle)
    # the pulse kept with the proposal, so that its outcome still shows it
    figures = {**scale.figures, **({"pulse": pulse} if pulse else {})}
    change.new_proposals.append(NewProposal(key, "scale", playbook.id, week.week_start, figures=figures))
    change.decisions.append(scale.decision)
    change.messages += scale_messages(state, figures, key, curators)


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
