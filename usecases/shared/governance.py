"""Mode governance: transitions become decisions, mode changes, proposals and alerts;
people decide proposals and set modes by hand.

The rules themselves are cadence.rules; the record of each decision is
cadence.decisions; this module carries them out, through storage, in one unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from cadence import calendar, keys, mode_decisions, mode_move, rules, verdicts
from cadence.change import Change, Message, NewProposal
from cadence.mode_move import Held, Move
from cadence.rules import Kind, Transition, TransitionRule
from cadence.state import PlaybookState, Step
from cadence.verdicts import Thresholds
from storage.governance_rows import StaleState
from storage.models.governance import Proposal
from storage.store import CURATORS_CHANNEL, Store
from templates import inconclusive_reason, notices
from templates.gate_words import gate_phrase
from templates.refusals import Lines, Refusal
from usecases.shared import mode_move as shared_mode_move
from usecases.shared.roles import require_owner_or_curator

# ---- shared pieces ------------------------------------------------------------------


def thresholds(state: PlaybookState) -> Thresholds:
    playbook = state.playbook
    return Thresholds.of(state.settings, playbook.exception_cap, playbook.rubric_threshold)


def why_unsure(verdict: verdicts.WeekVerdict, th: Thresholds) -> str | None:
    """Why a kept week was INCONCLUSIVE, as its close said it, by the rule kept with it
    ("reason not recorded" for one kept before the rule was); None for other verdicts."""
    if verdict.outcome != verdicts.INCONCLUSIVE:
        return None
    n = verdict.numbers
    return inconclusive_reason(verdict.rule, n.cases, n.rubric, th, n.exceptions, reviewed=n.reviewed)


def anchor(state: PlaybookState) -> calendar.CycleAnchor | None:
    return state.cycle_anchor


def week_label(state: PlaybookState, week_start: date) -> str:
    cycle_anchor = anchor(state)
    ref = calendar.week_containing(cycle_anchor, week_start) if cycle_anchor else None
    return f"week {ref.week} of cycle {ref.cycle}" if ref else f"the week of {week_start.isoformat()}"


def labels_for(state: PlaybookState, weeks: list[str]) -> dict[str, str]:
    return {w: week_label(state, date.fromisoformat(w)) for w in weeks}


def current_week_start(state: PlaybookState, today: date) -> date:
    """The cycle week containing today, or today's Monday before any cycle: the week a
    person's decision is filed under."""
    cycle_anchor = anchor(state)
    ref = calendar.week_containing(cycle_anchor, today) if cycle_anchor else None
    return ref.week_start if ref else calendar.monday_of(today)


def audiences(state: PlaybookState, curators_channel: str | None) -> list[tuple[str, str]]:
    """(audience, channel) of everyone an alert goes to: the team and the curators."""
    targets = [("team", state.playbook.channel_id)]
    if curators_channel and curators_channel != state.playbook.channel_id:
        targets.append(("curators", curators_channel))
    return targets


def alert_messages(
    state: PlaybookState,
    step_name: str,
    t: Transition,
    key: str,
    curators_channel: str | None,
    by: str | None = None,
    reason: str | None = None,
    items: list[dict[str, Any]] | None = None,
) -> list[Message]:
    th = thresholds(state)
    weeks = [w["week"] for w in t.figures.get("fail_weeks", [])] + list(t.figures.get("missed", []))
    next_week = t.week_start + timedelta(days=7 * th.cooldown_weeks)
    message = notices.mode_alert(
        slug=state.playbook.slug,
        step=step_name,
        owner=state.playbook.owner_id,
        transition=t,
        week_label=week_label(state, t.week_start),
        labels=labels_for(state, weeks),
        by=by,
        reason=reason,
        promote_after=th.promote_after_weeks,
        cooldown=th.cooldown_weeks,
        next_label=week_label(state, next_week),
        items=items or [],
    )
    return [
        Message(keys.to_audience(key, audience), "chat.postMessage", channel, message)
        for audience, channel in audiences(state, curators_channel)
    ]


@dataclass(frozen=True)
class ProposalView:
    """What a proposal message shows, whether the proposal is new or decided."""

    key: str
    step: str
    from_mode: str | None
    to_mode: str | None
    figures: dict[str, Any]
    status: str
    decided_by: str | None = None

    @classmethod
    def of(
        cls, proposal: Proposal, step_name: str, status: str | None = None, decided_by: str | None = None
    ) -> ProposalView:
        return cls(
            proposal.key,
            step_name,
            proposal.from_mode,
            proposal.to_mode,
            proposal.figures,
            status or proposal.status,
            decided_by or proposal.decided_by,
        )


