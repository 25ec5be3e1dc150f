"""What a tick reads before it knows what is due, and the report it makes.

Most ticks find nothing due: the clock runs one a minute, and a playbook's work falls on a
few slots a week. Such a tick costs only these reads, so they are few and share one
connection (a `Reading`: one taken from the pool and checked once): the settings it
needs, the playbooks the clock watches (three queries), every cursor, the digest's
included (one), the holidays near `at` (one) and the adopted playbooks (one). What is due
is then decided in memory (cadence/schedule.py); anything found due reads and writes more.
tests/usecases/test_quiet_tick.py holds a quiet tick to its count of statements.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from cadence.schedule import PlaybookClock, Slot
from cadence.state import Playbook, PlaybookState
from storage.cadence_log import Work
from storage.health import SLACK_ACCESS_LOST
from storage.store import CURATORS_CHANNEL, Store

HOLIDAYS_AROUND = timedelta(days=14)  # a tick plans within a week or so of `at`


@dataclass
class TickReport:
    counts: Counter = field(default_factory=Counter)  # (kind, status) -> units recorded by this tick
    unreachable: list[str] = field(default_factory=list)  # team channels Slack would not list
    work: list[Work] = field(default_factory=list)  # the units recorded, with their messages
    held: str | None = None  # Slack refuses the token: person-facing work waits (its reason)

    def add(self, work: list[Work], recorded: set[str]) -> None:
        for w in work:
            if w.key in recorded:
                self.counts[(w.kind, w.status)] += 1
                self.work.append(w)

    def summary(self) -> str:
        done = ", ".join(f"{n} {kind} {status}" for (kind, status), n in sorted(self.counts.items()))
        waiting = f"nudges and DMs wait: Slack refuses the token ({self.held})" if self.held else ""
        return "; ".join(part for part in (done, waiting) if part) or "nothing due"


@dataclass(frozen=True)
class TickReads:
    lost: str | None  # why Slack refuses the bot's token; None while it accepts it
    curators_channel: str | None
    states: list[PlaybookState]  # the playbooks the clock watches (store.playbooks.clock_states)
    cursors: dict[int, dict[str, date]]  # per playbook, the latest week recorded per kind
    org_cursors: dict[str, date]  # per kind of no playbook's work (the digest), the latest week
    holidays: frozenset[date]
    adopters: list[Playbook]  # every adopted playbook (usecases/learned_back.py)
    owed: list[int]  # the playbooks owed the readiness notice (usecases/readiness_news.py)


def read(store: Store, at: datetime) -> TickReads:
    """Everything a tick reads before it plans: eight statements on one connection."""
    today = at.date()
    with store.reading() as together:
        settings = together.org.settings([SLACK_ACCESS_LOST, CURATORS_CHANNEL])
        states = together.playbooks.clock_states()
        cursors, org_cursors = together.cadence_log.latest_weeks()
        holidays = together.org.holidays(today - HOLIDAYS_AROUND, today + HOLIDAYS_AROUND)
        adopters: list[Playbook] = list(together.registry.every_adopter())
        owed = together.cadence_log.readiness_owed()
    lost, channel = settings.get(SLACK_ACCESS_LOST), settings.get(CURATORS_CHANNEL)
    return TickReads(
        lost=lost.value if lost is not None and store.health.holds(lost) else None,  # not another token's hold
        curators_channel=channel.value if channel else None,
        states=states,
        cursors=cursors,
        org_cursors=org_cursors,
        holidays=frozenset(holidays),
        adopters=adopters,
        owed=owed,
    )


def playbook_clock(state: PlaybookState, holidays: frozenset[date] = frozenset()) -> PlaybookClock:
    return PlaybookClock(
        playbook_id=state.playbook.id,
        timezone=state.playbook.timezone,
        anchor=state.running(),
        grace_hours=state.settings.grace_hours,
        stale_after_hours=state.settings.stale_after_hours,
        nudge=Slot.parse(state.settings.nudge_at),
        checkin=Slot.parse(state.settings.checkin_at),
        reminder=Slot.parse(state.settings.reminder_at),
        holidays=holidays,
    )
