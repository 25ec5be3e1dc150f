"""Escalation with a clock (docs/playbooks.md, "Escalation with a clock"): an exception item
neither acknowledged nor closed `sla_hours` after it was logged is escalated, once; the
exception owner may escalate an open item sooner, saying why.

An escalation belongs to the state the item was in when it was made: it records how many
moves the item had (`after_move`). It is current while the item is still open with that
many moves and nobody acknowledged the escalation itself; a move (acknowledged, resolved,
accepted) ends it. One escalation per item and state: the clock's and a person's for an
item never moved are the same one. Plain data and rules; no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cadence.definition_handoff import HandoffSpec
from cadence.exception_queue import ACKNOWLEDGED, OPEN, Item

CLOCK = "clock"  # `by` of an escalation the clock made


@dataclass(frozen=True)
class Escalation:
    source: str
    report_id: int
    playbook_id: int
    after_move: int  # the item's moves when it was escalated
    at: datetime
    reason: str  # why: the SLA's words for the clock's, the person's note otherwise
    by: str  # a user id, or CLOCK
    cleared_at: datetime | None = None  # its own Acknowledge, for an item acknowledged before it
    cleared_by: str | None = None

    def current(self, item: Item) -> bool:
        """Whether `item` (as it stands now) is escalated by this escalation."""
        return item.is_open and item.moves == self.after_move and self.cleared_at is None


def deadline(item: Item, sla_hours: float) -> datetime:
    return item.logged_at + timedelta(hours=sla_hours)


def breached(item: Item, sla_hours: float, now: datetime) -> bool:
    """An item the clock escalates at `now`: never moved (neither acknowledged nor closed),
    not withdrawn, and its SLA run out (at the deadline itself, not a second before)."""
    return item.state == OPEN and item.moves == 0 and not item.withdrawn and now >= deadline(item, sla_hours)


def unresolved(item: Item, acknowledged_at: datetime, resolve_hours: float, now: datetime) -> bool:
    """An acknowledged item the clock escalates again at `now`: still open after its one
    move (the acknowledgement), not withdrawn, `resolve_hours` after it (at the deadline
    itself). Once: the escalation of that state is unique, as every one is."""
    return (
        item.state == ACKNOWLEDGED
        and item.moves == 1
        and not item.withdrawn
        and now >= acknowledged_at + timedelta(hours=resolve_hours)
    )


def still_open_words(acknowledged_at: datetime, now: datetime) -> str:
    """Why the clock escalates an acknowledged item again: "acknowledged 3 days ago, still open"."""
    hours = max(0, int((now - acknowledged_at).total_seconds() // 3600))
    days = hours // 24
    ago = f"{days} day{'s' if days != 1 else ''}" if days else f"{hours} hour{'s' if hours != 1 else ''}"
    return f"acknowledged {ago} ago, still open"


@dataclass(frozen=True)
class Escalated:
    """An open escalated item of a step, in the figures its fallback needs: when it was
    logged and, if it was, when acknowledged."""

    step_id: int
    logged_at: datetime
    acknowledged_at: datetime | None = None

    def waits(self, terms: HandoffSpec, now: datetime) -> bool:
        """Past its SLA and unanswered, or acknowledged and past `resolve_hours` (at the
        deadline itself)."""
        if self.acknowledged_at is None:
            return now >= self.logged_at + timedelta(hours=terms.sla_hours)
        return now >= self.acknowledged_at + timedelta(hours=terms.resolve_after)


def fallback_mode(mode: str, terms: HandoffSpec | None, escalated: list[Escalated], now: datetime) -> str | None:
    """Handoffs with a fallback: the mode a step runs in at `now` instead of its own, or None
    if its own. Only an ai-led step with handoff terms falls back, to their `fallback`
    (default collaborative), while any of its open escalated items (`escalated`) waits;
    a step already collaborative or human-led has no fallback to enter. Not a demotion: the
    step's mode stays what it is."""
    if mode != "ai-led" or terms is None:
        return None
    return terms.fallback_mode if any(e.waits(terms, now) for e in escalated) else None


def mode_words(mode: str, fallback: str | None) -> str:
    """A step's mode as the mode map, status and attestations show it: "collaborative
    (falling back from ai-led)" while it runs in its fallback mode."""
    return f"{fallback} (falling back from {mode})" if fallback else mode


def sla_words(sla_hours: float) -> str:
    """`24 h` as the messages say it."""
    return f"{sla_hours:g} h"


def age_words(item: Item, now: datetime) -> str:
    """An item's age as the escalation says it: days and hours, or hours and minutes."""
    seconds = max(0, int((now - item.logged_at).total_seconds()))
    days, hours, minutes = seconds // 86400, seconds % 86400 // 3600, seconds % 3600 // 60
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min"


__all__ = [
    "CLOCK",
    "Escalated",
    "Escalation",
    "age_words",
    "breached",
    "deadline",
    "fallback_mode",
    "mode_words",
    "sla_words",
    "still_open_words",
    "unresolved",
]