def proposal_messages(
    state: PlaybookState,
    proposal: ProposalView,
    curators_channel: str | None,
    update: bool = False,
    gates: list[str] | None = None,
    redrawn: str | None = None,
) -> list[Message]:
    """The proposal with its buttons (or, when `update`, its outcome in place of them),
    to the team channel and the curators channel."""
    figures = proposal.figures
    weeks = [w["week"] for w in figures.get("pass_weeks", [])]
    message = notices.proposal(
        slug=state.playbook.slug,
        step=proposal.step,
        from_mode=proposal.from_mode,
        to_mode=proposal.to_mode,
        counter=figures.get("counter", ""),
        pass_weeks=figures.get("pass_weeks", []),
        labels=labels_for(state, weeks),
        status=proposal.status,
        decided_by=proposal.decided_by,
        key=proposal.key,
        owner=state.playbook.owner_id,
        calibration=figures.get("calibration"),
        gates=gates or [],
    )
    messages = []
    for audience, channel in audiences(state, curators_channel):
        original = keys.to_audience(proposal.key, audience)
        if update:
            version = proposal.status if redrawn is None else f"{proposal.status}:{redrawn}"
            messages.append(
                Message(keys.updated(original, version), "chat.update", channel, {"ts_of": original, **message})
            )
        else:
            messages.append(Message(original, "chat.postMessage", channel, message))
    return messages


# ---- transitions --------------------------------------------------------------------


def transitions_change(
    state: PlaybookState,
    step: Step,
    transitions: list[Transition],
    actor: str | None,
    key: str,
    curators_channel: str | None,
    open_proposal: Proposal | None,
    by: str | None = None,
    reason: str | None = None,
    items: list[dict[str, Any]] | None = None,
    cleared: Move | None = None,
) -> Change:
    """Decisions, mode changes, proposals and messages for one step's transitions; a
    demotion's alert names `items`, the step's open exception items. A move up among
    them is written only as `cleared` (its gates read open now: usecases/shared/mode_move.py)."""
    change = Change()
    mode = step.mode
    for t in transitions:
        change.decisions.append(mode_decisions.of_transition(t, state.playbook.id, step.id, step.name, actor, reason))
        if t.kind is Kind.PROPOSAL:
            proposal = ProposalView(
                keys.proposal(step.id, t.week_start),
                step.name,
                t.from_mode,
                t.to_mode,
                {**t.figures, "counter": t.counter},
                "open",
            )
            change.new_proposals.append(
                NewProposal(
                    proposal.key,
                    "promotion",
                    state.playbook.id,
                    t.week_start,
                    step.id,
                    t.from_mode,
                    t.to_mode,
                    proposal.figures,
                )
            )
            change.messages += proposal_messages(state, proposal, curators_channel)
            continue
        if t.kind is Kind.WITHDRAWAL and open_proposal is not None:
            change.withdraw_for_steps.append(step.id)
            withdrawn = ProposalView.of(open_proposal, step.name, "withdrawn", "rule")
            change.messages += proposal_messages(state, withdrawn, curators_channel, update=True)
        if t.changes_mode and t.to_mode is not None:
            move = Move(step.name, mode, t.to_mode, step.pinned, step.pinned, step.id, why=str(t.kind))
            done = cleared if move.up and cleared is not None and cleared.to_mode == t.to_mode else None
            change.mode_changes.append(mode_move.change(done or _taken(move)))
            mode = t.to_mode
        if t.kind is Kind.FREEZE:
            change.mode_changes.append(mode_move.freeze(step.id, mode, True))
        change.messages += alert_messages(
            state, step.name, t, keys.transition(key, t.kind), curators_channel, by, reason, items
        )
    return change


def _taken(move: Move) -> Move:
    """A transition's move through the one function: a move down is cleared at once; a
    move up reaching here without its gates read is a bug (cadence.mode_move)."""
    done = mode_move.take_effect(move)
    if isinstance(done, Held):
        raise RuntimeError(f"{move.step} {move.from_mode} → {move.to_mode}: a move up with its gates unread")
    return done


# ---- people's decisions -----------------------------------------------------------------


