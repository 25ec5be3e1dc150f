"""The exception queue (docs/playbooks.md, "The exception queue"): moving an item (the buttons of
the Monday DM and of the App Home, and the note form of Resolve… and Accept…), and the
Monday DM itself."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cadence import exception_queue, keys
from cadence.change import Change, Message
from cadence.exception_queue import Item
from cadence.state import PlaybookState
from storage.exception_items import Moved
from storage.store import Store
from templates import notices
from templates.refusals import Refusal
from usecases import home
from usecases.shared.caller import Caller
from usecases.shared.queue import exception_owner, may_move, open_heads, shown
from usecases.shared.roles import user


@dataclass(frozen=True)
class Target:
    """The item a button or form is about, and its playbook."""

    item: Item
    state: PlaybookState


def target(caller: Caller, value: object) -> Target:
    """The item a button's value names, if the caller may move it: refused otherwise,
    before any form opens."""
    read = keys.read_exception_item(value)
    item = caller.store.exception_items.item(*read) if read else None
    state = caller.store.playbooks.state_by_id(item.playbook_id) if item else None
    if item is None or state is None:
        raise Refusal.of("item_gone")
    if not may_move(caller.store, state, caller.user_id):
        raise Refusal.of(
            "item_not_yours",
            slug=state.playbook.slug,
            exception_owner=user(exception_owner(state)),
            owner=user(state.playbook.owner_id),
        )
    return Target(item, state)


def form_for(caller: Caller, value: object, to: str) -> dict[str, Any]:
    """What the note form of Resolve… or Accept… shows; refused as a move would be."""
    found = target(caller, value)
    _refuse_move(found.item, to)
    return dict(
        to=to,
        metadata=f"{to}|{found.item.key}",
        item=shown(found.state, found.item, caller.now),
        slug=found.state.playbook.slug,
    )


def move(caller: Caller, value: object, to: str, note: str | None, dm: dict[str, Any] | None = None) -> Target:
    """Move an item (acknowledged; resolved or accepted with a note), with who and when.
    Every refusal leaves nothing written. Then the Monday DM it came from (`dm`: its
    channel and ts, if it came from one) shows the items open now, and the mover's App
    Home is built again."""
    found = target(caller, value)
    _refuse_move(found.item, to)
    note = (note or "").strip() or None
    if to in exception_queue.WITH_NOTE and note is None:
        raise Refusal.of("item_note")
    try:
        write_move(caller, found.item, to, note, [])
    except Moved as err:
        if str(err) == "withdrawn":
            raise Refusal.of("item_withdrawn") from None
        raise Refusal.of("item_moved") from None
    _after(caller, found.state, dm or {})
    return found


def write_move(caller: Caller, item: Item, to: str, note: str | None, messages: list[Message]) -> None:
    """The item's move by the caller, with its messages, in one unit of work. Raises
    Moved (storage/exception_items.py), out of the unit of work, which leaves nothing
    written, if someone moved it a moment ago or its report was withdrawn."""
    with caller.store.unit_of_work() as uow:
        uow.exception_items.move(item, to, note, caller.user_id, caller.now)
        uow.governance.apply(Change(messages=messages), caller.now)
        uow.commit()


def _after(caller: Caller, state: PlaybookState, dm: dict[str, Any]) -> None:
    messages = []
    if dm.get("channel") and dm.get("ts"):
        shown = monday_messages(caller.store, [state], caller.now)[state.playbook.id]
        if shown is None:
            shown = notices.exception_queue_clear(slug=state.playbook.slug, title=state.playbook.title)
        update = Message(keys.dm_update(uuid.uuid4().hex), "chat.update", dm["channel"], {"ts": dm["ts"], **shown})
        messages.append(update)
    refresh = home.refresh(caller.store, caller.user_id, caller.now)
    if refresh is not None:
        messages.append(refresh)
    if messages:  # built once the move is made: a Home that can't be built leaves it standing
        with caller.store.unit_of_work() as uow:
            uow.governance.apply(Change(messages=messages), caller.now)
            uow.commit()


def _refuse_move(item: Item, to: str) -> None:
    match exception_queue.refused_move(item, to):
        case "item_unknown_move":
            raise Refusal.of("item_unknown_move", to=to)
        case "item_withdrawn":
            raise Refusal.of("item_withdrawn")
        case "item_closed":
            raise Refusal.of("item_closed", state=item.state)
        case "item_acknowledged":
            raise Refusal.of("item_acknowledged")


def monday_messages(store: Store, states: list[PlaybookState], now: datetime) -> dict[int, dict[str, Any] | None]:
    """Each playbook's Monday DM to its exception owner: its open items, oldest first, at
    most 10 with a pointer to the rest; None for a playbook with nothing open."""
    heads, counts = open_heads(store, states, now)
    messages: dict[int, dict[str, Any] | None] = {}
    for state in states:
        total = counts[state.playbook.id]
        messages[state.playbook.id] = (
            notices.exception_queue(
                slug=state.playbook.slug,
                title=state.playbook.title,
                items=heads[state.playbook.id],
                more=max(0, total - exception_queue.SHOWN),
                total=total,
            )
            if total
            else None
        )
    return messages
