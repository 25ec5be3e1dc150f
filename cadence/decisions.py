"""Decisions: the append-only record of everything decided, by a rule or by a person.

Every transition, verdict, cycle result, proposal, approval and publication becomes one
`Decision` here, as a typed value, and storage writes it as one row of the `decision`
table. Nothing is decided without leaving one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, assert_never

from cadence.cycle_rules import CycleResult
from cadence.judgement import Evidence
from cadence.rules import Kind, Transition, TransitionRule
from cadence.sources import Entry
from cadence.verdicts import Thresholds, VerdictRule, WeekNumbers


class DecisionKind(StrEnum):
    """The `decision.kind` column. Values are stored: never change one, add a new one."""

    VERDICT = "verdict"
    MODE_CHANGE = "mode-change"
    WARNING = "warning"
    PROPOSAL = "proposal"
    PROPOSAL_WITHDRAWN = "proposal-withdrawn"
    PROPOSAL_APPROVED = "proposal-approved"
    PROPOSAL_REJECTED = "proposal-rejected"
    FREEZE = "freeze"
    UNFREEZE = "unfreeze"
    CYCLE_RESULT = "cycle-result"
    SCALE_PROPOSAL = "scale-proposal"
    PUBLISH = "publish"
    GUARDRAIL = "guardrail"  # a closed week's guardrail: HOLDS, BREACHED or MISSING
    PAUSED = "paused"
    RETIRED = "retired"
    RESUMED = "resumed"
    CYCLE_STARTED = "cycle-started"  # a first cycle set to start, or a start not yet begun moved
    OWNER_CHANGED = "owner-changed"
    PLAYBOOK_CREATED = "playbook-created"
    PLAYBOOK_CHANGED = "playbook-changed"
    ADOPTED = "adopted"  # on the adopting playbook
    ADOPTED_BY = "adopted-by"  # on the origin
    CURATOR_ADDED = "curator-added"
    CURATOR_REMOVED = "curator-removed"
    SETTING_CHANGED = "setting-changed"
    NOT_READY = "not-ready"  # the KPI held, a criterion of readiness did not
    WAVE_REFUSED = "wave-refused"  # an adoption past a version's wave (on the origin)
    WAVE_OVERRIDDEN = "wave-overridden"  # a curator adopted past it all the same (on the adopter)
    REPLICATION = "replication"  # an adopting playbook's cycle: replicated, on track or not yet
    TOKEN_CREATED = "token-created"  # a reporting API token (`rollout token create`)
    TOKEN_REVOKED = "token-revoked"
    SOURCE_OVERRIDE = "source-override"  # a number typed in place of its source's (`override <reason>`)
    SOURCE_MISSING = "source-missing"  # a week closed without a sourced number: its source failed
    STALLED = "stalled"  # a completed cycle left the playbook stalled (cadence.judgement.stall)
    STALL_REFINE = "stall-refine"  # the owner or a curator will refine the steps or the rubric
    STALL_RESCOPE = "stall-rescope"  # ... will re-scope the KPI (a retirement is "retired")
    CHAMPION_NAMED = "champion-named"  # an adopting team's champion, named at adoption or changed
    ADOPTION_REQUESTED = "adoption-requested"  # a team asked to adopt a version (on the origin)
    REQUEST_APPROVED = "request-approved"  # ... and a curator approved: the adoption ran
    REQUEST_DECLINED = "request-declined"  # ... or declined, with a reason
    UPGRADED = "upgraded"  # an adopting playbook moved to a newer version of its origin
    BAR_REQUESTED = "bar-requested"  # a change to the bar that does not tighten it, asked (cadence.bar)
    BAR_APPROVED = "bar-approved"  # ... approved by a curator, from the next cycle
    BAR_DECLINED = "bar-declined"  # ... or declined, with a reason
    PUBLISH_REQUESTED = "publish-requested"  # publishing over readiness asked: a second person decides
    PUBLISH_DECLINED = "publish-declined"  # ... declined by them (published: the publication's own row)
    PULSE = "pulse"  # a cycle's pulse at its close: aggregates only (cadence/pulse.py)
    PULSE_HOLD = "pulse-hold"  # ... that holds promotions to ai-led through the next cycle
    FALLBACK = "fallback"  # an ai-led step runs in its handoff's fallback mode (not a demotion)
    FALLBACK_ENDED = "fallback-ended"  # ... and is ai-led again, its escalated items closed
    BASELINE = "baseline"  # an adopter's baseline week closed: its KPI baseline measured, or still declared


class DecisionRule(StrEnum):
    """The `decision.rule` of a decision that is neither a week's verdict
    (cadence.verdicts.VerdictRule) nor a transition (cadence.rules.TransitionRule): the rule
    that decided it, or what a person did. Values are stored: never change one, add a new
    one. A word that is also a transition rule's names the same rule or act."""

    SCALE = "scale"  # a cycle's result; ready to scale; a publish with the scale rule held
    GUARDRAIL = "guardrail"  # a closed week's guardrail: HOLDS, BREACHED or MISSING
    READINESS = "readiness"  # the scale rule held, not every criterion of readiness
    WAVE = "wave"  # an adoption refused past its version's wave
    REPLICATION = "replication"  # an adopting playbook's cycle against its origin's
    APPROVAL = "approval"  # a person approved a promotion proposal
    OVERRIDE = "override"  # a curator published what was not ready, or adopted past a wave
    CURATOR = "curator"  # a curator published without the scale rule holding
    DEFINITION = "definition"  # a step's mode declared in the playbook's definition
    SLACK = "slack"  # a pause because Slack lost the team channel
    STALL = "stall"  # a stall, and what a person answered to one
    PULSE = "pulse"  # the pulse asked of the people (cadence/pulse.py)
    HANDOFF = "handoff"  # an ai-led step's fallback while escalated items wait, and its end


