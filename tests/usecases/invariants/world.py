"""The invariants' machine's world (tests/usecases/invariants/): support-replies with
four steps (draft collaborative, send ai-led, refunds pinned human-led, triage human-led),
a calibration set, two curators and their channel, an admin and five people in the team
channel, the playbook's tool (copilot) covered by a usage source; on the fakes (`on_fakes`) or in a database (`in_database`). `Seen` is what the
oracle reads of it: the store's own reads where there is one, else the rows as written."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import yaml
from sqlmodel import Session, select

from cadence.definition_load import parse_playbook
from storage.db import make_engine
from storage.models.access import ApiToken
from storage.models.bookkeeping import OutboxMessage
from storage.models.governance import BarRequest, Decision, Proposal, PublishRequest
from storage.store import CURATORS_CHANNEL, Store
from tests import fakes
from tests.committed import committed, loaded
from tests.fakes import ADMIN, CHANNEL, CURATOR, MEMBER, OWNER
from tests.usecases.fast.listeners import Listeners
from tests.usecases.fast.ticking import Ticking
from usecases import usage
from usecases.shared.life import begin_cycle
from usecases.shared.services import Services
from usecases.tick import Cadence

SLUG = "support-replies"
CURATOR2 = "UCURATOR02"
CURATORS = "CCURATORS1"
MEMBERS = ("UMEMBER002", "UMEMBER003", "UMEMBER004")
PEOPLE = (OWNER, CURATOR, CURATOR2, ADMIN, MEMBER)
ANSWERERS = (OWNER, MEMBER, *MEMBERS)
FILE = "/srv/playbooks/support.yaml"
MODES = ("human-led", "collaborative", "ai-led")
# Where the machine starts: draft collaborative, send ai-led, refunds pinned human-led,
# triage human-led (unpinned); a calibration set of 40 cases, 10 of them messy.
STEPS = [
    {"name": "draft", "mode": "collaborative"},
    {"name": "send", "mode": "ai-led"},
    {"name": "refunds", "mode": "human-led", "pinned": True},
    {"name": "triage", "mode": "human-led"},
]
TOOL = "copilot"  # the playbook's declared tool, which a usage source covers (the `used` rule)
CALIBRATION = {"cases": 40, "messy": 10}  # messy cases enough for ai-led (messy_min 20%)
STEP_NAMES = tuple(s["name"] for s in STEPS)
CYCLE_START = date(2026, 11, 16)  # a Monday
START = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # Wednesday of week 1 of cycle 1
# The clock's three stops in a week: Wednesday 10:00 (reports), Thursday 12:00 (check-ins,
# the pulse opens in week 4), Monday 12:00 UTC (the week closed: Sunday midnight in Berlin
# plus 12 hours of grace is 11:00 UTC).
STOPS = (timedelta(days=0), timedelta(days=1, hours=2), timedelta(days=5, hours=2))
CURATOR_LIKE = (CURATOR, CURATOR2, ADMIN)
TOKEN = ApiToken(
    id=7,
    name="warehouse",
    token_hash="x",
    playbooks=None,
    kinds=["kpi", "cases", "rubric", "exception"],
    created_by=ADMIN,
)


# ---- what the store holds, read the same way whatever holds it ----


class Seen(ABC):
    """What the oracle reads: the playbook's state (the store's own read), the decision
    rows, bar change requests, proposals, registry versions and the messages posted."""

    def __init__(self, services: Services):
        self.services = services

    def state(self) -> Any:
        return self.services.store.playbooks.state(SLUG)

    def versions(self) -> list[Any]:
        return list(self.services.store.registry.versions())

    @abstractmethod
    def decisions(self) -> list[dict[str, Any]]:
        """The decision rows, oldest first, as dicts."""

    @abstractmethod
    def bar_requests(self) -> list[Any]:
        """The bar change requests, oldest first."""

    @abstractmethod
    def proposals(self) -> list[Any]:
        """The promotion and scale proposals."""

    @abstractmethod
    def publish_requests(self) -> list[Any]:
        """The requests to publish over readiness or a scale rule that never held."""

    @abstractmethod
    def posted(self) -> list[tuple[str | None, str, dict[str, Any]]]:
        """Each message the bot posted or updated: (channel, key, payload), in order."""


class SeenOnFakes(Seen):
    @property
    def held(self) -> Any:
        return fakes.store_of(self.services).held

    def decisions(self) -> list[dict[str, Any]]:
        return list(self.held.decisions)

    def bar_requests(self) -> list[Any]:
        return sorted(self.held.bar_requests.values(), key=lambda r: r.id)

    def proposals(self) -> list[Any]:
        return list(self.held.governance.proposals.values())

    def publish_requests(self) -> list[Any]:
        return sorted(self.held.publish_requests.values(), key=lambda r: r.id)

    def posted(self) -> list[tuple[str | None, str, dict[str, Any]]]:
        return [(m.channel, m.key, m.payload) for m in self.held.outbox]


@dataclass
class World:
    services: Services
    seen: Seen
    tick: Callable[[datetime], None]
    listeners: Listeners = field(init=False)

    def __post_init__(self) -> None:
        self.listeners = Listeners(self.services)

    @property
    def clock(self) -> Any:
        return self.services.clock


def initial_definition(calibration: bool) -> dict[str, Any]:
    return fakes.definition(steps=STEPS, calibration=CALIBRATION if calibration else None, tool=TOOL)


def with_usage(store: Any) -> None:
    """A usage source covering the playbook's tool: its weeks are checked against the
    counts the machine's `used` rule records (none: unknown, holding nothing)."""
    text = yaml.safe_dump({"usage": {TOOL: {"kind": "csv", "file": "/srv/usage/copilot.csv"}}})
    assert usage.load(store, text, {}, "cli:rollout", START) == []


