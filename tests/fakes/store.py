"""A Store in memory: the repositories the use cases call, under the Store's attribute
names, and the unit of work (cosmicpython's FakeUnitOfWork): `with store.unit_of_work() as
uow:` writes into a copy of what is held, kept by `uow.commit()` (`uow.committed`),
dropped on leaving the block otherwise. A repository's method called outside a unit of
work keeps what it writes at once, as the real one's own transaction does.

The areas are in modules of their own: playbooks.py, reports.py, governance.py,
registry.py, learnings.py, teams.py (champions, calibrations, input checks, readouts),
queue.py (exception items, escalations); the small ones are here."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date, datetime
from types import TracebackType
from typing import Any, Self

from cadence.decisions import Decision
from storage.governance_rows import decision_columns
from storage.models.reports import Learning
from storage.outbox import Message
from storage.store import PlaybookState
from tests.fakes.governance import FakeGovernance, GovernanceData
from tests.fakes.learnings import FakeLearnings
from tests.fakes.playbooks import FakePlaybooks, next_id
from tests.fakes.registry import FakeRegistry, RegistryData
from tests.fakes.reports import FakeReports, ReportsData


@dataclass
class Held:
    """Everything the fake database holds. A write replaces what it changes (a new
    PlaybookState, a new model object: tests/fakes/playbooks.py's `clone`) and never
    changes a held object in place, so a unit of work's copy is its own."""

    states: dict[str, PlaybookState] = field(default_factory=dict)  # by slug
    reports: ReportsData = field(default_factory=ReportsData)
    governance: GovernanceData = field(default_factory=GovernanceData)
    registry: RegistryData = field(default_factory=RegistryData)
    learnings: list[Learning] = field(default_factory=list)
    fetches: list[dict[str, Any]] = field(default_factory=list)  # sources.record's rows
    decisions: list[dict[str, Any]] = field(default_factory=list)  # decision rows (decision_columns), oldest first
    curators: set[str] = field(default_factory=set)
    settings: dict[str, str] = field(default_factory=dict)
    holidays: dict[date, str] = field(default_factory=dict)
    away: dict[str, tuple[date, date]] = field(default_factory=dict)
    deactivated: set[str] = field(default_factory=set)  # people Slack calls deactivated
    outbox: list[Message] = field(default_factory=list)  # one a key, as enqueued
    requests: dict[tuple[int, datetime], int] = field(default_factory=dict)  # token, second: requests
    used: dict[int, datetime] = field(default_factory=dict)  # token: last use noted

    def copy(self) -> Held:
        """What a unit of work writes into."""
        made = copy.copy(self)
        for name in ("reports", "governance", "registry"):
            setattr(made, name, getattr(self, name).copy())
        for name in ("learnings", "fetches", "decisions", "outbox"):
            setattr(made, name, list(getattr(self, name)))
        for name in ("curators", "deactivated"):
            setattr(made, name, set(getattr(self, name)))
        for name in ("states", "settings", "holidays", "away", "requests", "used"):
            setattr(made, name, dict(getattr(self, name)))
        return made

    # ---- what the fakes' writes share ----

    def put(self, state: PlaybookState) -> None:
        """`state` held in place of its playbook's (under its slug now)."""
        for slug, held in list(self.states.items()):
            if held.playbook.id == state.playbook.id:
                del self.states[slug]
        self.states[state.playbook.slug] = state

    def decide(self, decisions: list[Decision], at: datetime) -> None:
        """Decision rows, as storage writes them (decision_columns), each with an id."""
        self.decisions += [{"id": next_id(), **decision_columns(d, at)} for d in decisions]

    def enqueue(self, messages: list[Message], at: datetime) -> set[str]:
        """Messages into the outbox, keys already there left alone (storage/outbox.py,
        enqueue_in): the keys enqueued now."""
        keys = {m.key for m in self.outbox}
        added = set()
        for message in messages:
            if message.key not in keys:
                self.outbox.append(message)
                keys.add(message.key)
                added.add(message.key)
        return added

    def sent(self, channel: str | None = None) -> list[Message]:
        """The outbox's messages (to `channel` if given), in order (for tests)."""
        return [m for m in self.outbox if channel is None or m.channel == channel]


class FakeOrg:
    def __init__(self, held: Held):
        self.held = held

    def is_curator(self, user_id: str) -> bool:
        return user_id in self.held.curators

    def add_curator(self, user_id: str, by: str, at: datetime) -> bool:
        added = user_id not in self.held.curators
        self.held.curators.add(user_id)
        return added

    def remove_curator(self, user_id: str, by: str, at: datetime) -> bool:
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

    def remove_holiday(self, day: date, by: str, at: datetime) -> bool:
        return self.held.holidays.pop(day, None) is not None

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


class FakeOutbox:
    def __init__(self, held: Held):
        self.held = held

    def enqueue(self, messages: list[Message], at: datetime) -> set[str]:
        """The messages kept, a key already enqueued left alone: the keys enqueued now."""
        return self.held.enqueue(messages, at)


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
        self.registry = FakeRegistry(held)
        self.learnings = FakeLearnings(held)
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