def decision_kind(kind: Kind) -> DecisionKind:
    """Which kind of decision records a transition of `kind`."""
    match kind:
        case Kind.DEMOTION | Kind.PROMOTION | Kind.OVERRIDE:
            return DecisionKind.MODE_CHANGE
        case Kind.WARNING:
            return DecisionKind.WARNING
        case Kind.PROPOSAL:
            return DecisionKind.PROPOSAL
        case Kind.WITHDRAWAL:
            return DecisionKind.PROPOSAL_WITHDRAWN
        case Kind.FREEZE:
            return DecisionKind.FREEZE
        case Kind.REJECTION:
            return DecisionKind.PROPOSAL_REJECTED
        case Kind.UNFREEZE:
            return DecisionKind.UNFREEZE
        case _:
            assert_never(kind)


@dataclass(frozen=True, kw_only=True)
class Decision:
    """Named field by field; `rule` is left out when a person decided and no rule applies."""

    kind: DecisionKind
    actor: str  # a person's user id, or "rule:<rule>" when a rule decided
    summary: str  # one line for the audit trail
    rule: VerdictRule | TransitionRule | DecisionRule | None = None  # the rule that decided, or what a person did
    playbook_id: int | None = None
    step_id: int | None = None
    week_start: date | None = None
    from_mode: str | None = None
    to_mode: str | None = None
    figures: dict[str, Any] = field(default_factory=dict)  # the numbers it saw


# A Slack id of a person or a channel, as the bot writes it into a summary.
_SLACK_ID = re.compile(r"[UWCG](?=[A-Z0-9]*[0-9])[A-Z0-9]{8,}")
_WAVE_CHANNEL = re.compile(r"\(([CG][A-Z0-9]{8,})\)$")  # an adopter named "name (C…)" (of_wave)


