"""Escalation with a clock (docs/playbooks.md, "Escalation with a clock"): the clock's step
that escalates the exception items whose SLA ran out unanswered, the Escalate button's
form (the exception owner escalates an open item at once, saying why) and the escalation's
Acknowledge button. Each escalation is written with its message in one transaction, under
one key per item and state (storage/escalations.py): a restart or a second clock sends
nothing twice and loses nothing."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from cadence import exception_queue, keys, trust_decisions
from cadence.change import Change, Message
from cadence.definition_handoff import HandoffSpec
from cadence.escalation import (
    CLOCK,
    Escalation,
    age_words,
    breached,
    fallback_mode,
    sla_words,
    still_open_words,
    unresolved,
)
from cadence.exception_queue import Item
from cadence.state import PlaybookState, Step
from slack_api.members import DirectoryUnavailable
from storage.exception_items import Moved
from storage.store import CURATORS_CHANNEL, Store
from templates import notices
from templates.refusals import Refusal
from usecases import exception_queue as queue
from usecases.shared.caller import Caller
from usecases.shared.queue import exception_owner, may_move, shown
from usecases.shared.roles import user

PER_TICK = 50  # escalations a tick makes at most: a backlog goes out over a few minutes


def escalate_to(state: PlaybookState) -> str | None:
    """Who the playbook's escalations go to, as declared; an adopted playbook's go to the
    curators (its definition names the origin's people)."""
    terms = state.spec.handoff
    if terms is None or state.playbook.adopted_from_id is not None:
        return None
    return terms.escalate_to


def _target(state: PlaybookState, curators: str | None) -> str:
    """`escalate_to`, else the curators channel, else the owner (nothing is dropped)."""
    return escalate_to(state) or curators or state.playbook.owner_id


def _message(state: PlaybookState, item: Item, escalation: Escalation, curators: str | None, now: datetime) -> Message:
    """The escalation's message, under its key; one meant for a channel or person other
    than the curators channel carries the curators' copy, which the dispatcher sends if
    Slack refuses it there (slack_api/dispatch.py)."""
    to = _target(state, curators)
    payload = _payload(state, item, escalation, now)
    if curators is not None and to != curators:
        payload["fallback"] = {"channel": curators, "payload": _payload(state, item, escalation, now, meant_for=to)}
    return Message(keys.escalation(item.source, item.report_id, escalation.after_move), "chat.postMessage", to, payload)


def _payload(
    state: PlaybookState,
    item: Item,
    escalation: Escalation,
    now: datetime,
    meant_for: str | None = None,
    acknowledged: tuple[str, datetime] | None = None,
) -> dict[str, Any]:
    terms = state.spec.handoff
    return notices.escalation(
        slug=state.playbook.slug,
        item=shown(state, item, now),
        age=age_words(item, escalation.at),
        holder=exception_owner(state),
        by=escalation.by,
        why=escalation.reason,
        sla=sla_words(terms.sla_hours) if terms else "",
        at=_when(escalation.at),
        escalate_to=escalate_to(state),
        meant_for=meant_for,
        acknowledged_by=acknowledged[0] if acknowledged else None,
        acknowledged_at=_when(acknowledged[1]) if acknowledged else None,
        again=escalation.by == CLOCK and escalation.after_move > 0,
    )


def _when(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")


# ---- the clock ----


def escalate_due(store: Store, states: list[PlaybookState], curators: str | None, at: datetime) -> int:
    """The clock's step: every item of these (active) playbooks with `handoff` whose SLA ran
    out by `at`, never acknowledged nor closed nor escalated, is escalated with its message.
    Returns how many this tick wrote (another clock's are not counted twice)."""
    by_id = {s.playbook.id: (s, terms) for s in states if (terms := s.spec.handoff) is not None}
    if not by_id:
        return 0
    due = store.escalations.due({pid: terms.sla_hours for pid, (_, terms) in by_id.items()}, at, PER_TICK)
    made = []
    for item in due:
        state, terms = by_id[item.playbook_id]
        if not breached(item, terms.sla_hours, at):
            continue
        escalation = Escalation(
            item.source, item.report_id, item.playbook_id, 0, at, f"unanswered for {sla_words(terms.sla_hours)}", CLOCK
        )
        made.append((escalation, [_message(state, item, escalation, curators, at)]))
    made += _unresolved(store, by_id, curators, at)
    return len(record(store, made, at))


def _unresolved(
    store: Store, by_id: dict[int, tuple[PlaybookState, HandoffSpec]], curators: str | None, at: datetime
) -> list[tuple[Escalation, list[Message]]]:
    """The acknowledged items still open `resolve_hours` after their acknowledgement,
    escalated again, once ("acknowledged 3 days ago, still open")."""
    hours = {pid: terms.resolve_after for pid, (_, terms) in by_id.items()}
    made = []
    for item, acknowledged_at in store.escalations.unresolved(hours, at, PER_TICK):
        state, terms = by_id[item.playbook_id]
        if not unresolved(item, acknowledged_at, terms.resolve_after, at):
            continue
        why = still_open_words(acknowledged_at, at)
        escalation = Escalation(item.source, item.report_id, item.playbook_id, item.moves, at, why, CLOCK)
        made.append((escalation, [_message(state, item, escalation, curators, at)]))
    return made


def record(store: Store, made: list[tuple[Escalation, list[Message]]], at: datetime) -> set[str]:
    """Write these escalations, each with its messages, in one unit of work: only those
    whose item still stands as escalated and that no other clock or person wrote first
    (storage/escalations.py), and only their messages, so each is sent once. Returns the
    keys of those written."""
    if not made:
        return set()
    with store.unit_of_work() as uow:
        written = uow.escalations.record([e for e, _ in made])
        messages = [m for e, ms in made if keys.escalation(e.source, e.report_id, e.after_move) in written for m in ms]
        uow.governance.apply(Change(messages=messages), at)
        uow.commit()
    return written


def fallbacks(store: Store, states: list[PlaybookState], at: datetime) -> int:
    """The clock's step after escalating (Handoffs with a fallback): each ai-led step of
    these (active) playbooks with an escalated item waiting past its SLA or `resolve_hours`
    runs in its handoff's fallback mode (cadence/escalation.py, fallback_mode); one whose
    items closed (or whose terms went) is back in its own. Each change is written with a
    line in history and the team channel's notice in one unit of work, under the step's
    mark: told once each way, whichever clock gets there first. Not a demotion: the step's
    mode, its cooldown and its rules' decisions are untouched. Returns how many changed."""
    watched = [
        s for s in states if any(st.fallback_since or (st.mode == "ai-led" and s.spec.handoff) for st in s.steps)
    ]
    found = store.escalations.escalated([s.playbook.id for s in watched]) if watched else []
    changed = 0
    for state in watched:
        terms = state.spec.handoff
        for step in state.steps:
            mine = [e for e in found if e.step_id == step.id]
            mode = fallback_mode(step.mode, terms, mine, at)
            if mode is not None and step.fallback_since is None:
                waiting = sum(e.waits(terms, at) for e in mine) if terms else 0
                changed += _fall_back(store, state, step, mode, waiting, at)
            elif mode is None and step.fallback_since is not None:
                changed += _fallback_ended(store, state, step, terms, at)
    return changed


def _fall_back(store: Store, state: PlaybookState, step: Step, mode: str, waiting: int, at: datetime) -> bool:
    playbook = state.playbook
    told = notices.fallback(slug=playbook.slug, step=step.name, mode=mode, waiting=waiting)
    with store.unit_of_work() as uow:
        if not uow.escalations.fall_back(step.id, mode, at):
            return False  # another clock a moment ago
        record = trust_decisions.of_fallback(playbook.id, step.id, step.name, mode, waiting)
        message = Message(keys.fallback(step.id, at), "chat.postMessage", playbook.channel_id, told)
        uow.governance.apply(Change(decisions=[record], messages=[message]), at)
        uow.commit()
    return True


def _fallback_ended(store: Store, state: PlaybookState, step: Step, terms: HandoffSpec | None, at: datetime) -> bool:
    """Back in its own mode: told to the team channel when that is ai-led and the items
    closed; a step demoted meanwhile, or terms gone, has only the line in history."""
    playbook, since = state.playbook, step.fallback_since
    assert since is not None, "only a step falling back ends its fallback"
    if terms is None:
        why = "the playbook has no handoff terms now"
    elif step.mode != "ai-led":
        why = f"the step is {step.mode} now"
    else:
        why = "the escalated items closed"
    messages = []
    if step.mode == "ai-led":
        told = notices.fallback(slug=playbook.slug, step=step.name, mode=step.mode, ended=why)
        messages.append(
            Message(keys.fallback(step.id, since, ended=True), "chat.postMessage", playbook.channel_id, told)
        )
    with store.unit_of_work() as uow:
        if not uow.escalations.fallback_ended(step.id, since):
            return False
        record = trust_decisions.of_fallback_ended(playbook.id, step.id, step.name, step.mode, why)
        uow.governance.apply(Change(decisions=[record], messages=messages), at)
        uow.commit()
    return True


BACKLOG_LISTED = 10  # the summary's items, oldest first; the rest are counted


def tell_backlogs(store: Store, states: list[PlaybookState], curators: str | None, at: datetime) -> int:
    """The clock's step before escalating: for each of these (active) playbooks whose
    handoff terms began with a revision (playbook.handoff_since) and whose older items are
    not yet told, one message to whoever its escalations go to, listing the open items
    logged before the terms that nobody answered: they are not escalated one by one (a
    backlog of 500 would be 500 messages). Written with the mark that it was, in one unit
    of work: sent once across restarts and two clocks. Nothing waiting, no message (the
    mark alone). Returns how many summaries this tick wrote."""
    told = 0
    for state in states:
        playbook, terms = state.playbook, state.spec.handoff
        since = playbook.handoff_since
        if terms is None or since is None or playbook.handoff_backlog_at is not None:
            continue
        waiting = store.escalations.backlog(playbook.id, since)
        messages = [_backlog_message(state, terms, since, waiting, curators, at)] if waiting else []
        with store.unit_of_work() as uow:
            if not uow.escalations.backlog_told(playbook.id, since, at):
                continue  # another clock told it a moment ago, or the terms began again
            uow.governance.apply(Change(messages=messages), at)
            uow.commit()
        told += bool(messages)
    return told


def _backlog_message(
    state: PlaybookState, terms: HandoffSpec, since: datetime, waiting: list[Item], curators: str | None, at: datetime
) -> Message:
    """The summary of the items logged before the handoff terms began, under its key, with
    the curators' copy as an escalation has (`_message`)."""
    playbook = state.playbook
    to = _target(state, curators)

    def payload(meant_for: str | None = None) -> dict[str, Any]:
        listed = [dict(shown(state, i, at), age_words=age_words(i, at)) for i in waiting[:BACKLOG_LISTED]]
        return notices.escalation_backlog(
            slug=playbook.slug,
            items=listed,
            more=len(waiting) - len(listed),
            holder=exception_owner(state),
            sla=sla_words(terms.sla_hours),
            since=_when(since),
            escalate_to=escalate_to(state),
            meant_for=meant_for,
        )

    body = payload()
    if curators is not None and to != curators:
        body["fallback"] = {"channel": curators, "payload": payload(meant_for=to)}
    return Message(keys.escalation_backlog(playbook.id, since), "chat.postMessage", to, body)


# ---- the Escalate button and its form ----


def form_for(caller: Caller, value: object) -> dict[str, Any]:
    """What the Escalate form shows; refused as the escalation would be, before it opens."""
    found = queue.target(caller, value)
    _refuse_escalation(caller.store, found.item)
    curators = caller.store.org.setting(CURATORS_CHANNEL)
    return dict(
        metadata=found.item.key,
        item=shown(found.state, found.item, caller.now),
        slug=found.state.playbook.slug,
        to=_target(found.state, curators),
    )


def escalate(caller: Caller, value: object, why: str, dm: dict[str, Any] | None = None) -> tuple[queue.Target, str]:
    """Escalate an open item at once, saying why: its message goes to `escalate_to` (or the
    curators channel); the Monday DM it came from shows it escalated. Refusals write nothing.
    Returns the item and where the escalation went."""
    found = queue.target(caller, value)
    item = found.item
    _refuse_escalation(caller.store, item)
    why = why.strip()
    if not why:
        raise Refusal.of("escalation_why")
    curators = caller.store.org.setting(CURATORS_CHANNEL)
    escalation = Escalation(item.source, item.report_id, item.playbook_id, item.moves, caller.now, why, caller.user_id)
    message = _message(found.state, item, escalation, curators, caller.now)
    if not record(caller.store, [(escalation, [message])], caller.now):
        raise Refusal.of("item_moved")  # moved or escalated by someone else a moment ago
    queue._after(caller, found.state, dm or {})
    return found, message.channel


def _refuse_escalation(store: Store, item: Item) -> None:
    if item.withdrawn:
        raise Refusal.of("item_withdrawn")
    if not item.is_open:
        raise Refusal.of("item_closed", state=item.state)
    latest = store.escalations.latest(item.source, item.report_id)
    if latest is not None and latest.after_move == item.moves:
        raise Refusal.of("item_escalated", on=_when(latest.at))


# ---- the escalation's Acknowledge button ----


def may_acknowledge(caller: Caller, state: PlaybookState) -> bool:
    """The exception owner, the owner, a curator, and `escalate_to`: the person, or a
    member of the channel."""
    if may_move(caller.store, state, caller.user_id):
        return True
    to = escalate_to(state)
    if to is None:
        return False
    if to[:1] in ("U", "W"):
        return caller.user_id == to
    try:
        return caller.user_id in caller.services.directory.channel_members(caller.client, to)
    except DirectoryUnavailable:
        return False


def acknowledge(caller: Caller, value: object, where: dict[str, str] | None) -> PlaybookState:
    """The escalation's Acknowledge: an item never acknowledged is acknowledged (a move, as
    the queue's button makes); one acknowledged before it was escalated has its escalation
    acknowledged. The message clicked (`where`: its channel and ts) then shows who did,
    without the button. Refused for anyone else, and for an escalation answered already."""
    read = keys.read_exception_item(value)
    item = caller.store.exception_items.item(*read) if read else None
    state = caller.store.playbooks.state_by_id(item.playbook_id) if item else None
    if item is None or state is None:
        raise Refusal.of("item_gone")
    if not may_acknowledge(caller, state):
        raise Refusal.of(
            "escalation_not_yours",
            slug=state.playbook.slug,
            exception_owner=user(exception_owner(state)),
            owner=user(state.playbook.owner_id),
        )
    escalation = caller.store.escalations.latest(item.source, item.report_id)
    if item.withdrawn:
        raise Refusal.of("item_withdrawn")
    if not item.is_open:
        raise Refusal.of("item_closed", state=item.state)
    if escalation is None or not escalation.current(item):
        raise Refusal.of("escalation_answered")
    update = []
    if where:
        payload = _payload(state, item, escalation, escalation.at, acknowledged=(caller.user_id, caller.now))
        update = [
            Message(keys.dm_update(uuid.uuid4().hex), "chat.update", where["channel"], {"ts": where["ts"], **payload})
        ]
    if item.moves == 0:
        try:
            queue.write_move(caller, item, exception_queue.ACKNOWLEDGED, None, update)
        except Moved as err:
            if str(err) == "withdrawn":
                raise Refusal.of("item_withdrawn") from None
            raise Refusal.of("item_moved") from None
    elif not _clear(caller, escalation, update):
        raise Refusal.of("escalation_answered")
    return state


def _clear(caller: Caller, escalation: Escalation, messages: list[Message]) -> bool:
    """The escalation acknowledged itself, with its messages, in one unit of work; False,
    and nothing written, if someone did a moment ago."""
    with caller.store.unit_of_work() as uow:
        if not uow.escalations.clear(escalation, caller.user_id, caller.now):
            return False
        uow.governance.apply(Change(messages=messages), caller.now)
        uow.commit()
    return True
