"""A week's close, judged: pure functions over the week's figures and the steps' history,
read beforehand in the close's unit of work (usecases/shared/weeks.py), which records
what they decide. No database, no Slack.

- `guardrail`: the week's guardrail reading against its bounds, the breaches in a row,
  and the decision that records it.
- `judge_step`: one step's verdict (with the rule that gave it and what a confident PASS
  was judged on), its decision, and the transitions the week causes.
- `may_demote`: whether a step's week may demote it, told before the week is judged, so
  that what a demotion names (its step's open exception items) is read with the rest.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from cadence import cycle_rules, decisions, mode_decisions, mode_move, pooling, recovery, rules, verdicts
from cadence.judgement import Evidence, pilot_ceiling
from cadence.promotion_gates import Reading


@dataclass(frozen=True)
class Guardrail:
    """A closed week's guardrail: its state, the number and the bound, and the record of it."""

    name: str
    unit: str
    state: str  # HOLDS | BREACHED | MISSING
    value: float | None
    minimum: float | None
    maximum: float | None
    breaches_in_a_row: int  # this week included; 0 unless BREACHED
    decision: decisions.Decision


@dataclass(frozen=True)
class GuardrailSpec:
    """A playbook's guardrail: what it is called, its unit and its bounds."""

    playbook_id: int
    name: str
    unit: str
    minimum: float | None
    maximum: float | None


def guardrail(spec: GuardrailSpec, week_start: date, value: float | None, earlier: dict[date, str]) -> Guardrail:
    """The week's guardrail state for `value`, with the breaches in a row counted back
    through `earlier` (the guardrail's state by week start)."""
    verdict = cycle_rules.guardrail_state(value, spec.minimum, spec.maximum)
    run = 0
    if verdict == cycle_rules.BREACHED:
        run = 1
        while earlier.get(week_start - timedelta(days=7 * run)) == cycle_rules.BREACHED:
            run += 1
    record = mode_decisions.of_guardrail(
        spec.playbook_id, week_start, verdict, value, spec.minimum, spec.maximum, spec.name
    )
    return Guardrail(spec.name, spec.unit, verdict, value, spec.minimum, spec.maximum, run, record)


@dataclass(frozen=True)
class StepClosing:
    """One step in the closing week: who it is, its numbers, and where it stood before."""

    playbook_id: int
    step_id: int
    name: str
    mode: str
    numbers: verdicts.WeekNumbers
    before: rules.StepState
    source_failed: bool  # a number it is judged on never came from its source
    pilot_mode: str | None = None  # an adopting team's first cycle: the adopted version's mode
    piloting: bool = False  # in such a cycle (a second pilot, not a copy)
    training_waits: bool = False  # and its champion's training not all done: no promotion proposal
    cycle_start: date | None = None  # the week's cycle's first Monday: small weeks pool within it
    bars: Mapping[date, pooling.Bar] | None = None  # the bar its short weeks of the cycle were judged by
    recover_after: int | None = None  # its `demote_to: human-led`'s way back (cadence/recovery.py)


@dataclass(frozen=True)
class StepJudged:
    """What the close decided of one step."""

    outcome: str
    rule: verdicts.VerdictRule
    evidence: Evidence | None
    decision: decisions.Decision
    transitions: list[rules.Transition]
    pool: pooling.Pool | None = None  # the small weeks it was judged with (this week among them)
    cleared: mode_move.Move | None = None  # a recovery's move up, cleared by cadence/mode_move.py


def _pool(step: StepClosing, week_start: date) -> pooling.Pool | None:
    """The small weeks of its cycle the step's week is pooled with (cadence.pooling.pool),
    if any; none for a week whose source failed or a step outside a cycle."""
    if not step.source_failed and step.cycle_start is not None:
        return pooling.pool(step.numbers, week_start, step.before, step.cycle_start, step.bars)
    return None


def _with_ceiling(step: StepClosing, before: rules.StepState) -> rules.StepState:
    """The step's state with the ceiling no proposal may pass: its pilot's, or, while its
    training waits, the mode it has."""
    if step.piloting:
        before = before._replace(ceiling=pilot_ceiling(step.pilot_mode, True))
    if step.training_waits:  # cadence.champion_gate: nothing above the mode it has
        before = before._replace(ceiling=step.mode)
    return before