def named_ids(figures: dict[str, Any] | None) -> frozenset[str]:
    """The ids the bot itself wrote into a decision's summary, read from its figures (a
    curator's `user`, an owner's or champion's `from` and `to`, a team's `channel`, a bar
    change's `asked_by` and `approved_by`, a wave's adopter "name (C…)"; a revision's
    people and channels before and after: its team channel, exception owner, operational
    owners and `handoff.escalate_to`, as cadence/revisions.py words their changes): only
    these may be shown as mentions or channel links. Whatever else in a summary looks like
    an id was typed by someone (a reason, a title) and is shown as typed."""
    figures = figures or {}
    found: set[str] = set()
    sides = [figures] + [figures[k] for k in ("before", "after") if isinstance(figures.get(k), dict)]
    for side in sides:
        values = [side.get(key) for key in ("user", "from", "to", "channel", "asked_by", "approved_by")]
        values.append(side.get("exception_owner"))
        for section, keys in (("owners", ("business_rules", "model_updates")), ("handoff", ("escalate_to",))):
            part = side.get(section)
            if isinstance(part, dict):
                values += [part.get(key) for key in keys]
        found.update(v for v in values if isinstance(v, str) and _SLACK_ID.fullmatch(v))
    wave = _WAVE_CHANNEL.search(str(figures.get("adopter") or ""))
    if wave:
        found.add(wave.group(1))
    return frozenset(found)


def _by_rule(
    kind: DecisionKind, rule: DecisionRule, playbook_id: int, week_start: date, *, summary: str, figures: dict[str, Any]
) -> Decision:
    """A decision a rule made on a playbook's week: the rule is its actor."""
    return Decision(
        kind=kind,
        rule=rule,
        actor=f"rule:{rule}",
        playbook_id=playbook_id,
        week_start=week_start,
        summary=summary,
        figures=figures,
    )


def of_transition(
    t: Transition,
    playbook_id: int,
    step_id: int | None,
    step_name: str,
    actor: str | None,
    reason: str | None = None,
) -> Decision:
    """The record of a transition: what, which rule, the numbers, who (a person's id, or
    the rule itself when `actor` is None)."""
    change = f"{t.from_mode} → {t.to_mode}" if t.to_mode else t.from_mode
    summary = f"{step_name}: {t.kind} ({change}); rule {t.rule}"
    if t.counter:
        summary += f"; {t.counter}"
    if reason:
        summary += f"; reason: {reason}"
    return Decision(
        kind=decision_kind(t.kind),
        rule=t.rule,
        actor=actor or f"rule:{t.rule}",
        playbook_id=playbook_id,
        step_id=step_id,
        week_start=t.week_start,
        from_mode=t.from_mode,
        to_mode=t.to_mode if t.changes_mode else None,
        summary=summary,
        figures={**t.figures, "counter": t.counter, **({"reason": reason} if reason else {})},
    )


def of_verdict(
    playbook_id: int,
    step_id: int,
    step_name: str,
    mode: str,
    week_start: date,
    outcome: str,
    rule: VerdictRule,
    numbers: WeekNumbers,
    th: Thresholds,
    pooled: Evidence | None = None,
    pool: dict[str, Any] | None = None,
) -> Decision:
    """A step's weekly verdict: the rule decided it, on these numbers (and, under
    `judgement: confident`, on the weeks pooled for a PASS; or on the small weeks of its
    cycle `pool`ed with it, cadence.closing.pool_figures)."""
    figures: dict[str, Any] = {
        "outcome": outcome,
        "cases": numbers.cases,
        "exceptions": numbers.exceptions,
        "ratio": numbers.ratio,
        "rubric": numbers.rubric,
        **({"reviewed": numbers.reviewed} if numbers.reviewed is not None else {}),
        **({"dimensions": numbers.dimensions} if numbers.dimensions else {}),
        "cap": th.exception_cap,
        "threshold": th.rubric_threshold,
        "floor": th.rubric_floor,
        "min_cases": th.min_cases,
        "mode": mode,
    }
    if pooled is not None:
        figures["evidence"] = pooled._asdict()
    if pool is not None:
        figures["pool"] = pool
    return Decision(
        kind=DecisionKind.VERDICT,
        rule=rule,
        actor="rule:verdict",
        playbook_id=playbook_id,
        step_id=step_id,
        week_start=week_start,
        summary=f"{step_name}: {outcome} ({rule})",
        figures=figures,
    )


