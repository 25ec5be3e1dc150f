"""The exception queue's shared work (docs/playbooks.md, "The exception queue"): who owns a
playbook's queue, and its open items as the messages, the App Home, status, the web view
and the readiness criterion show them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from cadence import exception_queue
from cadence.escalation import CLOCK, Escalation
from cadence.exception_queue import Item
from cadence.state import PlaybookState
from storage.store import Store


def exception_owner(state: PlaybookState) -> str:
    """`exception_owner` of the playbook's YAML, else its owner. An adopted playbook's is
    its own owner: the version's definition names the origin's people."""
    if state.playbook.adopted_from_id is not None:
        return state.playbook.owner_id
    return state.spec.exception_owner or state.playbook.owner_id


def may_move(store: Store, state: PlaybookState, user_id: str) -> bool:
    """The exception owner, the owner and the curators move a playbook's items."""
    playbook = state.playbook
    return user_id in (exception_owner(state), playbook.owner_id) or store.org.is_curator(user_id)


def shown(state: PlaybookState, item: Item, now: datetime, escalation: Escalation | None = None) -> dict[str, Any]:
    """An item as the templates show it (its reason is a person's text: escaped there),
    with its escalation if it is escalated now (cadence/escalation.py)."""
    step = next((s.name for s in state.steps if s.id == item.step_id), "?")
    escalated = None
    if escalation is not None and escalation.current(item):
        by_clock = escalation.by == CLOCK
        escalated = dict(
            at=escalation.at,
            on=escalation.at.strftime("%Y-%m-%d %H:%M UTC"),
            why=escalation.reason,
            by=None if by_clock else escalation.by,
        )
    return dict(
        escalated=escalated,
        key=item.key,
        source=item.source,
        step=step,
        reason=item.reason or "",
        logged_by=item.logged_by,
        logged_on=item.logged_at.date().isoformat(),
        age=item.age_days(now),
        state=item.state,
        acknowledged=item.state == exception_queue.ACKNOWLEDGED,
    )


def open_items(store: Store, states: list[PlaybookState], now: datetime) -> dict[int, list[dict[str, Any]]]:
    """Each playbook's open items, oldest first, as shown: one read for all of them."""
    by_id = {s.playbook.id: s for s in states}
    items: dict[int, list[dict[str, Any]]] = {pid: [] for pid in by_id}
    found = store.exception_items.open_of(list(by_id))
    escalations = escalations_of(store, found)
    for item in found:
        items[item.playbook_id].append(shown(by_id[item.playbook_id], item, now, escalations.get(item.key)))
    return items


def open_heads(
    store: Store, states: list[PlaybookState], now: datetime
) -> tuple[dict[int, list[dict[str, Any]]], dict[int, int]]:
    """Each playbook's 10 oldest open items, as shown, and how many it has open."""
    by_id = {s.playbook.id: s for s in states}
    heads, counts = store.exception_items.open_heads(list(by_id), exception_queue.SHOWN)
    escalations = escalations_of(store, [i for found in heads.values() for i in found])
    shown_heads = {
        pid: [shown(by_id[pid], i, now, escalations.get(i.key)) for i in found] for pid, found in heads.items()
    }
    return shown_heads, counts


def by_step(store: Store, state: PlaybookState, now: datetime, each: int) -> list[dict[str, Any]]:
    """A playbook's open items by step, in the playbook's step order (steps without any
    left out): how many, how many acknowledged, and the `each` oldest as shown."""
    found = store.exception_items.open_by_step(state.playbook.id, each)
    escalations = escalations_of(store, [i for heads, _, _ in found.values() for i in heads])
    return [
        dict(
            step=step.name,
            count=n,
            acknowledged=acked,
            open=[shown(state, i, now, escalations.get(i.key)) for i in heads],
        )
        for step in state.steps
        if step.id in found
        for heads, n, acked in [found[step.id]]
    ]


def escalations_of(store: Store, items: list[Item]) -> dict[str, Escalation]:
    """Item key → its escalation, for those of these items escalated now: one read, none
    without items."""
    if not items:
        return {}
    found = store.escalations.current_of(sorted({i.playbook_id for i in items}))
    return {i.key: e for i in items if (e := found.get((i.source, i.report_id))) is not None and e.current(i)}


def per_step(state: PlaybookState, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The open items grouped by step, in the playbook's step order (steps without any left out)."""
    return [
        dict(step=step.name, open=[i for i in items if i["step"] == step.name])
        for step in state.steps
        if any(i["step"] == step.name for i in items)
    ]


def overdue(items: list[Item], now: datetime) -> tuple[int, int]:
    """Readiness (8): how many open items are older than 14 days, and the oldest's age."""
    late = exception_queue.overdue(items, now)
    return len(late), (late[0].age_days(now) if late else 0)
