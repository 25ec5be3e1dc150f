"""Engines and units of work."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError
from sqlmodel import Session, create_engine

from storage import replay
from storage.replay import Claimed

_Lock = TypeVar("_Lock")

# What a repository works on: an engine (each of its methods a transaction of its own), an
# engine on behalf of a request (each such transaction also records the request's claim,
# storage/replay.py), or the session of a unit of work a use case opened (storage/store.py),
# whose transaction the use case commits.
Bind = Engine | Claimed | Session


class ReadSession(Session):
    """The session of a block of reads (storage.store.Reading), outside any transaction. A
    unit of work asked of it is one of its own on `outer`, the bind the block was opened
    from (a request's keys go in with it), as it would be outside the block."""

    def __init__(self, outer: Engine | Claimed, **options: Any):
        super().__init__(engine_of(outer), **options)
        self.outer = outer


def engine_of(bind: Bind) -> Engine:
    """The engine a bind works on (for its dialect and its locks)."""
    if isinstance(bind, Session):
        engine = bind.get_bind()
        assert isinstance(engine, Engine), "a unit of work's session is bound to an engine"
        return engine
    return bind.engine if isinstance(bind, Claimed) else bind


def normalise_database_url(url: str) -> str:
    """Accept the URLs hosting platforms hand out and use psycopg 3 for PostgreSQL."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


SUPPORTED = ("sqlite", "postgresql")
EXAMPLE_URLS = "sqlite:///rollout.db (a file here) or postgresql://user:password@host:5432/name"


def check_database_url(url: str) -> None:
    """Raises ValueError, in words for whoever set DATABASE_URL, unless `url` names a
    database of a kind this bot runs on. The URL itself is never repeated: it may hold a
    password."""
    if not url.strip():
        raise ValueError(f"is empty: set it to {EXAMPLE_URLS}")
    try:
        backend = make_url(normalise_database_url(url)).get_backend_name()
    except ArgumentError:
        raise ValueError(f"is not a database URL: write it as {EXAMPLE_URLS}") from None
    if backend not in SUPPORTED:
        raise ValueError(f"names a {backend} database: the bot runs on SQLite and PostgreSQL, e.g. {EXAMPLE_URLS}")
    parsed = make_url(url)
    if backend == "sqlite" and parsed.host:  # sqlite://rollout.db: the file taken for a host, a slash short
        file = parsed.host + (f"/{parsed.database}" if parsed.database else "")
        raise ValueError(
            f"names '{file}' as a host, which a SQLite URL has none of: a file needs three slashes, "
            f"sqlite:///{file} (four before an absolute path)"
        )
    if backend == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise ValueError(
            "names SQLite's in-memory database, which keeps nothing once a command ends: name a file, "
            "e.g. sqlite:///rollout.db (three slashes: a file here)"
        )


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
def reading(bind: Bind) -> Iterator[Session]:
    """Reads, in no transaction of their own: each statement sees what was committed when
    it began, as it would in a transaction at READ COMMITTED, PostgreSQL's level (SQLite's
    driver begins no transaction before a SELECT either). Without its BEGIN and ROLLBACK,
    a read costs PostgreSQL two round trips fewer. Writes go in a unit_of_work. In a unit
    of work (`bind` its session), the reads are that session's."""
    if isinstance(bind, Session):
        yield bind
        return
    engine = engine_of(bind)
    with Session(engine, expire_on_commit=False) as session:
        if engine.dialect.name != "sqlite":
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        yield session


@contextmanager
def snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection whose every read sees the database as it was at its first: one
    read-only transaction, at REPEATABLE READ on PostgreSQL; on SQLite a transaction that
    the driver would not begin for reads alone (its first SELECT fixes what it sees, as
    write-ahead logging keeps that for it). For reads across tables that must agree with
    one another, such as an export."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN")
        else:
            connection = connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        try:
            yield connection
        finally:
            connection.rollback()  # it wrote nothing: ending it is all there is to do


@contextmanager
def unit_of_work(bind: Bind, commit: bool = True) -> Iterator[Session]:
    """One transaction: committed if the block finishes, rolled back if it raises, and
    the request's replay keys recorded in it first when `bind` is a request's
    (storage/replay.py). Objects stay readable after the commit (expire_on_commit=False).
    With commit=False it is always rolled back: a rehearsal (`rollout tick --dry-run`)
    that learns what the database would have accepted and keeps nothing. Reads go in
    `reading`. Given the session of a unit of work a use case opened (storage/store.py),
    the block is part of that transaction, which the use case commits or not."""
    if isinstance(bind, ReadSession):
        bind = bind.outer
    elif isinstance(bind, Session):
        yield bind
        return
    engine = engine_of(bind)
    with writers_in_turn(engine), Session(engine, expire_on_commit=False) as session:
        try:
            # The request's keys go first, with its first write: a repeat learns it is one
            # before doing the work, and the work's own locks (undo's on the playbook) are
            # held for one statement less.
            taken = replay.record(session, bind.claim) if commit and isinstance(bind, Claimed) else None
            yield session
            if commit:
                session.commit()
                if taken is not None:
                    taken.committed()
            # else: closing the session gives its connection back to the pool, which rolls
            # the transaction back; what it read stays readable (a rollback would expire it).
        except BaseException:
            session.rollback()
            raise