def decide_proposal(store: Store, key: str, approve: bool, by: str, now: datetime) -> None:
    """An owner or curator approves or rejects a promotion proposal."""
    proposal = store.governance.proposal(key)
    if proposal is None or proposal.kind != "promotion":
        raise Refusal.of("proposal_unknown")
    state = store.playbooks.state_by_id(proposal.playbook_id)
    step = next((s for s in state.steps if s.id == proposal.step_id), None) if state else None
    if state is None or step is None:
        raise Refusal.of("step_gone")
    require_owner_or_curator(store, state, by, None)
    if proposal.status != "open":
        if proposal.decided_by in (None, "rule"):
            raise Refusal.of("proposal_decided", status=proposal.status)
        raise Refusal.of("proposal_decided_by", status=proposal.status, by=proposal.decided_by)
    th = thresholds(state)
    week = current_week_start(state, calendar.local_date(now, state.playbook.timezone))
    history = store.governance.histories([state], th.lookback_weeks).states[step.id]
    curators = store.org.setting(CURATORS_CHANNEL)
    key_base = keys.proposal_decided(key, approve)
    if approve and proposal.from_mode != step.mode:  # the step moved since it was proposed: the proposal is stale
        raise Refusal.of("proposal_race")
    asked = Move(step.name, step.mode, str(proposal.to_mode), step.pinned, step.pinned, step.id, why="promotion")
    cleared, shut = shared_mode_move.gates_now(store, state, asked, now) if approve else (None, [])
    if shut:  # read at the click: what changed since it was proposed refuses it, and the card says so
        words = [gate_phrase(g) for g in shut]
        view = ProposalView.of(proposal, step.name)
        redrawn = proposal_messages(state, view, curators, update=True, gates=words, redrawn=now.isoformat())
        with store.unit_of_work() as uow:
            uow.governance.apply(Change(messages=redrawn), now)
            uow.commit()
        raise Refusal.of("gates_shut", step=step.name, mode=proposal.to_mode, gates=Lines(tuple(words)))
    if approve:
        transitions, _ = rules.approve(history, week, th)
        change = transitions_change(state, step, transitions, by, key_base, curators, None, by=by, cleared=cleared)
        change.decisions.insert(
            0,
            mode_decisions.of_approval(
                state.playbook.id, step.id, step.name, week, step.mode, proposal.to_mode, by, key
            ),
        )
    else:
        rejection = Transition(Kind.REJECTION, TransitionRule.REJECTION, week, step.mode, proposal.to_mode)
        change = Change(decisions=[mode_decisions.of_transition(rejection, state.playbook.id, step.id, step.name, by)])
        change.messages += alert_messages(state, step.name, rejection, key_base, curators, by=by)
    status = "approved" if approve else "rejected"
    change.messages += proposal_messages(state, ProposalView.of(proposal, step.name, status, by), curators, update=True)
    try:
        with store.unit_of_work() as uow:
            applied = uow.governance.apply(change, now, proposal_key=key, proposal_status=status, decided_by=by)
            uow.commit()
    except StaleState:
        applied = False
    if not applied:
        raise Refusal.of("proposal_race")


@dataclass(frozen=True)
class ModeSet:
    step: str
    mode: str  # the new mode, or "unfreeze"
    curators_told: bool
    asked: bool = False  # a move toward ai-led: a bar change request waits for a curator


def override_change(
    store: Store,
    state: PlaybookState,
    step: Step,
    mode: str,
    reason: str,
    by: str,
    now: datetime,
    cleared: Move | None = None,
) -> Change:
    """A person's override of a step's mode as decisions, mode changes and alerts (the
    freeze after three changes in eight weeks too): by the owner or a curator toward
    human-led, or by the curator who approved a request toward ai-led."""
    th = thresholds(state)
    week = current_week_start(state, calendar.local_date(now, state.playbook.timezone))
    curators = store.org.setting(CURATORS_CHANNEL)
    history = store.governance.histories([state], th.lookback_weeks)
    transitions, _ = rules.override(history.states[step.id], mode, week, th)
    key = keys.override(step.id, now.isoformat())
    return transitions_change(
        state,
        step,
        transitions,
        by,
        key,
        curators,
        history.open_proposals.get(step.id),
        by=by,
        reason=reason,
        cleared=cleared,
    )


def set_mode(store: Store, state: PlaybookState, step: Step, mode: str, reason: str, by: str, now: datetime) -> ModeSet:
    """A person sets a step's mode (owner or curator), or unfreezes it (curator)."""
    week = current_week_start(state, calendar.local_date(now, state.playbook.timezone))
    curators = store.org.setting(CURATORS_CHANNEL)
    key = keys.override(step.id, now.isoformat())
    if mode == "unfreeze":
        if not store.org.is_curator(by):
            raise Refusal.of("curators_unfreeze", usage="mode")
        if not step.frozen:
            raise Refusal.of("not_frozen", usage="mode", step=step.name)
        t = Transition(Kind.UNFREEZE, TransitionRule.UNFREEZE, week, step.mode)
        change = Change(
            decisions=[mode_decisions.of_transition(t, state.playbook.id, step.id, step.name, by, reason)],
            mode_changes=[mode_move.freeze(step.id, step.mode, False)],
        )
        change.messages += alert_messages(state, step.name, t, key, curators, by=by, reason=reason)
    else:
        require_owner_or_curator(store, state, by, "mode")
        if step.pinned and mode != "human-led":
            raise Refusal.of("pinned", usage="mode", step=step.name)
        if step.mode == mode:
            raise Refusal.of("already_mode", usage="mode", step=step.name, mode=mode)
        change = override_change(store, state, step, mode, reason, by, now)
    try:
        with store.unit_of_work() as uow:
            uow.governance.apply(change, now)
            uow.commit()
    except StaleState:
        raise Refusal.of("mode_race", usage="mode", step=step.name, slug=state.playbook.slug) from None
    return ModeSet(step.name, mode, bool(curators))