def result_figures(r: CycleResult) -> dict[str, Any]:
    """A cycle result as plain data for decisions, proposals and messages."""
    return {
        "cycle": r.cycle,
        "kpi_weeks": r.kpi_weeks,
        "mean": r.mean,
        "target": r.target,
        "direction": r.direction,
        "hit": r.hit,
        "weeks_met": r.weeks_met,
        "met": list(r.met),
        "breached": r.breached,
        "interrupted": r.interrupted,
    }


def of_stall(playbook_id: int, week_start: date, figures: dict[str, Any]) -> Decision:
    """A completed cycle left the playbook stalled: the figures say why (cadence.judgement.stall_figures)."""
    if figures["reason"] == "missed":
        why = f"cycles {' and '.join(str(c) for c in figures['cycles'])} missed the target"
    else:
        why = f"cycle {figures['cycle']}'s median KPI moved less than a tenth of the way to the target"
    return _by_rule(
        DecisionKind.STALLED,
        DecisionRule.STALL,
        playbook_id,
        week_start,
        summary=f"stalled at the end of cycle {figures['cycle']}: {why}",
        figures=figures,
    )


STALL_ANSWERS = {"refine": DecisionKind.STALL_REFINE, "rescope": DecisionKind.STALL_RESCOPE}
_STALL_WORDS = {"refine": "refine the steps or the rubric", "rescope": "re-scope the KPI"}


def of_stall_answer(playbook_id: int, slug: str, cycle: int, answer: str, reason: str, by: str) -> Decision:
    """The owner or a curator answered a stall with *Refine* or *Re-scope*, and why."""
    return Decision(
        kind=STALL_ANSWERS[answer],
        rule=DecisionRule.STALL,
        actor=by,
        playbook_id=playbook_id,
        summary=f"{slug} stalled at cycle {cycle}: {_STALL_WORDS[answer]}; reason: {reason}",
        figures={"cycle": cycle, "answer": answer, "reason": reason},
    )


def of_cycle_result(playbook_id: int, week_start: date, result: CycleResult) -> Decision:
    return _by_rule(
        DecisionKind.CYCLE_RESULT,
        DecisionRule.SCALE,
        playbook_id,
        week_start,
        summary=f"cycle {result.cycle} {'hit' if result.hit else 'missed'} the target",
        figures=result_figures(result),
    )


def of_guardrail(
    playbook_id: int,
    week_start: date,
    state: str,
    value: float | None,
    minimum: float | None,
    maximum: float | None,
    name: str,
) -> Decision:
    return _by_rule(
        DecisionKind.GUARDRAIL,
        DecisionRule.GUARDRAIL,
        playbook_id,
        week_start,
        summary=f"{name}: {state}",
        figures={"state": state, "value": value, "min": minimum, "max": maximum, "name": name},
    )


def of_run_ended(
    playbook_id: int, slug: str, status: str, before: str, reason: str, ends_after: date | None, by: str
) -> Decision:
    """A pause or a retirement: the run of cycles ends after the week `ends_after`."""
    return Decision(
        kind=DecisionKind.PAUSED if status == "paused" else DecisionKind.RETIRED,
        rule=DecisionRule.SLACK if by.startswith("rule:") else None,
        actor=by,
        playbook_id=playbook_id,
        week_start=ends_after,
        summary=f"{slug} {status} (was {before}): {reason}",
        figures={"reason": reason, "ends_after": ends_after.isoformat() if ends_after else None},
    )