def on_fakes(calibration: bool = True) -> World:
    state = fakes.a_playbook(
        steps=STEPS, cycle_started=CYCLE_START, tool=TOOL, **({"calibration": CALIBRATION} if calibration else {})
    )
    services = fakes.services(
        state,
        now=START,
        org_timezone="UTC",
        members=(OWNER, MEMBER, *MEMBERS),
        curators=(CURATOR, CURATOR2),
        admins=(ADMIN,),
    )
    fakes.store_of(services).held.settings[CURATORS_CHANNEL] = CURATORS
    with_usage(services.store)
    ticking = Ticking(services)
    return World(services, SeenOnFakes(services), lambda at: ticking.run(at) and None)


# ---- the same world on a database (SQLite: tests/usecases/test_invariants_machine_sqlite.py) ----


class SeenInDatabase(Seen):
    """The same reads as rows of the database's tables, in the order they were written."""

    def _rows(self, model: Any) -> list[Any]:
        with Session(self.services.store.engine) as session:
            return list(session.exec(select(model).order_by(model.id)).all())

    def decisions(self) -> list[dict[str, Any]]:
        return [row.model_dump() for row in self._rows(Decision)]

    def bar_requests(self) -> list[Any]:
        return self._rows(BarRequest)

    def proposals(self) -> list[Any]:
        return self._rows(Proposal)

    def publish_requests(self) -> list[Any]:
        return self._rows(PublishRequest)

    def posted(self) -> list[tuple[str | None, str, dict[str, Any]]]:
        return [(m.channel, m.key, m.payload) for m in self._rows(OutboxMessage)]


def in_database(url: str, calibration: bool = True) -> World:
    """The machine's world in the database at `url` (migrated and empty): the playbook
    loaded as `rollout playbook load` records it, its first cycle begun, two curators and
    their channel; the clock is usecases/tick.py's Cadence on it."""
    store = Store(make_engine(url))
    loaded(store, [parse_playbook(initial_definition(calibration))], "UTC", actor="test", at=START)
    state = store.playbooks.state(SLUG)
    begin_cycle(store, state.playbook.id, 1, CYCLE_START, OWNER, START)
    for curator in (CURATOR, CURATOR2):
        committed(store).org.add_curator(curator, ADMIN, START)
    committed(store).org.set_setting(CURATORS_CHANNEL, CURATORS, ADMIN, START)
    with_usage(store)
    clock = fakes.FixedClock(START)
    directory = fakes.FakeDirectory({CHANNEL: (OWNER, MEMBER, *MEMBERS)})
    services = Services(
        store=store, clock=clock, admins=frozenset({ADMIN}), org_timezone="UTC", directory=cast(Any, directory)
    )
    cadence = Cadence(store, cast(Any, None), cast(Any, directory), "UTC", clock, charts=False, admins=services.admins)

    def tick(at: datetime) -> None:
        clock.at = at
        cadence.tick(at)
        cadence.sources.run_due(at)

    return World(services, SeenInDatabase(services), tick)
