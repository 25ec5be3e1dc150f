"""Engines and units of work."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session, create_engine

from storage import replay


def normalise_database_url(url: str) -> str:
    """Accept the URLs hosting platforms hand out and use psycopg 3 for PostgreSQL."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


SQLITE_BUSY_SECONDS = 30  # how long a writer waits for SQLite's one write lock before it fails
POOL_SIZE = 10  # connections kept open per process: at least the HTTP server's threads


def make_engine(url: str) -> Engine:
    """The engine for `url`. A pooled connection is checked before use (pool_pre_ping),
    so one cut while idle (a server restart, a proxy's timeout) is replaced, not failed."""
    url = normalise_database_url(url)
    if make_url(url).get_backend_name() != "sqlite":
        return create_engine(url, pool_size=POOL_SIZE, max_overflow=POOL_SIZE, pool_pre_ping=True)
    # The HTTP server is threaded; a SQLite connection is used by one thread at a time
    # through the pool. A writer waits for the lock instead of failing.
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS},
        pool_size=POOL_SIZE,
        max_overflow=POOL_SIZE,
        pool_pre_ping=True,
    )

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # Readers and the one writer do not block each other in write-ahead-log mode; with
        # it, NORMAL keeps the database consistent through any crash and only risks the
        # last commits on power loss (FULL would wait for the disk at every commit).
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return engine


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
