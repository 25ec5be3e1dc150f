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
- exception_items: the exception queue's items and their moves.
- webhooks (storage/webhooks.py): the receivers of decisions and their own outbox; its
  secrets sealed with `secret_key` (ROLLOUT_SECRET_KEY) when given.

A store built with `dry_run` keeps nothing its tick records (governance's closes, the
cadence log's work) and says so (`dry_run`), for `rollout tick --dry-run`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storage.api_tokens import ApiTokens
from storage.cadence_log import CadenceLog
from storage.champions import Champions
from storage.db import Bind, engine_of
from storage.depth import Depth
from storage.exception_items import ExceptionItems
from storage.governance import Governance
from storage.governance_rows import decision_columns, shallow_columns
from storage.health import Health
from storage.learnings import Learnings
from storage.made import MadePlaybooks
from storage.membership import Memberships
from storage.outbox import Outbox
from storage.people import People
from storage.playbooks import CURATORS_CHANNEL, Conflict, LoadOutcome, Playbooks, PlaybookState
from storage.readouts import Readouts
from storage.registry import Registry, RequestDecided, RequestPending, WaveFull
from storage.replay import Claim, Claimed
from storage.request_keys import RequestKeys
from storage.roles import RolesAndSettings
from storage.source_fetches import SourceFetches
from storage.value_counts import ValueCounts
from storage.web_logins import WebLogins
from storage.webhooks import Webhooks
from storage.weekly_reports import REPORTS, KeyReused, Report, WeekClosed, WeeklyReports, same_report

if TYPE_CHECKING:
    from storage.uow import Reading, UnitOfWork

__all__ = [
    "CURATORS_CHANNEL",
    "REPORTS",
    "Conflict",
    "KeyReused",
    "LoadOutcome",
    "PlaybookState",
    "Report",
    "RequestDecided",
    "RequestPending",
    "Store",
    "WaveFull",
    "WeekClosed",
    "decision_columns",
    "same_report",
    "shallow_columns",
]


class Store:
    def __init__(
        self, engine: Bind, dry_run: bool = False, secret_key: str | None = None, slack_token: str | None = None
    ):
        self.bind, self.engine = engine, engine_of(engine)
        self.dry_run, self.secret_key, self.slack_token = dry_run, secret_key, slack_token
        self.playbooks = Playbooks(engine)
        self.reports = WeeklyReports(engine)
        self.learnings = Learnings(engine)
        self.tokens = ApiTokens(engine)
        self.web_logins = WebLogins(engine)
        self.org = RolesAndSettings(engine)
        self.request_keys = RequestKeys(engine)
        self.health = Health(engine, slack_token)  # whose holds are this token's (not an old token's)
        self.people = People(engine)
        self.governance = Governance(engine, dry_run=dry_run)
        self.registry = Registry(engine)
        self.champions = Champions(engine)  # adopting teams' champions and their checklists
        self.readouts = Readouts(engine)
        self.depth = Depth(engine)
        self.outbox = Outbox(engine)
        self.cadence_log = CadenceLog(engine, dry_run=dry_run)
        self.memberships = Memberships(engine)
        self.sources = SourceFetches(engine)  # what the clock asked each source (storage/source_fetches.py)
        self.webhooks = Webhooks(engine, secret_key)
        self.value = ValueCounts(engine)  # the value measure's events and heroics (storage/value_counts.py)
        self.made = MadePlaybooks(engine)  # playbooks made and revised in Slack (storage/made.py)
        self.exception_items = ExceptionItems(engine)  # the exception queue (storage/exception_items.py)

    def for_request(self, claim: Claim) -> Store:
        """This store on behalf of one request: every transaction it opens, and every unit
        of work opened on it (storage/uow.py), records the request's claim with its first
        write (storage/replay.py). Made by the edge for each request it hands a use case."""
        return Store(Claimed(self.engine, claim), self.dry_run, self.secret_key, self.slack_token)

    def unit_of_work(self) -> UnitOfWork:
        """One transaction over every area, which the use case commits (storage/uow.py)."""
        from storage.uow import UnitOfWork  # a Store itself: it can only be imported after this

        return UnitOfWork(self)

    def reading(self) -> Reading:
        """Reads sharing one connection, outside a transaction (storage/uow.py)."""
        from storage.uow import Reading

        return Reading(self)

    @property
    def claim(self) -> Claim | None:
        """The request this store works for, if any (for_request)."""
        return self.bind.claim if isinstance(self.bind, Claimed) else None
