"""Each step's week (cadence/closing.py): its verdict, and the change its transitions make.
A promotion may wait: in an adopting team's first cycle, for the mode the version adopted;
in an adopting team whose kit requires a champion, for the champion's training; for the team's pulse (pulse_hold.py) and its tools' usage
records (usage.py: two weeks attested without usage); for the step's
calibration set (cadence/calibration.py). A demotion names the step's open exception
items. All of it read once a round, none of it a playbook or a step. Its outcome,
`Judged`, the week_closed event, replication and the summary read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cadence import boundaries, calendar, closing, keys, pooling, recovery, rules, sources, verdicts
from cadence import calibration as calibration_rules
from cadence.calibration import Standing
from cadence.change import NewVerdict
from cadence.decisions import Decision
from cadence.definition import read_spec
from cadence.definition_calibration import none_reason
from cadence.exception_queue import Item
from cadence.pulse import without_promotions_to_ai_led
from cadence.state import PlaybookState
from storage.governance_rows import StepHistory
from storage.store import Store
from usecases.shared import calibration, champions, queue
from usecases.shared.close import guardrail, pulse_hold, reads, source_failures, usage
from usecases.shared.close.week import CloseRule, Round, WeekClose, week_of
from usecases.shared.governance import thresholds, transitions_change


@dataclass(frozen=True)
class Read:
    """What the steps are judged on beside the weeks' figures and history: in an adopting
    team's first cycle, each step's mode in the version adopted (`pilots`, by playbook and
    lowercased step name); the adopting playbooks whose champion's training waits, in any
    cycle (`training`); the
    calibration standings; the open exception items, oldest first, of the playbooks with
    a step a close may demote; the bar each step's short weeks this close pools were
    judged by (by step id, then week start); and the curators' channel."""

    weeks: reads.Weeks
    pilots: dict[int, dict[str, str]]
    training: set[int]
    standings: dict[int, dict[str, Standing]]
    queued: dict[int, list[Item]]
    pool_bars: dict[int, dict[date, pooling.Bar]]
    curators: str | None


@dataclass(frozen=True)
class Judged:
    """The steps' week, by step name: each verdict, the rule that gave it, what each
    confident PASS was judged on, the small weeks a week was pooled with, the verdicts'
    decisions in the steps' order (week_closed's), each week as judged and the steps
    this week demoted."""

    outcomes: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, Any] = field(default_factory=dict)
    pools: dict[str, Any] = field(default_factory=dict)
    decisions: list[tuple[str, Decision]] = field(default_factory=list)
    weeks: dict[str, verdicts.WeekVerdict] = field(default_factory=dict)
    demoted: set[str] = field(default_factory=set)


def _read(round: Round) -> Read:
    first_cycle = [s for s, d in round.batch if s.playbook.adopted_from_id and week_of(d).cycle == 1]
    weeks = round.read(reads.weeks)
    return Read(
        weeks,
        _pilots(round.store, first_cycle),
        champions.training_waits(round.store, [s for s, _ in round.batch]),  # in every cycle
        round.read(reads.standings),
        _queued(round),
        _pool_bars(round, weeks.history),
        round.read(reads.curators),
    )


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


def _queued(round: Round) -> dict[int, list[Item]]:
    """The open exception items of the playbooks with a step a close may demote
    (cadence.closing.may_demote), by playbook: one read for all."""
    demotable = [s.playbook.id for s, _ in round.batch if any(closing.may_demote(step.mode) for step in s.steps)]
    queued: dict[int, list[Item]] = {pid: [] for pid in demotable}
    for item in round.store.exception_items.open_of(demotable):
        queued[item.playbook_id].append(item)
    return queued


def _pool_bars(round: Round, history: StepHistory) -> dict[int, dict[date, pooling.Bar]]:
    """The bar each step's short weeks of its cycle (the weeks its close pools,
    cadence.pooling.short_weeks) were judged by: one read, none when no step pools."""
    wanted = [
        (state.playbook.id, step.id, start)
        for state, due in round.batch
        for step in state.steps
        for start in pooling.short_weeks(week_of(due).week_start, history.states[step.id], week_of(due).cycle_start)
    ]
    bars: dict[int, dict[date, pooling.Bar]] = {}
    for (step_id, start), bar in round.store.governance.verdict_bars(wanted).items():
        bars.setdefault(step_id, {})[start] = bar
    return bars


