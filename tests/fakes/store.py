"""A Store in memory: the repositories the recording use cases and the caller's lookups
use, under the Store's attribute names, and the unit of work (cosmicpython's
FakeUnitOfWork): `with store.unit_of_work() as uow:` writes into a copy of what is held,
kept by `uow.commit()` (`uow.committed`), dropped on leaving the block otherwise. A
repository's method called outside a unit of work keeps what it writes at once, as the
real one's own transaction does."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date, datetime
from types import TracebackType
from typing import Any, Self

from storage.governance_rows import Change, decision_columns
from storage.store import PlaybookState
from tests.fakes.reports import FakeReports, ReportsData


@dataclass
class Held:
    """Everything the fake database holds."""

    states: dict[str, PlaybookState] = field(default_factory=dict)
    reports: ReportsData = field(default_factory=ReportsData)
    fetches: list[dict[str, Any]] = field(default_factory=list)  # sources.record's rows
    decisions: list[dict[str, Any]] = field(default_factory=list)  # governance.add_decisions' rows
    curators: set[str] = field(default_factory=set)
    settings: dict[str, str] = field(default_factory=dict)
    holidays: dict[date, str] = field(default_factory=dict)
    away: dict[str, tuple[date, date]] = field(default_factory=dict)
    outbox: list[Any] = field(default_factory=list)
    requests: dict[tuple[int, datetime], int] = field(default_factory=dict)  # token, second: requests
    used: dict[int, datetime] = field(default_factory=dict)  # token: last use noted

    def copy(self) -> Held:
        """What a unit of work writes into: the playbooks themselves are shared (nothing here writes them)."""
        made = copy.copy(self)
        made.reports = self.reports.copy()
        for name in ("fetches", "decisions", "outbox"):
            setattr(made, name, list(getattr(self, name)))
        made.curators = set(self.curators)
        for name in ("settings", "holidays", "away", "requests", "used"):
            setattr(made, name, dict(getattr(self, name)))
        return made


class FakePlaybooks:
    def __init__(self, held: Held):
        self.held = held

    def state(self, slug: str) -> PlaybookState | None:
        return self.held.states.get(slug)

    def state_by_id(self, playbook_id: int) -> PlaybookState | None:
        return next((s for s in self.held.states.values() if s.playbook.id == playbook_id), None)

    def slugs(self) -> list[str]:
        return sorted(self.held.states)

    def states(self, channel_id: str | None = None) -> list[PlaybookState]:
        return [s for s in self.held.states.values() if channel_id is None or s.playbook.channel_id == channel_id]

    def active_states(self) -> list[PlaybookState]:
        return [s for s in self.held.states.values() if s.playbook.status == "active"]

    def of_person(self, user_id: str) -> list[PlaybookState]:
        """The playbooks `user_id` owns, champions or checked in for (not: was asked to
        check in for, or owns the exception queue of: the fake keeps no cadence jobs)."""
        answered = {r.values["playbook_id"] for r in self.held.reports.rows if r.kind == "checkin" and r.by == user_id}
        return [
            s
            for s in self.held.states.values()
            if user_id in (s.playbook.owner_id, s.playbook.champion_id) or s.playbook.id in answered
        ]

    def removed_steps(self, playbook_id: int) -> list[Any]:
        return []


class FakeOrg:
    def __init__(self, held: Held):
        self.held = held

    def is_curator(self, user_id: str) -> bool:
        return user_id in self.held.curators

    def add_curator(self, user_id: str, by: str, at: datetime) -> bool:
        added = user_id not in self.held.curators
        self.held.curators.add(user_id)
        return added

    def remove_curator(self, user_id: str) -> bool:
        removed = user_id in self.held.curators
        self.held.curators.discard(user_id)
        return removed

    def set_setting(self, key: str, value: str, by: str, at: datetime) -> None:
        self.held.settings[key] = value

    def setting(self, key: str) -> str | None:
        return self.held.settings.get(key)

    def add_holiday(self, day: date, name: str, by: str, at: datetime) -> bool:
        if day in self.held.holidays:
            return False
        self.held.holidays[day] = name
        return True

    def remove_holiday(self, day: date) -> str | None:
        return self.held.holidays.pop(day, None)

    def holidays(self, first: date, last: date) -> dict[date, str]:
        return {d: n for d, n in sorted(self.held.holidays.items()) if first <= d <= last}


class FakePeople:
    def __init__(self, held: Held):
        self.held = held

    def set_away(self, user_id: str, first: date, last: date, at: datetime) -> None:
        self.held.away[user_id] = (first, last)

    def clear_away(self, user_id: str, at: datetime) -> date | None:
        gone = self.held.away.pop(user_id, None)
        return gone[1] if gone else None


class FakeSources:
    def __init__(self, held: Held):
        self.held = held

    def record(self, rows: list[dict[str, Any]]) -> None:
        self.held.fetches.extend(rows)


class FakeGovernance:
    def __init__(self, held: Held):
        self.held = held

    def add_decisions(self, rows: list[dict[str, Any]]) -> None:
        self.held.decisions.extend(rows)

    def apply(self, change: Change, at: datetime) -> bool:
        """A person's decision: its decision rows and its messages (no proposal is moved)."""
        self.held.decisions.extend(decision_columns(d, at) for d in change.decisions)
        self.held.outbox.extend(change.messages)
        return True


