"""The database as the rest of the bot sees it: a `Store` holds one repository per area,
each a class of its own module with a method per question or change (one unit of work a
method). The wiring builds it once from an engine (bot/startup.py, open_store); use cases
reach an area through it, as `store.playbooks.state(slug)`:

- playbooks (storage/playbooks.py): playbooks and their life (states, definitions,
  cycles); champions (storage/champions.py): champions and their checklists' marks;
- reports (storage/weekly_reports.py): the reports people make each week, undo, a week's figures;
- learnings, tokens (storage/api_tokens.py), web_logins, people (away, deactivated, and
  the names of people and channels as Slack last gave them);
- org (storage/roles.py): curators, settings, holidays;
- request_keys: the keys of requests handled (storage/replay.py);
- health: the clock's heartbeat, the database's answer, whether Slack takes the token;
- governance: verdicts, proposals, mode changes, cycle results; registry: published
  versions, requests to adopt them, adoptions and their adopters;
- readouts: the digest's, the web view's and the export's reads across reports;
- depth (storage/depth.py): cases, modes and people per closed week, over months;
- outbox, cadence_log (the clock's units of work), memberships (team lists' changes);
- sources (storage/source_fetches.py): what the clock asked each source, and its answer.
- input_checks (storage/input_checks.py): each checked input's weekly result.
- out_of_scope (storage/boundaries.py): each step's weekly out-of-scope count.
- exception_items: the exception queue's items and their moves; escalations: those escalated.
- usage (storage/usage.py): the AI tools' usage counted per team, week and tool (counts
  only), each usage source's pulls, and the mapping file's logins.
- webhooks (storage/webhooks.py): the receivers of decisions and their own outbox; its
  secrets sealed with `secret_key` (ROLLOUT_SECRET_KEY) when given.

A store built with `dry_run` keeps nothing its units of work record (their commit does
nothing) and says so (`dry_run`), for `rollout tick --dry-run`. A repository's write joins
the unit of work it is called in and refuses outside one (storage/db.py, joined), except the
few that decide by their own commit, each saying why.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import ExitStack
from types import TracebackType
from typing import Generic, Self, TypeVar, overload

from sqlmodel import Session

from storage import replay
from storage.api_tokens import ApiTokens
from storage.assessments import Assessments
from storage.bar_requests import BarRequests
from storage.boundaries import OutOfScope
from storage.cadence_log import CadenceLog
from storage.calibration import Calibrations
from storage.champions import Champions
from storage.db import Bind, ReadSession, engine_of, writers_in_turn
from storage.depth import Depth
from storage.escalations import Escalations
from storage.exception_items import ExceptionItems
from storage.form_times import FormTimes
from storage.governance import Governance
from storage.governance_rows import decision_columns, shallow_columns
from storage.health import Health
from storage.input_checks import InputChecks
from storage.learnings import Learnings
from storage.made import MadePlaybooks
from storage.membership import Memberships
from storage.outbox import Outbox
from storage.people import People
from storage.playbook_definitions import LoadOutcome
from storage.playbooks import CURATORS_CHANNEL, Conflict, Playbooks
from storage.publish_requests import PublishRequests
from storage.pulse import Pulses
from storage.readouts import Readouts
from storage.registry import Registry, RequestDecided, RequestPending, WaveFull, WaveMarked
from storage.replay import Claim, Claimed
from storage.report_batches import KeyReused, WeekClosed, same_report
from storage.request_keys import RequestKeys
from storage.roles import RolesAndSettings
from storage.source_fetches import SourceFetches
from storage.team_load import TeamLoads
from storage.usage import Usage
from storage.value_counts import ValueCounts
from storage.web_logins import WebLogins
from storage.webhooks import Webhooks
from storage.weekly_reports import REPORTS, Report, WeeklyReports

__all__ = [
    "CURATORS_CHANNEL",
    "REPORTS",
    "Conflict",
    "KeyReused",
    "LoadOutcome",
    "Report",
    "RequestDecided",
    "RequestPending",
    "Store",
    "WaveFull",
    "WaveMarked",
    "WeekClosed",
    "decision_columns",
    "same_report",
    "shallow_columns",
]


A = TypeVar("A")


class _Area(Generic[A]):
    """One of the store's repositories, made when first asked for on a store and kept on it:
    a store is made for every request and every unit of work, and each uses two or three of
    its areas."""

    def __init__(self, make: Callable[..., A], *settings: str):
        self.make, self.settings = make, settings  # settings: the store's attributes it is made with, after the bind

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, store: None, owner: type) -> Self: ...
    @overload
    def __get__(self, store: Store, owner: type) -> A: ...
    def __get__(self, store: Store | None, owner: type) -> A | Self:
        if store is None:
            return self
        area = store.__dict__[self.name] = self.make(store.bind, *(getattr(store, a) for a in self.settings))
        return area


class Store:
    def __init__(
        self, engine: Bind, dry_run: bool = False, secret_key: str | None = None, slack_token: str | None = None
    ):
        self.bind, self.engine = engine, engine_of(engine)
        self.dry_run, self.secret_key, self.slack_token = dry_run, secret_key, slack_token

    playbooks = _Area(Playbooks)
    reports = _Area(WeeklyReports)
    learnings = _Area(Learnings)
    tokens = _Area(ApiTokens)
    web_logins = _Area(WebLogins)
    org = _Area(RolesAndSettings)
    request_keys = _Area(RequestKeys)
    health = _Area(Health, "slack_token")  # whose holds are this token's (not an old token's)
    people = _Area(People)
    governance = _Area(Governance)
    registry = _Area(Registry)
    champions = _Area(Champions)  # adopting teams' champions and their checklists
    readouts = _Area(Readouts)
    depth = _Area(Depth)
    outbox = _Area(Outbox)
    cadence_log = _Area(CadenceLog)
    memberships = _Area(Memberships)
    sources = _Area(SourceFetches)  # what the clock asked each source (storage/source_fetches.py)
    input_checks = _Area(InputChecks)  # each checked input's weekly result (storage/input_checks.py)
    webhooks = _Area(Webhooks, "secret_key")
    value = _Area(ValueCounts)  # the value measure's events and heroics (storage/value_counts.py)
    made = _Area(MadePlaybooks)  # playbooks made and revised in Slack (storage/made.py)
    exception_items = _Area(ExceptionItems)  # the exception queue (storage/exception_items.py)
    escalations = _Area(Escalations)  # its items escalated (storage/escalations.py)
    bar_requests = _Area(BarRequests)  # changes to a bar waiting for a curator (storage/bar_requests.py)
    publish_requests = _Area(PublishRequests)  # publishing over readiness (storage/publish_requests.py)
    calibrations = _Area(Calibrations)  # calibration runs (storage/calibration.py)
    pulses = _Area(Pulses)  # the anonymous pulse's answers (storage/pulse.py)
    assessments = _Area(Assessments)  # the assessment a version carries (storage/assessments.py)
    out_of_scope = _Area(OutOfScope)  # steps' out-of-scope counts (storage/boundaries.py)
    team_loads = _Area(TeamLoads)  # a team's revisions counted (storage/team_load.py)
    form_times = _Area(FormTimes)  # forms opened and submitted: setup's active time (storage/form_times.py)
    usage = _Area(Usage)  # the AI tools' usage, counted per team and week; its pulls (storage/usage.py)

    def for_request(self, claim: Claim) -> Store:
        """This store on behalf of one request: every transaction it opens, and every unit
        of work opened on it (UnitOfWork), records the request's claim with its first
        write (storage/replay.py). Made by the edge for each request it hands a use case."""
        return Store(Claimed(self.engine, claim), self.dry_run, self.secret_key, self.slack_token)

    def unit_of_work(self) -> UnitOfWork:
        """One transaction over every area, which the use case commits (UnitOfWork, below)."""
        return UnitOfWork(self)

    def reading(self) -> Reading:
        """Reads sharing one connection, outside a transaction (UnitOfWork, below)."""
        return Reading(self)

    @property
    def claim(self) -> Claim | None:
        """The request this store works for, if any (for_request)."""
        bind = self.bind.outer if isinstance(self.bind, ReadSession) else self.bind
        return bind.claim if isinstance(bind, Claimed) else None


# ---- the unit of work a use case opens ----
#
# The unit of work a use case opens: one session, every repository bound to it, and
# `commit()` (cosmicpython's pattern). Inside it a repository's methods take part in the
# one transaction instead of each opening its own (storage.db.unit_of_work and `reading`
# given a session), so a use case combines the writes it needs without a storage method for
# each combination:
#
#     with caller.store.unit_of_work() as uow:
#         row = ...                               # read through uow.playbooks, uow.reports...
#         uow.reports.add_reports([row])
#         uow.commit()
#
# Nothing is kept unless `commit()` is called: leaving the block rolls back what was not
# committed, and a raise leaves nothing. On a store made for a request (Store.for_request)
# the request's replay keys go in with the first statement and are marked recorded at the
# commit (storage/replay.py). On SQLite the block holds the process's writer lock
# (storage.db.writers_in_turn). On a dry-run store `commit()` keeps nothing.
#
# `store.reading()` is the read-only kind: every read in the block on one pooled connection,
# outside a transaction (as storage.db.reading's), for a use case that reads many things
# (status, a page). A write asked of it is a transaction of its own, as outside the block
# (with the request's keys, on a request's store): it is no place for writes that must
# go together.


class UnitOfWork(Store):
    """One transaction over every repository of `store`'s areas (see above)."""

    def __init__(self, store: Store):  # the repositories are bound when the block opens
        if isinstance(store.bind, Session) and not isinstance(store.bind, ReadSession):
            raise TypeError("a unit of work inside a unit of work: write through the one open")
        self._of = store
        self._exits = ExitStack()
        self._taken: replay.Taken | None = None

    @property
    def claim(self) -> Claim | None:
        return self._of.claim

    def __enter__(self) -> Self:
        store = self._of
        try:
            self._exits.enter_context(writers_in_turn(store.engine))
            # Not reusable once closed: a read after the block fails rather than opening a
            # transaction that nothing ends.
            session = Session(store.engine, expire_on_commit=False, close_resets_only=False)
            self.session = self._exits.enter_context(session)
            super().__init__(self.session, store.dry_run, store.secret_key, store.slack_token)
            claim = store.claim
            if claim is not None:
                self._taken = replay.record(self.session, claim)
                # Its keys are taken and not yet committed: another transaction of this
                # request would wait for them forever (replay.record refuses it instead).
                claim.held = self._taken is not None
        except BaseException:
            self._exits.close()
            raise
        return self

    def commit(self) -> None:
        """Keep what the block wrote (not on a dry-run store), with the request's keys."""
        if self.dry_run:
            return
        self.session.commit()
        if self._taken is not None:
            self._taken.committed()
            self._taken.claim.held = False
            self._taken = None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._taken is not None:
            self._taken.claim.held = False  # rolled back below: the keys are free again
        try:
            self.session.rollback()  # what was not committed
        finally:
            self._exits.close()


class Reading(Store):
    """Reads sharing one pooled connection, in no transaction (see the module)."""

    def __init__(self, store: Store):
        self._of = store
        self._exits = ExitStack()

    def __enter__(self) -> Self:
        store = self._of
        outer = store.bind.outer if isinstance(store.bind, ReadSession) else store.bind
        if isinstance(outer, Session):  # a Reading in a unit of work: it reads what is committed
            outer = store.engine
        # Not reusable once closed: a read after the block fails rather than opening a
        # transaction (its connection no longer in AUTOCOMMIT) that nothing ends.
        session = self._exits.enter_context(ReadSession(outer, expire_on_commit=False, close_resets_only=False))
        if store.engine.dialect.name != "sqlite":
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        super().__init__(session, store.dry_run, store.secret_key, store.slack_token)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._exits.close()
