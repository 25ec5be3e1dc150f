"""What every benchmark needs: fresh databases, a query counter, the machine's description."""

from __future__ import annotations

import os
import platform
import shutil
import sqlite3
import statistics
import uuid
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from storage import migrate
from storage.db import make_engine, normalise_database_url

ROOT = Path(__file__).resolve().parents[1]
# The bot's own answer when a request failed inside it (templates/failure.json.j2): Slack
# gets it with a 200, so a bench that counted statuses alone would time the error path.
FAILED = b"Something went wrong on my side"
PG_SERVER = os.environ.get("ROLLOUT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@contextmanager
def fresh_database(kind: str, workdir: Path):
    """A migrated, empty database: an SQLite file, or a new PostgreSQL database (dropped after)."""
    if kind == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:8]}.db"
        url = f"sqlite:///{path}"
        migrate.upgrade(make_engine(url))
        try:
            yield url
        finally:
            for f in workdir.glob(path.name + "*"):
                f.unlink()
        return
    server = normalise_database_url(PG_SERVER)
    name = f"rollout_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def copy_of(kind: str, url: str, workdir: Path):
    """A copy of a database no one is connected to (the SQLite file, after its last
    connection closed and checkpointed; a PostgreSQL database as a template): the same
    history for another measurement. Removed after."""
    if kind == "sqlite":
        source = Path(make_url(url).database or "")
        with sqlite3.connect(source) as connection:  # everything in the file itself, the log emptied
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        copy = workdir / f"copy-{uuid.uuid4().hex[:8]}.db"
        shutil.copyfile(source, copy)
        try:
            yield f"sqlite:///{copy}"
        finally:
            for f in workdir.glob(copy.name + "*"):
                f.unlink()
        return
    name = f"rollout_bench_{uuid.uuid4().hex[:8]}"
    template = make_url(url).database
    admin = create_engine(normalise_database_url(PG_SERVER), isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class QueryCounter:
    """Counts the SQL statements an engine sends while it is active."""

    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def _count(self, *_args) -> None:
        self.count += 1

    def __enter__(self) -> QueryCounter:
        event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *_exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self._count)


def machine() -> str:
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {memory} memory, {platform.system()} {platform.machine()}, Python {platform.python_version()}"


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50": statistics.median(ordered) * 1000,
        "p99": ordered[int(len(ordered) * 0.99) - 1] * 1000,
        "max": ordered[-1] * 1000,
    }
