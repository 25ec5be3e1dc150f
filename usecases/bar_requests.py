"""Bar change requests (docs/playbooks.md, "The bar moves by decision"): a change to a playbook's bar that
does not tighten it waits for a curator. Asked in `/rollout edit` (and a stall's *Refine*
and *Re-scope*) with a reason, in the revision's own unit of work; the curators channel
gets a card with *Approve* and *Decline*, never for the asker: a curator other than the
asker (else an admin other than the asker; else it waits, saying how to appoint one).
Approved: from the first week of the next cycle, applied by the clock once the week before
it closed, the team channel told. Declined: the asker gets the reason."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from cadence import bar, calendar, keys
from cadence.change import Change, Message
from cadence.decisions import Decision, DecisionKind
from cadence.definition_load import DefinitionError, parse_playbook
from cadence.promotion_gates import AI_LED, asked_ai_led
from cadence.state import PlaybookState
from storage.governance_rows import StaleState
from storage.made import Stale, fingerprint
from storage.models.governance import BarRequest
from storage.playbooks import CURATORS_CHANNEL, as_read_now
from storage.store import Store
from templates import notices_bar
from templates.gate_words import gate_phrase
from templates.refusals import Lines, Refusal
from usecases.shared import governance, promotion_gates, replay_reads
from usecases.shared.caller import Caller
from usecases.shared.told import FILE_ACTOR

CARD_WEEKS = 4  # each affected step's last closed weeks on the card
LOADED_FROM = "loaded from "  # the reason of a request a file loaded at the server approved


def _words(changes: list[bar.BarChange]) -> str:
    return "; ".join(c.words for c in changes)


def check(store: Store, changes: list[bar.BarChange], why: str | None) -> str:
    """A request may go: a reason given and a curators channel to send the card to. The
    channel; else Refusal (the form shows it on its *Why* field), nothing stored."""
    if not why:
        raise Refusal.of("bar_why", changes=_words(changes))
    curators = store.org.setting(CURATORS_CHANNEL)
    if not curators:
        raise Refusal.of("bar_no_curators", changes=_words(changes))
    return curators


def deciders(store: Store, admins: frozenset[str], asker: str) -> set[str]:
    """Who may decide on `asker`'s request: a curator other than the asker; in a workspace
    with a single curator (or none), an admin other than the asker as well. Empty: nobody
    yet (the request waits for a second curator)."""
    curators = store.org.curators()
    return (curators | (admins if len(curators) <= 1 else set())) - {asker}


def ask(
    uow: Store,
    state: PlaybookState,
    changes: list[bar.BarChange],
    why: str,
    curators: str,
    by: str,
    now: datetime,
    admins: frozenset[str] = frozenset(),
) -> None:
    """The request, in the caller's unit of work (the revision's): stored open, replacing
    the playbook's open one (whose card says "replaced"), its decision row and its card."""
    playbook = state.playbook
    request = BarRequest(
        playbook_id=playbook.id,
        owner_id=playbook.owner_id,
        asked_by=by,
        asked_at=now,
        reason=why,
        changes=[c.to_json() for c in changes],
        card_channel=curators,
        card_key="bar:new",  # its id's, once stored
    )
    record = Decision(
        kind=DecisionKind.BAR_REQUESTED,
        actor=by,
        playbook_id=playbook.id,
        summary=f"Bar change asked for {playbook.slug}, waiting for a curator: {_words(changes)}. Why: {why}",
        figures={"changes": request.changes, "reason": why},
    )
    replaced = uow.bar_requests.ask(request, now)
    request.card_key = keys.to_audience(f"bar:{request.id}", "curators")  # written with the commit
    state = uow.playbooks.state_by_id(playbook.id) or state  # as the revision left it
    messages = [Message(request.card_key, "chat.postMessage", curators, card(uow, request, state, admins=admins))]
    if replaced is not None:
        messages.append(card_update(uow, replaced, state, now))
    uow.governance.apply(Change(decisions=[record], messages=messages), now)


# ---- what status and the web view show ----