def judge_step(step: StepClosing, week_start: date, th: verdicts.Thresholds, guardrail: Guardrail | None) -> StepJudged:
    """The step's verdict and the transitions it causes (a breached guardrail's demotion
    among them). A week pooled with its cycle's small weeks before it (cadence.pooling.pool)
    is judged, and may demote, on the pool's numbers."""
    before = step.before
    found = _pool(step, week_start)
    numbers = found.numbers if found is not None else step.numbers
    leave_out = found.weeks if found is not None else ()
    pooled = None if step.source_failed else rules.pooled(numbers, th, before, leave_out)
    outcome, rule = verdicts.judge_with_rule(numbers, step.mode, th, pooled, step.source_failed)
    decision = mode_decisions.of_verdict(
        step.playbook_id,
        step.step_id,
        step.name,
        step.mode,
        week_start,
        outcome,
        rule,
        step.numbers,
        th,
        pooled,
        pool=None if found is None else pool_figures(found, step.cycle_start or week_start, th),
    )
    before = _with_ceiling(step, before)._replace(recover_after=step.recover_after)
    breached = guardrail is not None and guardrail.state == cycle_rules.BREACHED
    judged = verdicts.WeekVerdict(week_start, outcome, numbers)
    transitions, after = rules.evaluate(before, judged, th, breached)
    if guardrail is not None:
        demotion = cycle_rules.guardrail_demotion(
            after, week_start, guardrail.breaches_in_a_row, guardrail.decision.figures
        )
        if demotion is not None:
            transitions.append(recovery.to_review(demotion, step.recover_after) or demotion)
    transitions, cleared = _recovery_cleared(step, before, judged, transitions)
    return StepJudged(outcome, rule, pooled, decision, transitions, found, cleared)


def _recovery_cleared(
    step: StepClosing, before: rules.StepState, week: verdicts.WeekVerdict, transitions: list[rules.Transition]
) -> tuple[list[rules.Transition], mode_move.Move | None]:
    """A recovery's move up through the one function (cadence/mode_move.py `take_effect`),
    its gates read at the close: the PASS weeks under review since the demotion, the
    champion's training and the pilot's ceiling. Held, the step stays under review."""
    found = next((t for t in transitions if t.rule is rules.TransitionRule.RECOVERY), None)
    if found is None or found.to_mode is None:
        return transitions, None
    move = mode_move.Move(
        step.name, found.from_mode, found.to_mode, before.pinned, before.pinned, step.step_id, "recovery"
    )
    reading = Reading(
        training=(0, 0) if step.training_waits else None,
        ceiling=pilot_ceiling(step.pilot_mode, True) if step.piloting else None,
    )
    streak = mode_move.Streak((*before.since_change(), week), before.streak_reset, before.recover_after or 1)
    done = mode_move.take_effect(move, reading, streak)
    if isinstance(done, mode_move.Held):
        return [t for t in transitions if t is not found and t.kind is not rules.Kind.FREEZE], None
    return transitions, done


def pool_figures(found: pooling.Pool, cycle_start: date, th: verdicts.Thresholds) -> dict[str, object]:
    """A pool as its verdict keeps it and its close shows it: the weeks of the cycle it
    holds (1 to 4) and their numbers together; and, only when the bar that judges it (its
    last week's, `th`) was another in an earlier week of the pool, that bar's earlier
    figures (`bar_before`, pooling.changed)."""
    n = found.numbers
    before = pooling.changed(found, pooling.Bar.of(th))
    return {
        "weeks": [(w - cycle_start).days // 7 + 1 for w in found.weeks],
        "cases": n.cases,
        "exceptions": n.exceptions,
        "ratio": n.ratio,
        "rubric": n.rubric,
        "reviewed": n.reviewed,
        **({"bar_before": before} if before else {}),
    }


def may_demote(mode: str) -> bool:
    """Whether a close may demote a step in `mode`, before its week is judged: a step above
    the floor (human-led). Every demotion moves a step one level down (cadence.rules: a
    FAIL's, an ai-led step's MISSING weeks', two BREACHED weeks' of an ai-led step)."""
    return rules.demoted(mode) is not None