def of_resume(playbook_id: int, slug: str, cycle: int, starts_on: date, by: str) -> Decision:
    return Decision(
        kind=DecisionKind.RESUMED,
        actor=by,
        playbook_id=playbook_id,
        week_start=starts_on,
        summary=f"{slug} resumed: cycle {cycle} starts on {starts_on.isoformat()}.",
        figures={"cycle": cycle},
    )


def of_cycle_moved(playbook_id: int, slug: str, cycle: int, before: date, starts_on: date, by: str) -> Decision:
    """A cycle that had not begun starts on another Monday: recorded as its start was."""
    return Decision(
        kind=DecisionKind.CYCLE_STARTED,
        actor=by,
        playbook_id=playbook_id,
        week_start=starts_on,
        summary=f"{slug}: cycle {cycle} starts on {starts_on.isoformat()} (moved from {before.isoformat()}).",
        figures={"cycle": cycle, "moved_from": before.isoformat()},
    )


def of_playbook_created(playbook_id: int, slug: str, definition: dict[str, Any], by: str) -> Decision:
    return Decision(
        kind=DecisionKind.PLAYBOOK_CREATED,
        actor=by,
        playbook_id=playbook_id,
        summary=f"Playbook {slug} created from its definition.",
        figures={"definition": definition},
    )


def of_declared_mode(playbook_id: int, step_id: int, step: str, before: str, after: str, by: str) -> Decision:
    """A step's mode changed because its definition now declares another."""
    return Decision(
        kind=DecisionKind.MODE_CHANGE,
        rule=DecisionRule.DEFINITION,
        actor=by,
        playbook_id=playbook_id,
        step_id=step_id,
        from_mode=before,
        to_mode=after,
        summary=f"{step}: {before} → {after} (declared in the definition).",
    )


def of_definition_changed(
    playbook_id: int, slug: str, changes: list[str], before: dict[str, Any], after: dict[str, Any], by: str
) -> Decision:
    return Decision(
        kind=DecisionKind.PLAYBOOK_CHANGED,
        actor=by,
        playbook_id=playbook_id,
        summary=f"Playbook {slug} definition changed: {', '.join(changes)}.",
        figures={"changed": changes, "before": before, "after": after},
    )


def of_cycle_started(playbook_id: int, cycle: int, starts_on: date, by: str) -> Decision:
    return Decision(
        kind=DecisionKind.CYCLE_STARTED,
        actor=by,
        playbook_id=playbook_id,
        week_start=starts_on,
        summary=f"Cycle {cycle} starts on {starts_on.isoformat()}.",
        figures={"cycle": cycle},
    )


def of_curator(user_id: str, added: bool, by: str) -> Decision:
    return Decision(
        kind=DecisionKind.CURATOR_ADDED if added else DecisionKind.CURATOR_REMOVED,
        actor=by,
        summary=f"{user_id} became a curator." if added else f"{user_id} is no longer a curator.",
        figures={"user": user_id},
    )


def of_token(name: str, created: bool, by: str, scope: dict[str, Any] | None = None) -> Decision:
    """A reporting API token created (with its scope) or revoked; never the token itself."""
    return Decision(
        kind=DecisionKind.TOKEN_CREATED if created else DecisionKind.TOKEN_REVOKED,
        actor=by,
        summary=f"API token {name} {'created' if created else 'revoked'}",
        figures={"token": name, **(scope or {})},
    )


def of_source_override(playbook_id: int, week_start: date, entry: Entry, by: str, reason: str) -> Decision:
    """A number typed by the owner or a curator in place of the one its source gives."""
    return Decision(
        kind=DecisionKind.SOURCE_OVERRIDE,
        actor=by,
        summary=f"{entry.key} typed in place of source {entry.source}: {reason}",
        playbook_id=playbook_id,
        week_start=week_start,
        figures={"number": entry.key, "source": entry.source, "reason": reason},
    )