def asked(store: Store, playbook_id: int) -> dict[str, Any] | None:
    """The playbook's open request, as status and the web view show it: who asked and when,
    and each change old → new in the words the curators' card gives it ("exception cap
    10% → 15%", "step draft pinned → unpinned"); None: none open."""
    request = store.bar_requests.open_for(playbook_id)
    if request is None:
        return None
    return {
        "by": request.asked_by,
        "on": f"{request.asked_at:%-d %b}",
        "changes": [bar.BarChange.from_json(c).words for c in request.changes],
    }


# ---- the card ----


def card(
    store: Store,
    request: BarRequest,
    state: PlaybookState | None,
    void: str | None = None,
    effective: str | None = None,
    admins: frozenset[str] = frozenset(),
    gates: list[str] | None = None,
) -> dict[str, Any]:
    """The curators' card of `request` as it stands (`state`: its playbook now, None: gone;
    `effective`: its first week in words, else its Monday's date; `admins`: who else may
    decide with a single curator). A request loaded from a file (usecases/bar_loaded.py)
    names the file, whose name its reason holds."""
    changes = [bar.BarChange.from_json(c) for c in request.changes]
    playbook = state.playbook if state is not None else None
    curators = store.org.curators()
    return notices_bar.bar_card(
        id=str(request.id),
        slug=playbook.slug if playbook else str(request.playbook_id),
        title=playbook.title if playbook else "",
        owner=request.owner_id,
        asked_by=request.asked_by,
        changes=[c.words for c in changes],
        reason=why_of(request),
        cap=_share(playbook.exception_cap) if playbook else "",
        weeks=_weeks(store, request, state, changes),
        state=request.state,
        single=sorted(curators) if len(curators) <= 1 and admins else None,
        nobody=not deciders(store, admins, request.asked_by),
        decided_by=request.decided_by,
        effective=effective or _effective(request.effective_from),
        decline_reason=request.decline_reason,
        void_reason=void,
        file=loaded_from(request),
        gates=gates or [],
        found=list(dict.fromkeys(line for c in changes for line in c.found)),
    )


def loaded_from(request: BarRequest) -> str | None:
    """The file a request was loaded from at the server (its reason's first line holds the
    whole name), or None."""
    if not request.asked_by.startswith(FILE_ACTOR):
        return None
    return request.reason.removeprefix(LOADED_FROM).split("\n", 1)[0]


def why_of(request: BarRequest) -> str:
    """Why the change was asked: the form's *Why*, or a file's `--why` (its reason's second line)."""
    if not request.asked_by.startswith(FILE_ACTOR):
        return request.reason
    return request.reason.partition("\n")[2]


def _share(value: float) -> str:
    return f"{value * 100:.4f}".rstrip("0").rstrip(".") + "%"


def _weeks(
    store: Store, request: BarRequest, state: PlaybookState | None, changes: list[bar.BarChange]
) -> list[dict[str, Any]]:
    """Each affected step's last closed weeks when the request was asked, the evidence it
    was decided on, however often the card is updated after (approved, applied): every
    step, unless the changes are only the KPI's and the guardrail's (which judge no step)."""
    if state is None or all(c.field.startswith(("kpi.", "guardrail.")) for c in changes):
        return []
    verdicts = store.bar_requests.last_weeks(request.playbook_id, CARD_WEEKS, request.asked_at)  # as asked
    shown = []
    for step in state.steps:
        weeks = [
            {
                "week": f"{v.week_start:%-d %b}",
                "outcome": v.outcome,
                "ratio": f"{v.exceptions}/{v.cases} = {_share(v.exceptions / v.cases)}" if v.cases else "",
            }
            for v in verdicts
            if v.step_id == step.id
        ]
        shown.append({"step": step.name, "weeks": weeks})
    return shown


def _effective(day: date | None) -> str | None:
    return None if day is None else f"{day:%-d %b %Y}"


def card_update(store: Store, request: BarRequest, state: PlaybookState | None, now: datetime, **shown: Any) -> Message:
    return Message(
        keys.updated(request.card_key, f"{request.state}:{now.isoformat()}"),
        "chat.update",
        request.card_channel,
        {"ts_of": request.card_key, **card(store, request, state, **shown)},
    )


