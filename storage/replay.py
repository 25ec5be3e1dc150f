"""Each request is processed once, at the cost of no transaction of its own.

A request's keys (its signature, Slack's event id: cadence.keys) go into `seen_request`,
whose unique key decides between a first request and a repeat of it. For a request
that writes, they are recorded in the same transaction as its first write, just before
that commits: a repeat's INSERT finds its key taken, the transaction rolls back, and
nothing is written twice. The common request, `/rollout kpi`, so pays for one
transaction where it paid for two.

The edge makes each request's `Claim` (bot/app.py), says which keys it carries (`defer`)
and hands it to what works for the request: the unit of work a use case opens records it
(storage/store.py), as does every transaction of a store bound to it (`Claimed`,
Store.for_request), and the Slack client before an effect (RequestKeys.record). A request
that wrote nothing is settled by the bot afterwards (RequestKeys.first_time). The clock,
the CLI and tests of storage work without one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NoReturn

from sqlalchemy import Connection
from sqlalchemy.engine import Engine
from sqlmodel import Session

from storage.bulk import insert_new
from storage.models import table_of
from storage.models.bookkeeping import SeenRequest


class Repeated(Exception):
    """This request was handled before (a replay, or Slack's retry): answer nothing."""


@dataclass
class Claim:
    """The keys of the request being handled, and whether they are recorded yet."""

    keys: list[str] = field(default_factory=list)
    at: datetime | None = None
    recorded: bool = False
    repeated: bool = False  # a key was seen before: the request is a repeat
    # Keys recorded with the request's first write and only then: a form's view (its id
    # and hash), which Slack sends again as it was after a refusal on a field, so a view
    # that stored nothing must stay free for its corrected submission.
    with_write: list[str] = field(default_factory=list)
    written: bool = False  # with_write is recorded
    # A unit of work of this request has taken its keys and not yet committed: any other
    # transaction of the request would wait on them for ever, so it is refused (`record`).
    held: bool = False

    @property
    def pending(self) -> bool:
        return bool(self.keys) and not self.recorded and not self.repeated

    def defer(self, keys: list[str], at: datetime) -> None:
        """The request carries `keys`: record them with its first write."""
        self.keys, self.at = list(keys), at

    def defer_to_write(self, keys: list[str], at: datetime) -> None:
        """The request carries `keys` to record with its first write, and never without
        one (`with_write`): a view submitted again after it stored something is a repeat;
        one refused on a field may come back as it was, corrected."""
        self.with_write, self.at = list(keys), self.at or at


@dataclass(frozen=True)
class Claimed:
    """An engine worked on for a request: each transaction on it records the request's
    claim with its first write (storage.db.unit_of_work; a store's, Store.for_request)."""

    engine: Engine
    claim: Claim


@dataclass
class Taken:
    """What `record` inserted in a transaction: marked on its claim once that commits."""

    claim: Claim
    keys: bool
    with_write: bool

    def committed(self) -> None:
        self.claim.recorded = self.claim.recorded or self.keys
        self.claim.written = self.claim.written or self.with_write


def record(bind: Session | Connection, claim: Claim) -> Taken | None:
    """In a transaction about to do a request's work: record the request's keys in it, once per
    request, and its with_write keys (a form's view) with them. Raises Repeated if one was
    seen before (the caller rolls back). Returns what it took, for the caller to mark
    committed once the commit succeeded."""
    refuse_if_held(claim)
    if claim.repeated:
        return None
    keys = [] if claim.recorded else claim.keys
    with_write = [] if claim.written else claim.with_write
    if not keys and not with_write:
        return None
    if not insert_keys(bind, keys + with_write, claim.at):
        repeated(claim)
    return Taken(claim, bool(keys), bool(with_write))


def refuse_if_held(claim: Claim) -> None:
    """A write, or a Slack call with an effect, beside this request's open unit of work
    (Claim.held): a mistake that would wait for ever on PostgreSQL, refused at once."""
    if claim.held:
        raise RuntimeError("a write beside this request's open unit of work: write through it, or after its commit")


def repeated(claim: Claim) -> NoReturn:
    """A key of this claim was seen before: the request is a repeat."""
    claim.repeated = True
    raise Repeated(", ".join(claim.keys + claim.with_write))


def insert_keys(bind: Session | Connection, keys: list[str], at: datetime | None) -> bool:
    """Insert request keys in the caller's transaction; False if any was seen before (the
    caller then rolls back). The unique key decides, so racing repeats cannot both pass."""
    return len(insert_new(bind, table_of(SeenRequest), [{"key": key, "seen_at": at} for key in keys])) == len(keys)