def _close(week: WeekClose, read: Read) -> Judged:
    """Each step's verdict (cadence/closing.py) and the change its transitions make."""
    state, ref = week.state, week.week
    th = thresholds(state)
    pid = state.playbook.id
    # A step whose cases, exceptions or rubric never came from its source is not judged on a guess.
    failed = week.outcome(source_failures.RULE) or {}
    unsourced = {e.step for e in sources.entries(state.playbook.definition) if e.step and e.key in failed}
    pilot = read.pilots.get(pid)
    guard, judged = week.outcome(guardrail.RULE), Judged()
    for step, numbers in zip(state.steps, read.weeks.figures[reads.of_week(week)].steps, strict=True):
        # A review whose sample fell short of the review rate counts as no rubric score.
        lowest_of = numbers.dimensions if numbers.counted_rubric is not None else None
        week_numbers = verdicts.WeekNumbers(
            numbers.cases, numbers.total_exceptions, numbers.counted_rubric, numbers.reviewed, lowest_of
        )
        step_week = closing.StepClosing(
            pid,
            step.id,
            step.name,
            step.mode,
            week_numbers,
            read.weeks.history.states[step.id],
            step.name in unsourced,
            pilot.get(step.name.lower()) if pilot is not None else None,
            pilot is not None,
            pid in read.training,
            ref.cycle_start,
            read.pool_bars.get(step.id),
            recovery.recover_after(state.playbook.definition, step.name),
        )
        verdict = closing.judge_step(step_week, ref.week_start, th, guard)
        judged.evidence[step.name] = verdict.evidence
        judged.outcomes[step.name] = verdict.outcome
        judged.reasons[step.name] = verdict.rule
        if verdict.pool is not None:
            judged.pools[step.name] = verdict.decision.figures["pool"]
        week.change.decisions.append(verdict.decision)
        judged.decisions.append((step.name, verdict.decision))
        judged.weeks[step.name] = verdicts.WeekVerdict(ref.week_start, verdict.outcome, week_numbers)
        if any(t.kind is rules.Kind.DEMOTION for t in verdict.transitions):
            judged.demoted.add(step.name)
        week.change.verdicts.append(
            NewVerdict(
                pid,
                step.id,
                ref.week_start,
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
            _transitions(week, step, verdict.transitions, read, verdict.cleared)
    return judged


def _transitions(
    week: WeekClose, step: Any, transitions: list[rules.Transition], read: Read, cleared: Any = None
) -> None:
    """What a step's transitions change: a proposal to ai-led waits while the team's pulse
    or its usage records hold it, or while the step's calibration set is not run, stale or below the
    threshold (cadence/calibration.py), and a demotion names the open exception items
    behind it; a recovery's move up is written as cadence/mode_move.py cleared it (`cleared`)."""
    state, due = week.state, week.due
    held, checked = week.outcome(pulse_hold.RULE), week.outcome(usage.RULE)
    if held is not None and held.promotions:  # the team's pulse holds them (the owner was told once)
        transitions = without_promotions_to_ai_led(transitions)
    if checked is not None and checked.holds:  # two weeks attested without usage (the summary says it)
        transitions = without_promotions_to_ai_led(transitions)
    standing = read.standings.get(state.playbook.id, {}).get(step.name)
    none = none_reason(state.playbook.definition, step.name)
    transitions, waits = calibration_rules.hold(transitions, standing, none)
    transitions, vague = boundaries.hold(transitions, state.playbook.definition, step.name)
    week.change.messages += calibration.wait_messages(state, step, [*waits, *vague])
    items = None
    if any(t.kind is rules.Kind.DEMOTION for t in transitions):
        at = calendar.week_closes_at(week.week.week_start, state.playbook.timezone, state.settings.grace_hours)
        # read beforehand for every playbook with a step above the floor (cadence.closing.may_demote)
        items = [queue.shown(state, i, at) for i in read.queued[state.playbook.id] if i.step_id == step.id]
    week.change.merge(
        transitions_change(
            state,
            step,
            transitions,
            None,
            keys.step_transitions(due.key, step.id),
            read.curators,
            read.weeks.history.open_proposals.get(step.id),
            items=items,
            cleared=cleared,
        )
    )


RULE = CloseRule(
    "steps", _read, _close, closing.judge_step, needs=("guardrail", "source failures", "pulse hold", "usage")
)
