"""Engines and units of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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


SQLITE_BUSY_SECONDS = 30  # how long a writer waits for SQLite's lock before it fails
SQLITE_POOL_SIZE = 16  # connections kept open per process: at least the server's threads


def make_engine(url: str) -> Engine:
    url = normalise_database_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        # The HTTP server is threaded; SQLite connections are used by one thread at a time
        # through the pool. A writer waits up to 30 s for the lock instead of failing. The
        # pool keeps a connection for each of the server's threads (8 by default, and
        # more than SQLAlchemy's 5): one made anew per request costs more than the request.
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS},
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
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


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
    unit_of_work, committed if the block finishes and rolled back if it raises."""
    with engine.connect() as connection:
        try:
            yield connection
            claim = replay.record(connection)
            connection.commit()
            if claim is not None:
                claim.recorded = True
        except BaseException:
            connection.rollback()
            raise