# ---- a curator decides ----


@dataclass(frozen=True)
class Asked:
    """What the decline form says: which request, of which playbook."""

    id: int
    slug: str


def _open(caller: Caller, value: object) -> tuple[BarRequest, PlaybookState | None]:
    """The open request a click is about, checked on the click: curators only (with a
    single curator, admins too), never the asker."""
    store = caller.store
    if not (store.org.is_curator(caller.user_id) or caller.is_admin()):
        raise Refusal.of("bar_curators_only")
    request_id = keys.read_id(value)
    request = store.bar_requests.get(request_id) if request_id is not None else None
    if request is None:
        raise Refusal.of("bar_unknown")
    if request.state != "open":
        raise Refusal.of("bar_decided", state=request.state)
    if request.asked_by == caller.user_id:
        raise Refusal.of("bar_own_request")
    if caller.user_id not in deciders(store, caller.services.admins, request.asked_by):
        raise Refusal.of("bar_curators_only")
    return request, store.playbooks.state_by_id(request.playbook_id)


def _void_reason(request: BarRequest, state: PlaybookState | None) -> str | None:
    if state is None:
        return "the playbook was removed"
    if state.playbook.status == "retired":
        return "the playbook was retired"
    if state.playbook.owner_id != request.owner_id:
        return "the playbook was handed over to another owner"
    return None


def _voided(caller: Caller, request: BarRequest, state: PlaybookState | None, was: str = "open") -> bool:
    """A request whose playbook was retired or handed over: void, its card says so."""
    why = _void_reason(request, state)
    if why is None:
        return False
    now = caller.now
    void = BarRequest(**{**request.model_dump(), "state": "void"})
    _decide(
        caller.store,
        request.id,
        "void",
        now,
        Change(messages=[card_update(caller.store, void, state, now, void=why)]),
        was,
    )
    return True


