"""A Store in memory: the repositories the use cases call, under the Store's attribute
names, and the unit of work (cosmicpython's FakeUnitOfWork): `with store.unit_of_work() as
uow:` writes into a copy of what is held, kept by `uow.commit()` (`uow.committed`),
dropped on leaving the block otherwise. A repository's method called outside a unit of
work keeps what it writes at once, for a test's scene (the real one refuses a write outside a
unit of work: a test writes its scene with tests/committed.py there).

The areas are in modules of their own (listed in tests/fakes/__init__.py); the small
ones (sources, outbox, tokens) are here."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from types import SimpleNamespace, TracebackType
from typing import Any, Self

from cadence import state as domain
from cadence.change import Message
from cadence.decisions import Decision
from cadence.escalation import Escalation
from cadence.licenses import SeatWeek
from cadence.pulled import Asked
from cadence.pulse import Answer
from cadence.state import PlaybookState
from cadence.usage import TeamWeek
from storage.assessments import Carried, newest_before
from storage.cadence_log import Work, job_row
from storage.governance_rows import decision_columns
from storage.models.access import ApiToken
from storage.models.bookkeeping import CadenceJob, OutboxMessage
from storage.models.boundaries import OutOfScopeCount
from storage.models.calibration import CalibrationRun
from storage.models.governance import BarRequest, PublishRequest
from storage.models.playbooks import ChecklistMark
from storage.models.reports import ExceptionItemEvent, InputCheckResult, Learning, SourceFetch
from storage.models.webhooks import Webhook
from storage.store import Conflict
from storage.usage import PullState
from tests.fakes.bars import FakeBarRequests, FakeDepth, FakePublishRequests
from tests.fakes.clock import FakeCadenceLog, FakeHealth, FakeRequestKeys, FakeWebhooks, FakeWebLogins
from tests.fakes.governance import FakeGovernance, GovernanceData
from tests.fakes.learnings import FakeLearnings
from tests.fakes.org import FakeOrg, FakePeople
from tests.fakes.playbooks import FakeMade, FakePlaybooks, clone, next_id
from tests.fakes.queue import FakeEscalations, FakeExceptionItems
from tests.fakes.registry import FakeRegistry, RegistryData
from tests.fakes.reports import FakeReports, ReportsData
from tests.fakes.teams import (
    FakeCalibrations,
    FakeChampions,
    FakeFormTimes,
    FakeInputChecks,
    FakeOutOfScope,
    FakePulses,
    FakeReadouts,
    FakeTeamLoads,
)
from tests.fakes.usage import FakeUsage
from tests.fakes.value import FakeValueCounts


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
    names: dict[str, tuple[str | None, str | None, datetime]] = field(default_factory=dict)  # display, real, when
    channel_names: dict[str, tuple[str | None, datetime]] = field(default_factory=dict)  # name, when asked
    tokens: dict[str, ApiToken] = field(default_factory=dict)  # the reporting API's, by hash
    bar_requests: dict[int, BarRequest] = field(default_factory=dict)
    publish_requests: dict[int, PublishRequest] = field(default_factory=dict)
    webhooks: dict[str, Webhook] = field(default_factory=dict)  # by name
    webhook_tests: list[tuple[str, int, datetime]] = field(default_factory=list)  # event id, webhook id, when
    requests: dict[tuple[int, datetime], int] = field(default_factory=dict)  # token, second: requests
    used: dict[int, datetime] = field(default_factory=dict)  # token: last use noted
    item_events: list[ExceptionItemEvent] = field(default_factory=list)  # the exception queue's moves
    escalations: list[Escalation] = field(default_factory=list)
    marks: list[ChecklistMark] = field(default_factory=list)  # champions' checklists
    calibrations: list[CalibrationRun] = field(default_factory=list)
    out_of_scope: list[OutOfScopeCount] = field(default_factory=list)  # steps' out-of-scope counts
    # view: user, playbook (None: names none), opened, sent
    forms: dict[str, tuple[str, int | None, datetime, datetime | None]] = field(default_factory=dict)
    said: dict[int, tuple[int, bool, str, datetime]] = field(default_factory=dict)  # setup said, by playbook
    pulse_keys: dict[tuple[int, int], str] = field(default_factory=dict)  # (playbook, cycle): its key, while open
    pulse_answers: dict[tuple[int, int, str], Answer] = field(default_factory=dict)  # (playbook, cycle, voter)
    checks: list[InputCheckResult] = field(default_factory=list)  # input checks' results
    usage_weeks: dict[tuple[str, str, date], TeamWeek] = field(default_factory=dict)  # (channel, tool, week): counts
    usage_pulls: dict[str, PullState] = field(default_factory=dict)  # usage source: its pulls
    usage_logins: dict[tuple[str, str], str] = field(default_factory=dict)  # (tool, login): Slack user
    usage_seats: dict[tuple[str, date, str], SeatWeek] = field(default_factory=dict)  # (tool, week, function): seats
    jobs: list[CadenceJob] = field(default_factory=list)  # the cadence log: units of work recorded
    owed: set[int] = field(default_factory=set)  # playbooks owed the readiness notice (migration 0063)
    settings_at: dict[str, tuple[str, datetime]] = field(default_factory=dict)  # setting: who set it, when
    delivery: dict[str, tuple[str, datetime, str | None]] = field(default_factory=dict)  # key: status, enqueued, error
    seen: dict[str, datetime] = field(default_factory=dict)  # request keys handled, when
    links: dict[str, tuple[str, datetime, datetime | None]] = field(default_factory=dict)  # web: user, expiry, used
    sessions: dict[str, tuple[str, datetime]] = field(default_factory=dict)  # web: user, expiry
    removed_steps: list[domain.Step] = field(default_factory=list)  # taken out of a definition: retired_at set (put)

    def copy(self) -> Held:
        """What a unit of work writes into: each part copied (its own copy() for the
        areas' data, a shallow one for lists, sets and dicts: what they hold is replaced,
        never changed in place)."""
        return Held(**{f.name: getattr(self, f.name).copy() for f in fields(self)})

    # ---- what the fakes' writes share ----

    def put(self, state: PlaybookState) -> None:
        """`state` held in place of its playbook's (under its slug now). A step it no longer
        has is retired at the playbook's `updated_at`, as storage/playbook_definitions.py's load_one
        retires a step taken out of the definition (its row and history stay)."""
        for slug, held in list(self.states.items()):
            if held.playbook.id == state.playbook.id:
                kept = {step.id for step in state.steps}
                gone = [clone(step, retired_at=state.playbook.updated_at) for step in held.steps if step.id not in kept]
                self.removed_steps = [s for s in self.removed_steps if s.id not in kept] + gone
                del self.states[slug]
        self.states[state.playbook.slug] = state

    def decide(self, decisions: list[Decision], at: datetime) -> None:
        """Decision rows, as storage writes them (decision_columns), each with an id."""
        self.decisions += [{"id": next_id(), **decision_columns(d, at)} for d in decisions]

    def enqueue(self, messages: list[Message], at: datetime) -> set[str]:
        """Messages into the outbox, keys already there left alone (storage/outbox.py,
        enqueue_in): the keys enqueued now."""
        added = set()
        for message in messages:
            if message.key not in self.delivery:
                self.outbox.append(message)
                self.delivery[message.key] = ("pending", at, None)
                added.add(message.key)
        return added

    def record_jobs(self, work: list[Work], at: datetime) -> set[str]:
        """Cadence jobs of the work whose key is new (storage/cadence_log.py): their keys."""
        known = {job.key for job in self.jobs}
        new = [w for w in work if w.key not in known]
        self.jobs += [CadenceJob(id=next_id(), **job_row(w, at)) for w in new]
        return {w.key for w in new}

    def sent(self, channel: str | None = None) -> list[Message]:
        """The outbox's messages (to `channel` if given), in order (for tests)."""
        return [m for m in self.outbox if channel is None or m.channel == channel]


