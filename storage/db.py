"""Engines and units of work."""

from __future__ import annotations

import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session, create_engine

from storage import replay


def normalise_database_url(url: str) -> str:
    """Accept the URLs hosting platforms hand out and use psycopg 3 for PostgreSQL."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


SQLITE_BUSY_SECONDS = 30  # how long a writer waits for SQLite's lock before it fails
SQLITE_POOL_SIZE = 16  # connections kept open per process: at least the server's threads
# A commit that leaves the write-ahead log past this many pages copies the log into the
# database file there and then (a checkpoint). SQLite's default, kept for requests: each
# pays now and then for a small one. A week close defers its own (defer_checkpoint).
SQLITE_CHECKPOINT_PAGES = 1_000


def make_engine(url: str) -> Engine:
    url = normalise_database_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        # The HTTP server is threaded; SQLite connections are used by one thread at a time
        # through the pool. A writer waits up to 30 s for the lock instead of failing. The
        # pool keeps a connection for each of the server's threads (8 by default, and
        # more than SQLAlchemy's 5): one made anew per request costs more than the request.
        engine = create_engine(
            url,
            connect_args={
                "check_same_thread": False,
                "timeout": SQLITE_BUSY_SECONDS,
                "factory": _writers_in_turn(threading.Lock()),
            },
            pool_size=SQLITE_POOL_SIZE,
            max_overflow=SQLITE_POOL_SIZE,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL keeps the database consistent through any crash and only
            # risks the last commits on power loss; FULL would fsync every commit.
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
            cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_CHECKPOINT_PAGES}")
            cursor.close()

        @event.listens_for(engine, "checkin")
        def _checkpoints_again(dbapi_connection, record):  # pragma: no cover - trivial
            if record.info.pop(_DEFERRED, False):
                dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={SQLITE_CHECKPOINT_PAGES}")

        return engine
    engine = create_engine(url, pool_size=10, max_overflow=10)
    _ping_when_idle(engine)
    return engine


# The statements before which SQLite's driver begins a transaction (Python 3.11's
# sqlite3, in its default, legacy transaction control): a transaction's first write.
_BEGINS_A_WRITE = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _writers_in_turn(turn: threading.Lock) -> type[sqlite3.Connection]:
    """SQLite connections whose writers take turns in this process, by `turn`.

    SQLite has one write lock. A writer that finds it taken sleeps in the busy handler, in
    steps that grow to 100 ms, and tries again; under load it can lose the race again and
    again, and its request waits many times a write's length (undo's p99 was 4.5x its
    p50). So a connection queues for `turn` before its transaction's first write and
    leaves the queue at its commit or rollback: this process's writers take SQLite's lock
    one after another, none of them asleep. Writers in other processes (the clock, a
    second web worker) still meet the busy handler. Waiting for `turn` has the busy
    handler's limit, after which the write goes ahead and SQLite decides."""

    class Cursor(sqlite3.Cursor):
        connection: WritersInTurn

        def execute(self, sql: str, parameters: Any = (), /) -> Cursor:
            self.connection.queue_for(sql)
            try:
                return super().execute(sql, parameters)
            finally:
                self.connection.leave_unless_writing()

        def executemany(self, sql: str, seq_of_parameters: Any, /) -> Cursor:
            self.connection.queue_for(sql)
            try:
                return super().executemany(sql, seq_of_parameters)
            finally:
                self.connection.leave_unless_writing()

    class WritersInTurn(sqlite3.Connection):
        has_turn = False

        def queue_for(self, sql: str) -> None:
            if not self.has_turn and not self.in_transaction and sql.lstrip()[:7].upper().startswith(_BEGINS_A_WRITE):
                self.has_turn = turn.acquire(timeout=SQLITE_BUSY_SECONDS)

        def leave_unless_writing(self) -> None:
            if self.has_turn and not self.in_transaction:
                self.has_turn = False
                turn.release()

        def cursor(self, factory: Any = Cursor) -> Any:  # Connection.execute comes here too
            return super().cursor(factory)

        def commit(self) -> None:
            try:
                super().commit()
            finally:
                self.leave_unless_writing()

        def rollback(self) -> None:
            try:
                super().rollback()
            finally:
                self.leave_unless_writing()

        def close(self) -> None:
            try:
                super().close()
            finally:
                if self.has_turn:
                    self.has_turn = False
                    turn.release()

    return WritersInTurn


_DEFERRED = "rollout_checkpoint_deferred"


def defer_checkpoint(connection: Connection) -> None:
    """SQLite: this transaction's commit leaves its pages in the write-ahead log, however
    many, for the clock's checkpoint after the tick (checkpoint below). A week close of
    1,000 playbooks writes 7,000 pages, and copying them into the database file inside
    its commit was 0.3 s of the close (0.1 s with 8 weeks of history: fewer index pages
    are touched, so it was the close's growth with history). The connection checkpoints
    as usual again once back in the pool. Nothing to do on PostgreSQL."""
    if connection.dialect.name != "sqlite":
        return
    connection.exec_driver_sql("PRAGMA wal_autocheckpoint=0")
    connection.connection.info[_DEFERRED] = True


