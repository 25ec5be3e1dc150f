"""Decisions: the append-only record of everything decided, by a rule or by a person.

Every transition, verdict, cycle result, proposal, approval and publication becomes one
`Decision`, as a typed value, and storage writes it as one row of the `decision`
table. Nothing is decided without leaving one. This module holds what a decision is (its
kinds, its rules, `by_rule`); each area builds its own in a module of its own:
cadence/mode_decisions.py, cycle_decisions.py, setup_decisions.py, registry_decisions.py,
trust_decisions.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, assert_never

from cadence.rules import Kind, TransitionRule
from cadence.verdicts import VerdictRule


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
    LOAD_OVERRIDDEN = "load-overridden"  # a curator adopted into a full team all the same (cadence/team_load.py)
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
    CREATED_ANYWAY = "created-anyway"  # a playbook made though a close match was shown (cadence/similarity.py)
    ASSESSED = "assessed"  # the post-pilot assessment, as its owner confirmed it (cadence/assessment.py)


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
        found.update(v for v in _people_and_channels(side) if isinstance(v, str) and _SLACK_ID.fullmatch(v))
    wave = _WAVE_CHANNEL.search(str(figures.get("adopter") or ""))
    if wave:
        found.add(wave.group(1))
    return frozenset(found)


def _people_and_channels(side: dict[str, Any]) -> list[Any]:
    """The values of one side of a decision's figures (the figures, or a revision's before
    or after) that name a person or a channel the bot wrote."""
    values = [side.get(key) for key in ("user", "from", "to", "channel", "asked_by", "approved_by")]
    values.append(side.get("exception_owner"))
    for section, keys in (("owners", ("business_rules", "model_updates")), ("handoff", ("escalate_to",))):
        part = side.get(section)
        if isinstance(part, dict):
            values += [part.get(key) for key in keys]
    return values


def by_rule(
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