class FakeSources:
    """What the clock asked each source (`held.fetches`: sources.record's rows, with ids)."""

    def __init__(self, held: Held):
        self.held = held

    def record(self, rows: list[dict[str, Any]]) -> None:
        self.held.fetches.extend({"id": next_id(), **row} for row in rows)

    def _fetches(self) -> list[SourceFetch]:
        return [SourceFetch(**row) for row in self.held.fetches]

    def of_playbook(self, playbook_id: int, first: date | None = None) -> list[SourceFetch]:
        return [f for f in self._fetches() if f.playbook_id == playbook_id and (first is None or f.week_start >= first)]

    def failures(self, weeks: list[tuple[int, date]]) -> dict[tuple[int, date], dict[str, str]]:
        found: dict[tuple[int, date], dict[str, str]] = {}
        settled = set()
        for f in self._fetches():
            if (f.playbook_id, f.week_start) not in weeks:
                continue
            if f.outcome == "failed":
                found.setdefault((f.playbook_id, f.week_start), {})[f.number] = f.error or ""
            else:
                settled.add((f.playbook_id, f.week_start, f.number))
        return {key: {n: e for n, e in errors.items() if (*key, n) not in settled} for key, errors in found.items()}

    def asked(self, weeks: list[date]) -> dict[tuple[int, date, str], Asked]:
        found: dict[tuple[int, date, str], Asked] = {}
        for f in self._fetches():
            if f.week_start in weeks:
                key, failed = (f.playbook_id, f.week_start, f.number), f.outcome == "failed"
                before = found.get(key, Asked(f.fetched_at, False, 0))
                found[key] = Asked(
                    max(before.last_at, f.fetched_at), before.settled or not failed, before.failures + failed
                )
        return found


