"""The clock's units of work, recorded once with their messages: the work whose key no
earlier or concurrent tick recorded, and only its messages, in one unit of work. On a
dry-run store nothing is kept (`rollout tick --dry-run`)."""

from __future__ import annotations

from datetime import datetime

from cadence.change import Change
from storage.cadence_log import Work
from storage.store import Store


def record(store: Store, work: list[Work], at: datetime) -> set[str]:
    """Record `work` in a unit of work of its own; the keys recorded."""
    if not work:
        return set()
    with store.unit_of_work() as uow:
        recorded = claim(uow, work, at)
        uow.commit()
    return recorded


def claim(uow: Store, work: list[Work], at: datetime) -> set[str]:
    """Record `work` in the unit of work open, with the messages of what was recorded."""
    recorded = uow.cadence_log.claim(work, at)
    uow.governance.apply(Change(messages=[m for w in work if w.key in recorded for m in w.messages]), at)
    return recorded