class FakeLearnings:
    """No learnings: undo weighs none against the reports."""

    def newest(self, playbook_id: int, user_id: str) -> None:
        return None


class FakeOutbox:
    def __init__(self, held: Held):
        self.held = held

    def enqueue(self, messages: list[Any], at: datetime) -> None:
        self.held.outbox.extend(messages)


class FakeTokens:
    def __init__(self, held: Held):
        self.held = held

    def count_request(self, token_id: int, at: datetime) -> int:
        second = (token_id, at.replace(microsecond=0))
        self.held.requests[second] = self.held.requests.get(second, 0) + 1
        return self.held.requests[second]

    def mark_used(self, token_id: int, at: datetime) -> None:
        self.held.used[token_id] = at


class FakeStore:
    """The Store's areas over `held` (one Held for the store and the units of work on it)."""

    dry_run = False
    claim = None

    def __init__(self, *states: PlaybookState, held: Held | None = None):
        self.held = held if held is not None else Held()
        for state in states:
            self.held.states[state.playbook.slug] = state
        self._bind(self.held)
        self.units: list[FakeUnitOfWork] = []  # every unit of work opened, in order

    def _bind(self, held: Held) -> None:
        self.playbooks = FakePlaybooks(held)
        self.reports = FakeReports(held.reports, self._closed_through)
        self.org = FakeOrg(held)
        self.people = FakePeople(held)
        self.sources = FakeSources(held)
        self.governance = FakeGovernance(held)
        self.learnings = FakeLearnings()
        self.outbox = FakeOutbox(held)
        self.tokens = FakeTokens(held)

    def _closed_through(self, playbook_id: int) -> date | None:
        state = self.playbooks.state_by_id(playbook_id)
        return state.playbook.closed_through if state is not None else None

    def for_request(self, claim: Any) -> FakeStore:
        return self

    def unit_of_work(self) -> FakeUnitOfWork:
        unit = FakeUnitOfWork(self)
        self.units.append(unit)
        return unit

    def reading(self) -> FakeReading:
        return FakeReading(self)

    def commits(self) -> int:
        """How many times units of work opened on this store were committed."""
        return sum(unit.commits for unit in self.units)


class FakeUnitOfWork(FakeStore):
    """Writes into a copy of the store's Held; `commit()` makes it the store's."""

    def __init__(self, store: FakeStore):  # the repositories are bound when the block opens
        self._of = store
        self.committed = False
        self.commits = 0

    def __enter__(self) -> Self:
        self.held = self._of.held.copy()
        self._bind(self.held)
        return self

    def commit(self) -> None:
        self.committed = True
        self.commits += 1
        store = self._of
        store.held.__dict__.update(self.held.__dict__)
        store._bind(store.held)
        self.held = store.held.copy()  # what follows in the block is its own again
        self._bind(self.held)

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.held = Held()  # what was not committed is gone
        self._bind(self.held)


class FakeReading(FakeStore):
    """Reads of what the store holds (a Reading is no place for writes that must go together)."""

    def __init__(self, store: FakeStore):
        self._of = store

    def __enter__(self) -> Self:
        self.held = self._of.held
        self._bind(self.held)
        self._closed_through = self._of._closed_through  # type: ignore[method-assign]
        return self

    def __exit__(self, *exc: object) -> None:
        return None
