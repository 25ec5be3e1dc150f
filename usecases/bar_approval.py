"""A curator decides a bar change request (docs/playbooks.md, "The bar moves by decision"):
*Approve* and *Decline* on the curators channel's card, checked on the click (curators only,
with a single curator admins too, never the asker). Approved: from the first week of the
next cycle, the team channel told; a replay or a gate that shuts it refuses the click.
Declined: the asker gets the reason. Asking and the card are usecases/bar_requests.py's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cadence import bar, calendar, keys
from cadence.change import Change, Message
from cadence.decisions import Decision, DecisionKind
from cadence.definition_load import parse_playbook
from cadence.mode_move import Move
from cadence.promotion_gates import AI_LED, asked_ai_led
from cadence.state import PlaybookState
from storage.governance_rows import StaleState
from storage.made import Stale, fingerprint
from storage.models.governance import BarRequest
from storage.playbook_definitions import as_read_now
from templates import notices_bar
from templates.gate_words import gate_phrase
from templates.refusals import Lines, Refusal
from usecases.bar_requests import BAR, card_update, decide
from usecases.shared import awaiting, governance, mode_move, promotion_gates, replay_reads
from usecases.shared.caller import Caller

# ---- a curator decides ----

_DECLINABLE = ("open", "approved")  # an approved request waiting for its gates may still be declined


@dataclass(frozen=True)
class Asked:
    """What the decline form says: which request, of which playbook."""

    id: int
    slug: str


def next_cycle(state: PlaybookState, now: datetime) -> tuple[int, date]:
    """The first week of the next cycle: its number and Monday (the first cycle's, before it began)."""
    anchor = state.running()
    today = calendar.local_date(now, state.playbook.timezone)
    week = calendar.week_containing(anchor, today)
    if week is None or today < anchor.starts_on:
        return anchor.number, anchor.starts_on
    return week.cycle + 1, week.cycle_start + timedelta(days=calendar.DAYS_PER_CYCLE)


def approve(caller: Caller, value: object) -> None:
    """Approve: from the first week of the next cycle; a decision row names the approver,
    the card says so and the team channel is told. Of two clicks at once one decides."""
    request, state = awaiting.clicked(BAR, caller, value)
    if awaiting.voided(BAR, caller, request, state) or state is None:
        return
    changes = [bar.BarChange.from_json(c) for c in request.changes]
    if bar.override_of(changes) is not None:
        _approve_override(caller, request, state, changes)
        return
    _refuse_if_found_since(caller, request, state, changes)
    for name in asked_ai_led(changes):  # a step asked at ai-led passes a promotion's gates at the click
        if state.step(name) is not None:
            _refuse_if_shut(caller, request, state, name, AI_LED)
    cycle, monday = next_cycle(state, caller.now)
    now, playbook = caller.now, state.playbook
    approved = BarRequest(
        **{**request.model_dump(), "state": "approved", "decided_by": caller.user_id, "effective_from": monday}
    )
    words = [c["words"] for c in request.changes]
    effective = f"week 1 of cycle {cycle} ({monday:%-d %b})"
    told = notices_bar.bar_told(
        kind="approved",
        slug=playbook.slug,
        asked_by=request.asked_by,
        decided_by=caller.user_id,
        changes=words,
        reason=request.reason,
        effective=effective,
    )
    record = Decision(
        kind=DecisionKind.BAR_APPROVED,
        actor=caller.user_id,
        playbook_id=playbook.id,
        summary=f"Bar change for {playbook.slug} approved, from {effective}: {'; '.join(words)}",
        figures={"request": request.id, "asked_by": request.asked_by, "effective_from": monday.isoformat()},
    )
    messages = [
        card_update(caller.store, approved, state, now),
        Message(keys.to_audience(f"bar-approved:{request.id}", "team"), "chat.postMessage", playbook.channel_id, told),
    ]
    if not decide(
        caller.store,
        request.id,
        "approved",
        now,
        Change(decisions=[record], messages=messages),
        decided_by=caller.user_id,
        effective_from=monday,
    ):
        raise Refusal.of("bar_decided_now")


def _refuse_if_found_since(
    caller: Caller, request: BarRequest, state: PlaybookState, changes: list[bar.BarChange]
) -> None:
    """Gates at the click: the replay read again now; what it finds easier that the card did
    not show (a week closed since, a FAIL the change would take away) refuses the click
    naming it, and the card is redrawn with it (the next click decides on what it shows)."""
    shown = {line for c in changes for line in c.found}
    fresh = [f for f in replay_reads.found_now(caller.store, state, changes, caller.now) if f not in shown]
    if not fresh:
        return
    found = [
        {**c, "found": [*c.get("found", []), *fresh] if i == 0 else c.get("found", [])}
        for i, c in enumerate(request.changes)
    ]
    redrawn = BarRequest(**{**request.model_dump(), "changes": found})
    update = card_update(caller.store, redrawn, state, caller.now)
    awaiting.refound(BAR, caller.store, request.id, found, update, caller.now)
    raise Refusal.of("bar_found_since", found=Lines(tuple(fresh)))


def _refuse_if_shut(
    caller: Caller, request: BarRequest, state: PlaybookState, step: str, mode: str, move: Move | None = None
) -> Move | None:
    """Gates at the click of a move up: a shut one refuses the click naming it, and the
    card is redrawn with it (the request stays open to approve once they pass). A `move`
    that takes effect at the click (`/rollout mode`'s) goes through the one function,
    the rules' streak included, and comes back cleared; a definition's, applied at the
    next cycle, is read again then (usecases/bar_requests.py `apply_due`)."""
    cleared: Move | None = None
    if move is not None:
        cleared, shut = mode_move.gates_now(caller.store, state, move, caller.now)
    else:
        shut = promotion_gates.shut_now(caller.store, state, step, mode, caller.now)
    if shut:
        words = [gate_phrase(g) for g in shut]
        redrawn = card_update(caller.store, request, state, caller.now, gates=words)
        messages = [redrawn]
        if move is not None:  # a move that would have taken effect now: its owner is told which gate, once a set
            which = "+".join(sorted(g.key for g in shut))
            told = notices_bar.bar_told(
                kind="gates_shut",
                slug=state.playbook.slug,
                asked_by=request.asked_by,
                decided_by=caller.user_id,
                changes=[c["words"] for c in request.changes],
                reason=request.reason,
                effective=None,
                gates=words,
                gates_step=f"{move.step} ({move.from_mode} → {move.to_mode})",
            )
            owner = state.playbook.owner_id
            key = keys.to_audience(f"bar-gates:{request.id}:{which}", owner)
            messages.append(Message(key, "chat.postMessage", owner, told))
        with caller.store.unit_of_work() as uow:
            uow.governance.apply(Change(messages=messages), caller.now)
            uow.commit()
        raise Refusal.of("gates_shut", step=step, mode=mode, gates=Lines(tuple(gate_phrase(g) for g in shut)))
    return cleared


def _approve_override(caller: Caller, request: BarRequest, state: PlaybookState, changes: list[bar.BarChange]) -> None:
    """Approve a `/rollout mode` toward ai-led: its gates read now (a shut one refuses the
    click naming it, and the card is redrawn with it); passed, the mode is set at once as
    the approver's override (a pinned step unpinned by the same revision), the request
    applied, the card and the team told."""
    store, now, by = caller.store, caller.now, caller.user_id
    asked = bar.override_of(changes)
    assert asked is not None
    step = state.step(bar.override_step(asked))
    gone = (
        "the step was removed"
        if step is None
        else f"the step is {asked.new} already"
        if step.mode == asked.new
        else None
    )
    if step is None or gone is not None:
        awaiting.voided(BAR, caller, request, state, why=gone)
        return
    unpin = [c for c in changes if c.field == f"steps[{step.name}].pinned"]
    wanted = Move(step.name, step.mode, str(asked.new), step.pinned, step.pinned and not unpin, step.id, why="override")
    cleared = _refuse_if_shut(caller, request, state, step.name, str(asked.new), wanted)
    assert cleared is not None
    playbook = state.playbook
    week = governance.current_week_start(state, calendar.local_date(now, playbook.timezone))
    effective = governance.week_label(state, week)
    applied = BarRequest(**{**request.model_dump(), "state": "applied", "decided_by": by, "effective_from": week})
    words = [c.words for c in changes]
    told = notices_bar.bar_told(
        kind="applied",
        slug=playbook.slug,
        asked_by=request.asked_by,
        decided_by=by,
        changes=words,
        reason=request.reason,
        effective=effective,
    )
    record = Decision(
        kind=DecisionKind.BAR_APPROVED,
        actor=by,
        playbook_id=playbook.id,
        summary=f"Bar change for {playbook.slug} approved, applied at once from {effective}: {'; '.join(words)}",
        figures={"request": request.id, "asked_by": request.asked_by, "effective_from": week.isoformat()},
    )
    # the cleared move carries the pin too: one compare-and-set writes both
    change = governance.override_change(store, state, step, str(asked.new), request.reason, by, now, cleared)
    change.decisions.insert(0, record)
    change.messages += [
        card_update(store, applied, state, now, effective=effective),
        Message(keys.to_audience(f"bar-applied:{request.id}", "team"), "chat.postMessage", playbook.channel_id, told),
    ]
    try:
        with store.unit_of_work() as uow:
            if not uow.bar_requests.decide(request.id, "applied", now, "open", decided_by=by, effective_from=week):
                raise Refusal.of("bar_decided_now")
            if unpin and step.pinned:
                spec = parse_playbook(bar.with_changes(as_read_now(playbook.definition), unpin))
                rewritten = uow.made.revise(
                    playbook.id, fingerprint(playbook.definition), spec, caller.services.org_timezone, by, now
                )
                revised = Decision(
                    kind=DecisionKind.PLAYBOOK_CHANGED,
                    actor=by,
                    playbook_id=playbook.id,
                    summary=f"Playbook {playbook.slug} revised: bar change applied: {unpin[0].words}. "
                    f"Asked by {request.asked_by}, approved by {by}: {request.reason}",
                    figures={
                        "revision": True,
                        "bar_request": request.id,
                        "changes": [unpin[0].words],
                        "before": rewritten.before if rewritten is not None else None,
                        "after": spec.canonical(),
                        "asked_by": request.asked_by,
                        "approved_by": by,
                    },
                )
                change.decisions[1:1] = [*(rewritten.declared if rewritten is not None else []), revised]
            uow.governance.apply(change, now)
            uow.commit()
    except (StaleState, Stale):
        raise Refusal.of("mode_race", usage="mode", step=step.name, slug=playbook.slug) from None


def decline_form(caller: Caller, value: object) -> Asked:
    """Decline asks the reason first: curators only, while the request is open."""
    request, state = awaiting.clicked(BAR, caller, value, _DECLINABLE)
    return Asked(request.id, state.playbook.slug if state else str(request.playbook_id))


def decline(caller: Caller, value: object, reason: str) -> None:
    """Decline with a reason: the asker gets it by DM, the card says so; nothing changes."""
    request, state = awaiting.clicked(BAR, caller, value, _DECLINABLE)
    if awaiting.voided(BAR, caller, request, state, request.state) or state is None:
        return
    now, slug = caller.now, state.playbook.slug
    declined = BarRequest(
        **{**request.model_dump(), "state": "declined", "decided_by": caller.user_id, "decline_reason": reason}
    )
    told = notices_bar.bar_told(
        kind="declined",
        slug=slug,
        asked_by=request.asked_by,
        decided_by=caller.user_id,
        changes=[c["words"] for c in request.changes],
        reason=reason,
        effective=None,
    )
    record = Decision(
        kind=DecisionKind.BAR_DECLINED,
        actor=caller.user_id,
        playbook_id=request.playbook_id,
        summary=f"Bar change for {slug} declined: {reason}",
        figures={"request": request.id, "asked_by": request.asked_by, "reason": reason},
    )
    messages = [
        card_update(caller.store, declined, state, now),
        Message(
            keys.to_audience(f"bar-declined:{request.id}", request.asked_by), "chat.postMessage", request.asked_by, told
        ),
    ]
    if not decide(
        caller.store,
        request.id,
        "declined",
        now,
        Change(decisions=[record], messages=messages),
        request.state,
        decided_by=caller.user_id,
        decline_reason=reason,
    ):
        raise Refusal.of("bar_decided_now")