def checkpoint(engine: Engine) -> None:
    """SQLite: copy what the write-ahead log holds into the database file, as far as no
    reader still needs it (PASSIVE: it waits for nobody, and nobody waits for it). The
    clock runs it after each tick, for what a close deferred (defer_checkpoint).
    PostgreSQL checkpoints by itself: nothing to do."""
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")


PING_AFTER_IDLE_SECONDS = 1.0


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection before use only if it sat idle in the pool for a while.
    A connection handed back a moment ago was alive a moment ago; pinging it anyway (the
    pool's pre_ping) costs every request a round trip. One that sat idle may have been cut
    (a server restart, a proxy's timeout): it is pinged, and replaced if it fails. A
    connection cut mid-request is found by the error and the whole pool is renewed."""

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < PING_AFTER_IDLE_SECONDS:
            return
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
            dbapi_connection.rollback()  # leave it as the pool gave it: outside a transaction
        except Exception as err:
            raise DisconnectionError(f"a pooled connection did not answer: {err}") from err


@contextmanager
def unit_of_work(engine: Engine, commit: bool = True) -> Iterator[Session]:
    """One transaction: committed if the block finishes, rolled back if it raises.
    Objects stay readable after the commit (expire_on_commit=False). With commit=False
    it is always rolled back: a rehearsal (`rollout tick --dry-run`) that learns what
    the database would have accepted and keeps nothing."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            if commit:
                claim = replay.record(session)  # the request's keys, with its first write
                session.commit()
                if claim is not None:
                    claim.recorded = True
            else:
                session.rollback()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """One transaction on a Core connection, for writes too frequent for the ORM: as
    unit_of_work, committed if the block finishes and rolled back if it raises.
    On SQLite inside held_connection, on the request's held connection: its reads are
    outside any transaction until the first write, so a `/rollout kpi` reads its
    playbook's revision and writes its report on one checkout from the pool."""
    with for_a_transaction(engine) as connection:
        try:
            yield connection
            claim = replay.record(connection)
            connection.commit()
            if claim is not None:
                claim.recorded = True
        except BaseException:
            connection.rollback()
            raise


@contextmanager
def for_a_transaction(engine: Engine) -> Iterator[Connection]:
    """A connection to run one transaction on: the request's held one on SQLite (given
    back with the request's), else one of the pool's for this block. PostgreSQL's held
    connection reads in autocommit and cannot hold a transaction. Begun here: statements
    run through the driver (storage/driver.py) do not begin one, and the commit must
    find it."""
    if engine.dialect.name == "sqlite" and _held.get() is not None:
        with autocommit_connection(engine) as connection:
            if not connection.in_transaction():
                connection.begin()
            yield connection
        return
    with engine.connect() as connection:
        connection.begin()
        yield connection


_AUTOCOMMIT: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def autocommit(engine: Engine) -> Engine:
    """`engine` for reads outside any transaction (same pool). SQLite's driver already
    reads outside a transaction until the first write, and switching its isolation level
    on every checkout costs more than it saves: there, the engine itself."""
    if engine.dialect.name == "sqlite":
        return engine
    reads = _AUTOCOMMIT.get(engine)
    if reads is None:
        reads = _AUTOCOMMIT[engine] = engine.execution_options(isolation_level="AUTOCOMMIT")
    return reads


# The connections a request holds for its reads, by engine (see held_connection).
_held: ContextVar[dict[Engine, Connection] | None] = ContextVar("rollout_held_connection", default=None)


@contextmanager
def held_connection() -> Iterator[None]:
    """For one request: its statements outside a transaction (its reads, and the writes
    that commit themselves) share one pooled connection per engine, taken at the first
    and given back here, at the end. A `/rollout kpi` reads
    the playbook's revision and then, on PostgreSQL, writes in a statement that commits
    itself: one checkout where there were two, each of which set the connection's
    isolation level on the way out of the pool and reset it on the way back."""
    held: dict[Engine, Connection] = {}
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
        for connection in held.values():
            connection.close()


@contextmanager
def autocommit_connection(engine: Engine) -> Iterator[Connection]:
    """A connection outside any transaction (autocommit): the request's held one inside
    held_connection, else one of the pool's for this block."""
    held = _held.get()
    if held is None:
        with autocommit(engine).connect() as connection:
            yield connection
        return
    kept = held.get(engine)
    if kept is None or kept.closed or kept.invalidated:
        kept = held[engine] = autocommit(engine).connect()
    yield kept


@contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """For reads only: a session outside a transaction, so a read costs its statements and
    nothing more (no BEGIN and COMMIT round trips on PostgreSQL). Each statement sees the
    database as of its start, as each statement of a READ COMMITTED transaction does, and
    nothing is written here (the request's replay keys wait for a unit of work). Inside
    held_connection, on the request's held connection."""
    with autocommit_connection(engine) as connection, Session(connection, expire_on_commit=False) as session:
        yield session