def _decide(
    store: Store, request_id: int, state: str, now: datetime, change: Change, was: str = "open", **values: Any
) -> bool:
    """The request moved from `was` to `state`, with `change`'s decisions and messages, in
    one unit of work; False, and nothing written, if another click moved it a moment ago."""
    with store.unit_of_work() as uow:
        if not uow.bar_requests.decide(request_id, state, now, was, **values):
            return False
        uow.governance.apply(change, now)
        uow.commit()
    return True


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
    request, state = _open(caller, value)
    if _voided(caller, request, state) or state is None:
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
    if not _decide(
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
    with caller.store.unit_of_work() as uow:
        if uow.bar_requests.refound(request.id, found):
            uow.governance.apply(Change(messages=[card_update(uow, redrawn, state, caller.now)]), caller.now)
        uow.commit()
    raise Refusal.of("bar_found_since", found=Lines(tuple(fresh)))


def _refuse_if_shut(caller: Caller, request: BarRequest, state: PlaybookState, step: str, mode: str) -> None:
    """Gates at the click of a move up: a shut one refuses the click naming it, and the
    card is redrawn with it (the request stays open to approve once they pass)."""
    shut = promotion_gates.shut_now(caller.store, state, step, mode, caller.now)
    if shut:
        redrawn = card_update(caller.store, request, state, caller.now, gates=[gate_phrase(g) for g in shut])
        with caller.store.unit_of_work() as uow:
            uow.governance.apply(Change(messages=[redrawn]), caller.now)
            uow.commit()
        raise Refusal.of("gates_shut", step=step, mode=mode, gates=Lines(tuple(gate_phrase(g) for g in shut)))


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
        void = BarRequest(**{**request.model_dump(), "state": "void"})
        _decide(store, request.id, "void", now, Change(messages=[card_update(store, void, state, now, void=gone)]))
        return
    _refuse_if_shut(caller, request, state, step.name, str(asked.new))
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
    change = governance.override_change(store, state, step, str(asked.new), request.reason, by, now)
    change.decisions.insert(0, record)
    change.messages += [
        card_update(store, applied, state, now, effective=effective),
        Message(keys.to_audience(f"bar-applied:{request.id}", "team"), "chat.postMessage", playbook.channel_id, told),
    ]
    unpin = [c for c in changes if c.field == f"steps[{step.name}].pinned"]
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
    request, state = _open(caller, value)
    return Asked(request.id, state.playbook.slug if state else str(request.playbook_id))


def decline(caller: Caller, value: object, reason: str) -> None:
    """Decline with a reason: the asker gets it by DM, the card says so; nothing changes."""
    request, state = _open(caller, value)
    if _voided(caller, request, state) or state is None:
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
    if not _decide(
        caller.store,
        request.id,
        "declined",
        now,
        Change(decisions=[record], messages=messages),
        decided_by=caller.user_id,
        decline_reason=reason,
    ):
        raise Refusal.of("bar_decided_now")


# ---- the clock applies what was approved ----


def apply_due(store: Store, org_timezone: str, now: datetime) -> int:
    """Each approved request whose first week is open (the week before it closed) applied
    to the playbook's definition now, as a revision; the team channel told. How many."""
    applied = 0
    for request in store.bar_requests.approved():
        state = store.playbooks.state_by_id(request.playbook_id)
        if state is not None and _void_reason(request, state) is None and not _due(request, state):
            continue
        applied += _apply(store, request, state, org_timezone, now)
    return applied


def _due(request: BarRequest, state: PlaybookState) -> bool:
    closed, first = state.playbook.closed_through, request.effective_from
    return closed is not None and first is not None and first <= closed + timedelta(days=7)


def _apply(store: Store, request: BarRequest, state: PlaybookState | None, org_timezone: str, now: datetime) -> int:
    why = _void_reason(request, state)
    changes = [bar.BarChange.from_json(c) for c in request.changes]
    spec = None
    if state is not None and why is None:
        try:
            spec = parse_playbook(bar.with_changes(as_read_now(state.playbook.definition), changes))
        except DefinitionError as err:
            why = f"the playbook changed since, so it no longer takes it ({err})"[:300]
    if state is None or spec is None:
        void = BarRequest(**{**request.model_dump(), "state": "void"})
        _decide(
            store,
            request.id,
            "void",
            now,
            Change(messages=[card_update(store, void, state, now, void=why)]),
            "approved",
        )
        return 0
    playbook = state.playbook
    words = [c.words for c in changes]
    effective = _effective(request.effective_from)
    told = notices_bar.bar_told(
        kind="applied",
        slug=playbook.slug,
        asked_by=request.asked_by,
        decided_by=request.decided_by or "",
        changes=words,
        reason=why_of(request),
        effective=effective,
        file=loaded_from(request),
    )
    applied = BarRequest(**{**request.model_dump(), "state": "applied"})
    messages = [
        card_update(store, applied, state, now),
        Message(keys.to_audience(f"bar-applied:{request.id}", "team"), "chat.postMessage", playbook.channel_id, told),
    ]
    try:
        with store.unit_of_work() as uow:
            rewritten = uow.made.revise(
                playbook.id, fingerprint(playbook.definition), spec, org_timezone, request.decided_by or "", now
            )
            before = rewritten.before if rewritten is not None else None
            record = Decision(
                kind=DecisionKind.PLAYBOOK_CHANGED,
                actor=request.decided_by or "",
                playbook_id=playbook.id,
                summary=f"Playbook {playbook.slug} revised: bar change applied from {effective}: {'; '.join(words)}. "
                f"Asked by {request.asked_by}, approved by {request.decided_by}: {request.reason}",
                figures={
                    "revision": True,
                    "bar_request": request.id,
                    "changes": words,
                    "before": before,
                    "after": spec.canonical(),
                    "asked_by": request.asked_by,
                    "approved_by": request.decided_by,
                    "effective_from": request.effective_from.isoformat() if request.effective_from else None,
                },
            )
            if not uow.bar_requests.decide(request.id, "applied", now, "approved"):
                return 0
            declared = rewritten.declared if rewritten is not None else []
            uow.governance.apply(Change(decisions=[*declared, record], messages=messages), now)
            uow.commit()
    except Stale:  # edited this very moment: the next tick applies it to the new definition
        return 0
    return 1