def of_source_missing(playbook_id: int, week_start: date, entry: Entry, what: str, error: str) -> Decision:
    """A week closed without a sourced number, since its source failed: MISSING, said with why."""
    return Decision(
        kind=DecisionKind.SOURCE_MISSING,
        actor="rule:source",
        summary=f"{what}: MISSING (source failed: {error})",
        playbook_id=playbook_id,
        week_start=week_start,
        figures={"number": entry.key, "source": entry.source, "error": error},
    )


def of_setting(key: str, value: str, by: str) -> Decision:
    return Decision(
        kind=DecisionKind.SETTING_CHANGED,
        actor=by,
        summary=f"{key} set to {value}.",
        figures={"key": key, "value": value},
    )


def of_holiday(day: date, name: str, added: bool, by: str) -> Decision:
    label = f"{day.isoformat()}{f' ({name})' if name else ''}"
    return Decision(
        kind=DecisionKind.SETTING_CHANGED,
        actor=by,
        summary=f"Holiday {label} {'added' if added else 'removed'}.",
        figures={"key": "holiday", "value": day.isoformat(), "name": name, "added": added},
    )


def of_hand_over(playbook_id: int, slug: str, before: str, after: str, by: str) -> Decision:
    return Decision(
        kind=DecisionKind.OWNER_CHANGED,
        actor=by,
        playbook_id=playbook_id,
        summary=f"{slug}: owner {before} → {after}",
        figures={"from": before, "to": after},
    )


def of_champion(playbook_id: int, slug: str, before: str | None, after: str, by: str) -> Decision:
    """A playbook's champion named (`before` None) or changed."""
    return Decision(
        kind=DecisionKind.CHAMPION_NAMED,
        actor=by,
        playbook_id=playbook_id,
        summary=f"{slug}: champion {before} → {after}" if before else f"{slug}: champion {after}",
        figures={"from": before, "to": after},
    )


def of_scale_proposal(playbook_id: int, week_start: date, cycles: int, figures: dict[str, Any]) -> Decision:
    return _by_rule(
        DecisionKind.SCALE_PROPOSAL,
        DecisionRule.SCALE,
        playbook_id,
        week_start,
        summary=f"ready to scale: {cycles} cycles hit the target",
        figures=figures,
    )


def of_approval(
    playbook_id: int,
    step_id: int,
    step_name: str,
    week_start: date,
    from_mode: str,
    to_mode: str | None,
    by: str,
    proposal_key: str,
) -> Decision:
    return Decision(
        kind=DecisionKind.PROPOSAL_APPROVED,
        rule=DecisionRule.APPROVAL,
        actor=by,
        playbook_id=playbook_id,
        step_id=step_id,
        week_start=week_start,
        from_mode=from_mode,
        to_mode=to_mode,
        summary=f"{step_name}: proposal approved",
        figures={"proposal": proposal_key},
    )


def of_not_ready(playbook_id: int, week_start: date, figures: dict[str, Any], missing: list[str]) -> Decision:
    """The scale rule held at a cycle's close, but not every criterion of readiness."""
    return _by_rule(
        DecisionKind.NOT_READY,
        DecisionRule.READINESS,
        playbook_id,
        week_start,
        summary=f"KPI sustained, not yet ready: {', '.join(missing)}",
        figures={**figures, "missing": missing},
    )


def of_replication(playbook_id: int, week_start: date, cycle: int, verdict: str, figures: dict[str, Any]) -> Decision:
    """An adopting playbook's completed cycle against the origin's."""
    return _by_rule(
        DecisionKind.REPLICATION,
        DecisionRule.REPLICATION,
        playbook_id,
        week_start,
        summary=f"cycle {cycle}: {verdict}" + (f"; {figures['why']}" if figures.get("why") else ""),
        figures={"cycle": cycle, "verdict": verdict, **figures},
    )
