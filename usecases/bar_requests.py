"""Bar change requests (docs/playbooks.md, "The bar moves by decision"): a change to a playbook's bar that
does not tighten it waits for a curator. Asked in `/rollout edit` (and a stall's *Refine*
and *Re-scope*) with a reason, in the revision's own unit of work; the curators channel
gets a card with *Approve* and *Decline*, never for the asker: a curator other than the
asker (else an admin other than the asker; else it waits, saying how to appoint one).
Approved: from the first week of the next cycle, applied by the clock once the week before
it closed, the team channel told. Declined: the asker gets the reason."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from cadence import bar, keys, mode_decisions, mode_move
from cadence.change import Change, Message
from cadence.decisions import Decision, DecisionKind
from cadence.definition import PlaybookSpec
from cadence.definition_load import DefinitionError, parse_playbook
from cadence.mode_move import Held, Move
from cadence.state import Playbook, PlaybookState
from storage.governance_rows import StaleState
from storage.made import Stale, fingerprint
from storage.models.governance import BarRequest
from storage.playbook_definitions import as_read_now
from storage.playbooks import CURATORS_CHANNEL
from storage.store import Store
from templates import notices_bar
from templates.gate_words import gate_phrase
from templates.refusals import Refusal
from usecases.shared import awaiting, second_person
from usecases.shared import mode_move as shared_mode_move
from usecases.shared.awaiting import void_reason
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
    request = awaiting.asked(BAR, state, by, why, curators, now, changes=[c.to_json() for c in changes])
    record = Decision(
        kind=DecisionKind.BAR_REQUESTED,
        actor=by,
        playbook_id=playbook.id,
        summary=f"Bar change asked for {playbook.slug}, waiting for a curator: {_words(changes)}. Why: {why}",
        figures={"changes": request.changes, "reason": why},
    )
    state = uow.playbooks.state_by_id(playbook.id) or state  # as the revision left it
    awaiting.opened(BAR, uow, request, record, state, now, admins=admins)


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
        nobody=not second_person.deciders(store, admins, request.asked_by),
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


BAR: awaiting.Kind[BarRequest] = awaiting.Kind(
    key="bar",
    model=BarRequest,
    table=lambda store: store.bar_requests,
    draw=card,
    unknown=lambda: Refusal.of("bar_unknown"),
    decided=lambda state: Refusal.of("bar_decided", state=state),
    own=lambda: Refusal.of("bar_own_request"),
    others=lambda: Refusal.of("bar_curators_only"),
    outsiders=lambda: Refusal.of("bar_curators_only"),
)


def card_update(store: Store, request: BarRequest, state: PlaybookState | None, now: datetime, **shown: Any) -> Message:
    return awaiting.card_update(BAR, store, request, state, now, **shown)


# ---- a request moves on: a curator's click (usecases/bar_approval.py) or the clock ----


def decide(
    store: Store, request_id: int, state: str, now: datetime, change: Change, was: str = "open", **values: Any
) -> bool:
    """The request moved from `was` to `state` (usecases/shared/awaiting.py `decide`)."""
    return awaiting.decide(BAR, store, request_id, state, now, change, was, **values)


# ---- the clock applies what was approved ----


def apply_due(store: Store, org_timezone: str, now: datetime) -> int:
    """Each approved request whose first week is open (the week before it closed) applied
    to the playbook's definition now, as a revision; the team channel told. How many."""
    applied = 0
    for request in store.bar_requests.approved():
        state = store.playbooks.state_by_id(request.playbook_id)
        if state is not None and void_reason(request, state) is None and not _due(request, state):
            continue
        applied += _apply(store, request, state, org_timezone, now)
    return applied


def _due(request: BarRequest, state: PlaybookState) -> bool:
    closed, first = state.playbook.closed_through, request.effective_from
    return closed is not None and first is not None and first <= closed + timedelta(days=7)


def _apply(store: Store, request: BarRequest, state: PlaybookState | None, org_timezone: str, now: datetime) -> int:
    why = void_reason(request, state)
    changes = [bar.BarChange.from_json(c) for c in request.changes]
    spec = None
    if state is not None and why is None:
        spec, why = _revised(state, changes)
    if state is None or spec is None:
        awaiting.void(BAR, store, now, request, state, why, "approved")  # approved, it can no longer apply
        return 0
    playbook = state.playbook
    words = [c.words for c in changes]
    effective = _effective(request.effective_from)
    live = {s.name: (s.mode, s.pinned) for s in state.steps}
    ids = {s.name: s.id for s in state.steps}
    moves = mode_move.declared(as_read_now(playbook.definition), spec.canonical(), live, ids)
    ups = [m for m in moves if m.up]
    cleared, held = shared_mode_move.take_effect(store, state, ups, now, spec.canonical())
    if held:  # read at the instant it would take effect: it waits, the approval stands
        _held(store, request, state, held, now)
        return 0
    messages = _applied_messages(store, request, state, words, effective, now)
    try:
        return _write_applied(store, request, state, spec, cleared, messages, words, effective, org_timezone, now)
    except (Stale, StaleState):  # edited this very moment: the next tick applies it to the new definition
        return 0


