"""The scale rule at a cycle's end, and readiness's news (cadence/cycle_end.py): when the
rule holds, "ready to scale" with its Publish button if the criteria of readiness are met
too, each shown with its numbers; otherwise "KPI sustained, not yet ready", naming what
is missing. Readiness's inputs are read once a round, for the playbooks whose rule may
hold (it holds if the cycle hits target with no guardrail breach: judged so here). Its
outcome, `Proposed`, the "ready to scale" proposal it made, offers the assessment."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cadence import cycle_end, keys
from cadence.change import NewProposal
from usecases.shared import boundaries, readiness, registry_list
from usecases.shared.close import cycle_result, pulse_hold, reads
from usecases.shared.close.week import CloseRule, Round, WeekClose
from usecases.shared.registry import not_ready_messages, scale_messages


@dataclass(frozen=True)
class Read:
    inputs: dict[int, dict[str, Any]]  # readiness's, by playbook, over the cycles the rule would hold over
    curators: str | None
    scoped: dict[int, str] = field(default_factory=dict)  # the out-of-scope shares (usecases/shared/boundaries.py)
    # the newest post-pilot assessment of each, shown beside readiness (usecases/shared/registry_list.py)
    assessed: dict[int, dict[str, Any] | None] = field(default_factory=dict)


@dataclass(frozen=True)
class Proposed:
    proposal: NewProposal


def _read(round: Round) -> Read:
    cycle_reads = round.read(reads.cycle_reads)
    holding = []
    for state, week in reads.cycle_ends(round):
        figures = reads.cycle_figures(cycle_reads, state, week, False)
        held = cycle_end.scale_held(figures, cycle_end.cycle_result(figures))
        if held is not None:
            holding.append((state, week, held))
    if not holding:
        return Read({}, round.read(reads.curators))
    starts = round.store.governance.cycle_starts_of([state.playbook.id for state, _, _ in holding])
    wanted = []
    for state, week, held in holding:
        own = {cycle: start for (pid, cycle), start in starts.items() if pid == state.playbook.id}
        own[week.cycle] = week.cycle_start
        wanted.append((state, [(r.cycle, own[r.cycle]) for r in held]))
    inputs = readiness.inputs_many(round.store, wanted, standings=round.read(reads.standings))
    scoped = {
        state.playbook.id: line
        for (state, week, _), (_, cycles) in zip(holding, wanted, strict=True)
        if (line := boundaries.readiness_line(round.store, state, min(s for _, s in cycles), week.week_start))
    }
    assessed = registry_list.assessed_now(round.store, [state.playbook.id for state, _, _ in holding])
    return Read(inputs, round.read(reads.curators), scoped, assessed)


def _close(week: WeekClose, read: Read) -> Proposed | None:
    """Either way a decision row keeps the numbers; "not yet ready" goes to the owner and
    the curators once per cycle (its keys are the cycle's): no proposal, and the next
    cycle's close asks again. The cycle's pulse is shown beside the criteria, as
    information, and kept with a proposal, so that its outcome still shows it."""
    ended = week.outcome(cycle_result.RULE)
    if ended is None:
        return None
    state, ref = week.state, week.week
    _, scale = cycle_end.judge_scale(ended.figures, ended.result, read.inputs.get(state.playbook.id))
    if scale is None:
        return None
    held = week.outcome(pulse_hold.RULE)
    shown = held.pulses.get(ref.cycle) if held is not None else None
    pulse = shown.figures() if shown is not None else None
    scoped = {"out_of_scope": read.scoped[state.playbook.id]} if state.playbook.id in read.scoped else {}
    if not scale.ready:
        week.change.decisions.append(scale.decision)
        week.change.messages += not_ready_messages(state, {**scale.figures, "pulse": pulse, **scoped}, read.curators)
        return None
    key = keys.scale(state.playbook.id, ref.cycle)
    figures = {**scale.figures, **({"pulse": pulse} if pulse else {}), **scoped}
    proposal = NewProposal(key, "scale", state.playbook.id, ref.week_start, figures=figures)
    week.change.new_proposals.append(proposal)
    week.change.decisions.append(scale.decision)
    assessment = read.assessed.get(state.playbook.id)
    week.change.messages += scale_messages(state, figures, key, read.curators, assessment=assessment)
    return Proposed(proposal)


RULE = CloseRule("readiness news", _read, _close, cycle_end.judge_scale, needs=("cycle result", "pulse hold"))
