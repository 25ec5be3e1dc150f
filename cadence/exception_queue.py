"""The exception queue (docs/playbooks.md, "The exception queue"): every logged exception and every
member's deviation is an item, open until someone answers for it.

    open → acknowledged → resolved (with a note) or accepted (a known case, with a note)

An acknowledged item is still open; resolved and accepted are final. An item's age
counts from when it was logged. Plain data and rules; who may move an item is the
application's (usecases/exception_queue.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cadence import keys

OPEN = "open"
ACKNOWLEDGED = "acknowledged"
RESOLVED = "resolved"
ACCEPTED = "accepted"
CLOSED = (RESOLVED, ACCEPTED)
MOVES = (ACKNOWLEDGED, RESOLVED, ACCEPTED)
WITH_NOTE = (RESOLVED, ACCEPTED)  # a move to these needs a note

OVERDUE_DAYS = 14  # readiness (8): no item open longer than this
SHOWN = 10  # the Monday DM and the App Home list at most this many, oldest first


@dataclass(frozen=True)
class Item:
    source: str  # exception | deviation
    report_id: int
    playbook_id: int
    step_id: int | None
    reason: str | None  # the exception's reason, or the deviation's note
    logged_by: str
    logged_at: datetime
    state: str = OPEN
    moves: int = 0  # how many moves it has had (the next one is number moves + 1)
    withdrawn: bool = False  # its report was withdrawn (undo): so is the item

    @property
    def key(self) -> str:
        return keys.exception_item(self.source, self.report_id)

    @property
    def is_open(self) -> bool:
        return self.state not in CLOSED and not self.withdrawn

    def age_days(self, now: datetime) -> int:
        """Whole days since it was logged."""
        return max(0, (now - self.logged_at).days)


def refused_move(item: Item, to: str) -> str | None:
    """Why `item` cannot move to `to` (a refusal's key), or None if it can: acknowledged
    only from open; resolved or accepted from open or acknowledged; nothing from a
    withdrawn item or a final state."""
    if to not in MOVES:
        return "item_unknown_move"
    if item.withdrawn:
        return "item_withdrawn"
    if item.state in CLOSED:
        return "item_closed"
    if to == ACKNOWLEDGED and item.state == ACKNOWLEDGED:
        return "item_acknowledged"
    return None


def oldest_first(items: list[Item]) -> list[Item]:
    return sorted(items, key=lambda i: (i.logged_at, i.source, i.report_id))


def overdue(items: list[Item], now: datetime, days: int = OVERDUE_DAYS) -> list[Item]:
    """The open items logged more than `days` days before `now`, oldest first."""
    return oldest_first([i for i in items if i.is_open and (now - i.logged_at).total_seconds() > days * 86400])