class FakeOutbox:
    """The messages enqueued (`held.outbox`) and how each stands (`held.delivery`)."""

    def __init__(self, held: Held):
        self.held = held

    def enqueue(self, messages: list[Message], at: datetime) -> set[str]:
        """The messages kept, a key already enqueued left alone: the keys enqueued now."""
        return self.held.enqueue(messages, at)

    def fail_undeliverable(self, channel: str, error: str, now: datetime, since: datetime) -> list[OutboxMessage]:
        """The channel's pending messages failed, returned with those that failed since `since`."""
        failed = []
        for message in self.held.outbox:
            if message.channel != channel:
                continue
            status, at, why = self.held.delivery[message.key]
            if status == "pending":
                status, why = "failed", f"{error} (the channel was lost)"
                self.held.delivery[message.key] = (status, at, why)
            if status == "failed" and at >= since:
                failed.append(
                    OutboxMessage(
                        key=message.key,
                        method=message.method,
                        channel=message.channel,
                        payload=message.payload,
                        status=status,
                        attempts=0,
                        created_at=at,
                        available_at=at,
                        error=why,
                    )
                )
        return failed


class FakeTokens:
    def __init__(self, held: Held):
        self.held = held

    def count_request(self, token_id: int, at: datetime) -> int:
        second = (token_id, at.replace(microsecond=0))
        self.held.requests[second] = self.held.requests.get(second, 0) + 1
        return self.held.requests[second]

    def mark_used(self, token_id: int, at: datetime) -> None:
        self.held.used[token_id] = at

    def add(self, token: ApiToken) -> ApiToken:
        """A new token, with an id. Conflict if a token (revoked or not) has its name."""
        if any(t.name == token.name for t in self.held.tokens.values()):
            raise Conflict(f"a token named {token.name} exists")
        added = ApiToken(**{**token.model_dump(), "id": next_id()})
        self.held.tokens[added.token_hash] = added
        return added

    def revoke(self, name: str, at: datetime) -> bool:
        """The token named `name` revoked; False if there is none in use (a compare-and-set)."""
        for key, token in self.held.tokens.items():
            if token.name == name and token.revoked_at is None:
                self.held.tokens[key] = ApiToken(**{**token.model_dump(), "revoked_at": at})
                return True
        return False

    def by_hash(self, token_hash: str) -> ApiToken | None:
        """The token, unless revoked."""
        token = self.held.tokens.get(token_hash)
        return token if token is not None and token.revoked_at is None else None


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
        self.exception_items = FakeExceptionItems(held)
        self.escalations = FakeEscalations(held, in_unit=isinstance(self, FakeUnitOfWork))
        self.champions = FakeChampions(held)
        self.calibrations = FakeCalibrations(held)
        self.pulses = FakePulses(held)
        self.team_loads = FakeTeamLoads(held)
        self.form_times = FakeFormTimes(held)
        self.usage = FakeUsage(held)
        self.input_checks = FakeInputChecks(held)
        self.out_of_scope = FakeOutOfScope(held)
        self.readouts = FakeReadouts(held)
        self.cadence_log = FakeCadenceLog(held)
        self.health = FakeHealth(held)
        self.request_keys = FakeRequestKeys(held)
        self.web_logins = FakeWebLogins(held)
        self.bar_requests = FakeBarRequests(held)
        self.publish_requests = FakePublishRequests(held)
        self.depth = FakeDepth(held)
        self.webhooks = FakeWebhooks(held)
        self.made = FakeMade(held)
        self.value = FakeValueCounts(held)
        self.assessments = FakeAssessments(held)

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
        return sum(unit.commits for unit in self.units)  # type: ignore[misc]  # each unit's count

    # usecases/bus.py takes a use case's turn on the engine's dialect: none here, as on PostgreSQL
    engine = SimpleNamespace(dialect=SimpleNamespace(name="fake"))


class FakeUnitOfWork(FakeStore):
    """Writes into a copy of the store's Held; `commit()` makes it the store's."""

    def __init__(self, store: FakeStore):  # the repositories are bound when the block opens
        self._of = store
        self.committed = False
        self.commits = 0  # type: ignore[assignment,method-assign]  # how many times this one committed

    def __enter__(self) -> Self:
        self.held = self._of.held.copy()
        self._bind(self.held)
        return self

    def commit(self) -> None:
        self.committed = True
        self.commits += 1  # type: ignore[assignment,method-assign,operator]
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


class FakeAssessments:
    """storage/assessments.py's read over the decisions held."""

    def __init__(self, held: Held):
        self.held = held

    def carried(self, versions: list[tuple[int, int, datetime]]) -> dict[int, Carried | None]:
        rows = [
            (d["playbook_id"], d["decided_at"], d["figures"]) for d in self.held.decisions if d["kind"] == "assessed"
        ]
        return newest_before(rows, versions)
