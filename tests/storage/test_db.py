"""Engines and units of work: one way to open a transaction, committed or not at all."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import event, text

from storage import replay
from storage.db import make_engine, normalise_database_url, reading, unit_of_work
from storage.models.bookkeeping import Heartbeat
from storage.replay import Claim, Claimed
from storage.request_keys import RequestKeys
from storage.store import Reading, Store, UnitOfWork
from tests.committed import committed

AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _beats(engine) -> list[str]:
    with unit_of_work(engine, commit=False) as s:
        return list(s.execute(text("SELECT name FROM heartbeat ORDER BY name")).scalars())


def test_a_unit_of_work_commits_when_its_block_ends_and_keeps_nothing_when_it_raises(engine):
    with unit_of_work(engine) as s:
        s.add(Heartbeat(name="kept", at=AT))
    with pytest.raises(RuntimeError), unit_of_work(engine) as s:
        s.add(Heartbeat(name="lost", at=AT))
        s.flush()
        raise RuntimeError("the block failed")
    with unit_of_work(engine, commit=False) as s:
        s.add(Heartbeat(name="rehearsed", at=AT))
        s.flush()
    assert _beats(engine) == ["kept"]


def test_a_requests_keys_go_in_with_its_first_write_and_a_repeat_writes_nothing(engine):
    claim = Claim()
    claim.defer(["sig:once"], AT)
    with unit_of_work(Claimed(engine, claim)) as s:
        s.add(Heartbeat(name="first", at=AT))
    assert claim.recorded
    again = Claim()
    again.defer(["sig:once"], AT)
    with pytest.raises(replay.Repeated), unit_of_work(Claimed(engine, again)) as s:
        s.add(Heartbeat(name="again", at=AT))
    assert again.repeated and _beats(engine) == ["first"]


def test_a_unit_of_work_keeps_nothing_until_committed_and_records_its_requests_keys_at_the_commit(engine):
    store = Store(engine)
    claim = Claim()
    claim.defer(["sig:uow"], AT)
    with UnitOfWork(store.for_request(claim)) as uow:  # left without a commit: nothing kept
        uow.people.set_away("U1", AT.date(), AT.date(), AT)
    assert not claim.recorded and store.people.away() == {}
    with UnitOfWork(store.for_request(claim)) as uow:
        uow.people.set_away("U1", AT.date(), AT.date(), AT)
        assert not claim.recorded
        uow.commit()
    assert claim.recorded and set(store.people.away()) == {"U1"}
    repeat = Claim()
    repeat.defer(["sig:uow"], AT)
    with pytest.raises(replay.Repeated), UnitOfWork(store.for_request(repeat)) as uow:
        uow.people.set_away("U2", AT.date(), AT.date(), AT)
        uow.commit()
    assert set(store.people.away()) == {"U1"}


def test_a_forms_view_goes_in_with_its_first_write_never_before_an_effect(engine):
    """Before a call to Slack that has an effect, a request records its own keys only
    (RequestKeys.record): a form's view stays free until the form writes."""
    keys = RequestKeys(engine)
    claim = Claim()
    claim.defer(["sig:effect"], AT)
    claim.defer_to_write(["view:V1:h1"], AT)
    keys.record(claim)
    assert claim.recorded and not claim.written
    assert not keys.first_time(["sig:effect"], AT) and keys.first_time(["view:V0:h0"], AT)
    with unit_of_work(Claimed(engine, claim)) as s:
        s.add(Heartbeat(name="form", at=AT))
    assert claim.written
    assert not keys.first_time(["view:V1:h1"], AT)


def test_sqlite_runs_in_write_ahead_log_mode_with_foreign_keys(engine):
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's settings")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_hosting_platforms_urls_use_psycopg_3():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert make_engine("postgres://u@h/db").dialect.driver == "psycopg"


def test_a_readings_reads_share_one_connection_and_see_each_commit_made_beside_them(engine):
    checkouts = []
    event.listen(engine.pool, "checkout", lambda *_: checkouts.append(1))
    store = Store(engine)
    with Reading(store) as together:
        with reading(together.bind) as first:  # type: ignore[arg-type]
            assert first.execute(text("SELECT count(*) FROM heartbeat")).scalar() == 0
        with unit_of_work(engine) as s:  # a write beside the reads: its own connection
            s.add(Heartbeat(name="beside", at=AT))
        with reading(together.bind) as second:  # type: ignore[arg-type]
            assert second is first
            assert second.execute(text("SELECT count(*) FROM heartbeat")).scalar() == 1
        committed(store).people.set_away("U1", AT.date(), AT.date(), AT)  # a write beside: its own unit of work
        assert set(together.people.away()) == {"U1"}
    assert len(checkouts) == 3  # the reads' one connection, and each write's
    with reading(engine) as after:
        assert after is not first
        after.execute(text("SELECT 1"))
    assert len(checkouts) == 4


def test_no_storage_module_keeps_an_orm_alias_that_threads_would_share():
    """An ORM alias maps its attributes onto its selectable's columns through an index
    SQLAlchemy fills at the first lookup, unguarded: made once for a module, two threads
    of a new process reading through it at once (a server's clock and its first request)
    could find it half filled, and the alias would read its last columns from the table
    itself for the process's life (the clock's tick once failed so on each cycle's
    `ends_after`). Each read builds its alias; this finds one kept at module level."""
    import importlib
    import pkgutil

    from sqlalchemy.orm.util import AliasedClass

    import storage

    kept = []
    for module in pkgutil.walk_packages(storage.__path__, "storage."):
        loaded = importlib.import_module(module.name)
        kept += [f"{module.name}.{name}" for name, value in vars(loaded).items() if isinstance(value, AliasedClass)]
    assert kept == []


def test_threads_of_a_new_process_reading_the_cycles_at_once_each_read_them_whole(playbook, database_url):
    """The clock's read of every playbook's cycles, first made by many threads at once in a
    new process, as a server's clock and its first requests do: each reads each cycle whole."""
    import subprocess
    import sys

    script = """
import sys, threading
sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can: races show
from storage.db import make_engine
from storage.playbooks import Playbooks
engine = make_engine(sys.argv[1])
barrier, failed = threading.Barrier(8), []
def read():
    barrier.wait()
    try:
        for state in Playbooks(engine).clock_states():
            assert state.running().ends_after is None
    except Exception as error:
        failed.append(repr(error))
threads = [threading.Thread(target=read) for _ in range(8)]
[thread.start() for thread in threads]
[thread.join() for thread in threads]
print(failed)
"""
    for _ in range(3):
        done = subprocess.run([sys.executable, "-c", script, database_url], capture_output=True, text=True, check=True)
        assert done.stdout.strip() == "[]", done.stdout