def own_transaction(bind: Bind) -> AbstractContextManager[Session]:
    """unit_of_work for a method that decides by its own commit: it catches the unique key's
    IntegrityError and goes on. Refused in a use case's unit of work, whose one transaction
    that error would spoil (on PostgreSQL, every statement after it fails)."""
    if isinstance(bind, Session) and not isinstance(bind, ReadSession):
        raise TypeError("this write decides by its own commit: call it outside a unit of work")
    return unit_of_work(bind)


@contextmanager
def joined(bind: Bind) -> Iterator[Session]:
    """The session of the unit of work the use case opened (storage/store.py), for a
    repository's write: the use case commits it, with what it records beside. TypeError
    outside one: a repository opens no transaction of its own, except the few writes that
    decide by their own commit (own_transaction, unit_of_work), each saying why."""
    yield in_unit_of_work(bind, "write in a unit of work: with store.unit_of_work() as uow: uow.<area>.<write>(...)")


def in_unit_of_work(bind: Bind, refusal: str) -> Session:
    """The session of the use case's unit of work this repository is bound to; TypeError
    outside one (a write that must go with what the use case records beside it)."""
    if not isinstance(bind, Session) or isinstance(bind, ReadSession):
        raise TypeError(refusal)
    return bind


# SQLite runs in the requesting thread, holding the interpreter's lock between its calls
# and letting it go at each. With 8 request threads all reading, every call hands the lock
# to another thread and waits to get it back: on this machine 32 clients' `status` cost
# 1.5 times its CPU with 8 threads against 2, and missed its budget (bench/README.md,
# every subcommand's p99 at most 3x `kpi`'s). So on SQLite a process's use cases take
# turns, two at a time; the other threads wait asleep, or parse, verify and answer their
# requests meanwhile (the HTTP server's threads are for that, and for Slack's answers).
# PostgreSQL's round trips are waits of their own, so its use cases run at once.
USE_CASES_AT_ONCE = 2
_TURNS: WeakKeyDictionary[Engine, threading.BoundedSemaphore] = WeakKeyDictionary()


def use_cases_in_turn(engine: Engine) -> AbstractContextManager[object]:
    """A turn for one use case on the engine's database: on SQLite one of
    USE_CASES_AT_ONCE a process; nothing on PostgreSQL. Not re-entrant: one use case
    does not run another."""
    if engine.dialect.name != "sqlite":
        return nullcontext()
    return _of_engine(_TURNS, engine, lambda: threading.BoundedSemaphore(USE_CASES_AT_ONCE))


# SQLite lets one connection write at a time. A writer that finds the lock taken sleeps
# and tries again (1, 2, 5, 10, ... 100 ms: SQLite's busy handler), so under load some
# wait far longer than the write they wait for. Within a process, writers instead wait
# for one another on a lock, each woken as the one before it is done; writers in other
# processes still meet SQLite's busy handler. Kept for speed, measured: /rollout kpi's p99
# (32 clients, one process) was 615 ms without it and 199 ms with it (measured when it was kept; docs/architecture.md, kept for speed).
_WRITER_LOCKS: WeakKeyDictionary[Engine, threading.RLock] = WeakKeyDictionary()
_LOCKS_GUARD = threading.Lock()  # guards making the engines' locks (_of_engine)


def writers_in_turn(engine: Engine) -> AbstractContextManager[object]:
    """The engine's writers' lock on SQLite (re-entrant: a thread holding it may take it
    again); nothing on PostgreSQL, whose writers lock rows, not the database. A unit of
    work never waits on another thread's unit of work: that thread would wait for this
    lock (the close reads beside its transaction through `reading`, which takes none)."""
    if engine.dialect.name != "sqlite":
        return nullcontext()
    return _of_engine(_WRITER_LOCKS, engine, threading.RLock)


def _of_engine(kept: WeakKeyDictionary[Engine, _Lock], engine: Engine, make: Callable[[], _Lock]) -> _Lock:
    """The engine's lock in `kept`, made the first time it is asked for."""
    with _LOCKS_GUARD:
        return kept.setdefault(engine, make())
