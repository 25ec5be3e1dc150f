"""The exception queue's section (docs/usage.md, "The exception queue"; usecases/shared/queue.py):
each step's open items, the oldest first with their reasons and why an item was escalated
(only for the owner and the curators, roles.sees_names), on status and the web page, and
on the page every item's moves."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, TypedDict

from cadence.state import PlaybookState
from storage.exception_items import ItemEvent
from templates import tables
from templates.tables import Table
from usecases.sections.base import PagePart, Reading, StatusPart
from usecases.shared import queue
from usecases.shared.caller import Caller

STATUS_ITEMS = 5  # the oldest open exception items status shows of each step, with their reasons


@dataclass(frozen=True)
class ItemMove:
    """A move of an exception item; its reason and note only for the owner and the curators."""

    at: datetime
    item: str
    source: str | None
    step: str | None
    logged_at: datetime
    logged_by: str
    reason: str | None
    state: str
    note: str | None
    by: str


@dataclass(frozen=True)
class OnPage:
    queue: list[dict[str, object]]
    moves: list[ItemMove]


class QueueStatus(TypedDict):
    queue: list[dict[str, object]]  # each step's open items (usecases/shared/queue.py, by_step)


class QueuePage(TypedDict):
    queue: list[dict[str, object]]  # each step's open items (usecases/shared/queue.py, per_step)
    item_moves: list[dict[str, object]]  # every item's moves (ItemMove's fields)


def _item_shown(item: dict[str, Any], full: bool) -> dict[str, Any]:
    """An open item as the page and its CSV show it: its reason, and why it was escalated,
    only for the owner and the curators."""
    if full:
        return item
    escalated = item["escalated"]
    return dict(item, reason=None, escalated=dict(escalated, why=None) if escalated else None)


def _moves(state: PlaybookState, moves: list[ItemEvent], full: bool) -> list[ItemMove]:
    steps = {s.id: s.name for s in state.steps}
    return [
        ItemMove(
            at=m.at,
            item=m.item.key,
            source=m.item.source,
            step=steps.get(m.item.step_id or 0),
            logged_at=m.item.logged_at,
            logged_by=m.item.logged_by,
            reason=m.item.reason if full else None,
            state=m.state,
            note=m.note if full else None,
            by=m.by,
        )
        for m in moves
    ]


class QueueSection(StatusPart[list[dict[str, object]], QueueStatus], PagePart[OnPage, QueuePage]):
    name = "queue"

    def status(
        self, caller: Caller, reading: Reading, states: list[PlaybookState]
    ) -> dict[int, list[dict[str, object]]]:
        return {s.playbook.id: queue.by_step(reading.store, s, reading.now, STATUS_ITEMS) for s in states}

    def status_words(self, state: PlaybookState, model: list[dict[str, object]]) -> QueueStatus:
        return QueueStatus(queue=model)

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, OnPage]:
        """Its open items by step, and every item's moves; what only the owner and the
        curators read (reading.full) left out for the others."""
        items = queue.open_items(reading.store, states, reading.now)
        found = {}
        for s in states:
            pid, full = s.playbook.id, reading.full.get(s.playbook.id, False)
            shown = queue.per_step(s, [_item_shown(i, full) for i in items[pid]])
            found[pid] = OnPage(shown, _moves(s, reading.store.exception_items.events_of(pid), full))
        return found

    def page_words(self, state: PlaybookState, model: OnPage) -> QueuePage:
        return QueuePage(queue=model.queue, item_moves=[asdict(m) for m in model.moves])

    def page_tables(self, words: QueuePage, people: Mapping[str, str]) -> dict[str, Table]:
        return tables.queue_tables(words.get("queue", []), words.get("item_moves", []), dict(people))


SECTION = QueueSection()