def _revised(state: PlaybookState, changes: list[bar.BarChange]) -> tuple[PlaybookSpec | None, str | None]:
    """The playbook's definition with the request's changes, read as a definition; else
    None and why the request is void (the playbook changed since, so it no longer takes it)."""
    try:
        return parse_playbook(bar.with_changes(as_read_now(state.playbook.definition), changes)), None
    except DefinitionError as err:
        return None, f"the playbook changed since, so it no longer takes it ({err})"[:300]


def _applied_messages(
    store: Store, request: BarRequest, state: PlaybookState, words: list[str], effective: str | None, now: datetime
) -> list[Message]:
    """An applied request's card redrawn, and the team channel told."""
    playbook = state.playbook
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
    return [
        card_update(store, applied, state, now),
        Message(keys.to_audience(f"bar-applied:{request.id}", "team"), "chat.postMessage", playbook.channel_id, told),
    ]


def _write_applied(
    store: Store,
    request: BarRequest,
    state: PlaybookState,
    spec: PlaybookSpec,
    cleared: list[Move],
    messages: list[Message],
    words: list[str],
    effective: str | None,
    org_timezone: str,
    now: datetime,
) -> int:
    """The revision written in one unit of work, with its decisions (the change, and the
    moves up `cleared` through the one writer) and `messages`: 1; 0 if another moved the
    request a moment ago. Raises Stale or StaleState if the playbook was edited this very moment."""
    playbook = state.playbook
    with store.unit_of_work() as uow:
        rewritten = uow.made.revise(
            playbook.id, fingerprint(playbook.definition), spec, org_timezone, request.decided_by or "", now
        )
        before = rewritten.before if rewritten is not None else None
        record = _revision_record(request, playbook, spec, words, effective, before)
        if not uow.bar_requests.decide(request.id, "applied", now, "approved"):
            return 0
        declared = rewritten.declared if rewritten is not None else []
        declared += [  # the moves up, cleared above, through the one writer
            mode_decisions.of_declared_mode(playbook.id, m.step_id or 0, m.step, m.from_mode, m.to_mode, record.actor)
            for m in cleared
            if m.from_mode != m.to_mode
        ]
        writes = [mode_move.change(m) for m in cleared]
        uow.governance.apply(Change(decisions=[*declared, record], messages=messages, mode_changes=writes), now)
        uow.commit()
    return 1


def _revision_record(
    request: BarRequest,
    playbook: Playbook,
    spec: PlaybookSpec,
    words: list[str],
    effective: str | None,
    before: dict[str, Any] | None,
) -> Decision:
    """The decision of the playbook's revision by an approved bar change."""
    return Decision(
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


def _held(store: Store, request: BarRequest, state: PlaybookState, held: list[Held], now: datetime) -> None:
    """A due request whose move up does not pass its gates now: the card redrawn with them
    (a curator may decline it) and the owner told, once for each set of shut gates."""
    first = held[0]
    words = [gate_phrase(g) for h in held for g in h.gates]
    which = "+".join(sorted({f"{h.move.step}:{g.key}" for h in held for g in h.gates}))
    playbook = state.playbook
    told = notices_bar.bar_told(
        kind="held",
        slug=playbook.slug,
        asked_by=request.asked_by,
        decided_by=request.decided_by or "",
        changes=[bar.BarChange.from_json(c).words for c in request.changes],
        reason=why_of(request),
        effective=_effective(request.effective_from),
        gates=words,
        gates_step=f"{first.move.step} ({first.move.from_mode} → {first.move.to_mode})",
    )
    shown = card(store, request, state, gates=words)
    messages = [
        awaiting.redrawn(request.card_key, f"held:{which}", request.card_channel, shown),
        Message(
            keys.to_audience(f"bar-held:{request.id}:{which}", playbook.owner_id),
            "chat.postMessage",
            playbook.owner_id,
            told,
        ),
    ]
    with store.unit_of_work() as uow:
        uow.governance.apply(Change(messages=messages), now)
        uow.commit()
