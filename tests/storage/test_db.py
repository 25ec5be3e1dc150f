"""Connections: the reads of one request share one pooled connection, and give it back."""

import threading

import pytest
from sqlalchemy import text

from storage.db import autocommit_connection, held_connection


def _ident(connection):
    return id(connection.connection.dbapi_connection)


def test_reads_in_a_request_share_one_connection_and_give_it_back(engine):
    with held_connection():
        with autocommit_connection(engine) as first:
            first.execute(text("SELECT 1"))
        with autocommit_connection(engine) as second:
            assert second is first and not second.closed  # not given back between reads
        assert engine.pool.checkedout() == 1
    assert engine.pool.checkedout() == 0 and first.closed


def test_reads_outside_a_request_give_their_connection_back_at_once(engine):
    with autocommit_connection(engine) as connection:
        connection.execute(text("SELECT 1"))
        assert engine.pool.checkedout() == 1
    assert engine.pool.checkedout() == 0 and connection.closed


def test_each_thread_holds_its_own(engine):
    """Requests run in threads of one process: one request's connection is never another's."""
    seen = {}
    ready = threading.Barrier(2)

    def request(name):
        with held_connection(), autocommit_connection(engine) as connection:
            ready.wait(timeout=5)  # both hold theirs at once
            seen[name] = _ident(connection)

    threads = [threading.Thread(target=request, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 2 and seen["a"] != seen["b"]
    assert engine.pool.checkedout() == 0


def test_a_closed_held_connection_is_replaced(engine):
    with held_connection():
        with autocommit_connection(engine) as first:
            first.close()  # as if something closed it under the request
        with autocommit_connection(engine) as second:
            assert second is not first and second.execute(text("SELECT 1")).scalar() == 1
    assert engine.pool.checkedout() == 0


def test_recording_a_request_key_leaves_later_commits_durable(store, clock):
    """On PostgreSQL a request's key is recorded without waiting for the disk, in its own
    statement: the setting must end with that statement, or the request's report, written
    next on the same connection, would not be durable when "Recorded" is said."""
    postgresql = store.engine.dialect.name == "postgresql"
    with held_connection():
        with autocommit_connection(store.engine) as connection:
            if postgresql:  # the test databases run without it, for speed (conftest)
                connection.execute(text("SET synchronous_commit = on"))
        assert store.first_time(["sig:durable"], clock())
        assert not store.first_time(["sig:durable"], clock())  # a replay
        with autocommit_connection(store.engine) as connection:
            if postgresql:
                assert connection.execute(text("SHOW synchronous_commit")).scalar() == "on"
                connection.execute(text("RESET synchronous_commit"))
        assert store.engine.pool.checkedout() == 1  # the key went on the request's connection


def test_a_deferred_commit_leaves_its_log_to_the_clocks_checkpoint(engine, tmp_path):
    """SQLite: a commit of thousands of pages made with defer_checkpoint (a week close)
    returns without copying them into the database file, as SQLite's default would inside
    the commit; checkpoint(), which the clock runs after each tick, copies them. The
    connection checkpoints by itself again afterwards."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL checkpoints by itself")
    from datetime import UTC, datetime

    from storage.db import SQLITE_POOL_SIZE, checkpoint, defer_checkpoint, unit_of_work
    from storage.outbox import Outbox, enqueue_in
    from tests.conftest import big_messages, outbox_rows_in_the_file_alone

    at = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    checkpoint(engine)  # whatever the fixtures wrote, out of the way
    before = outbox_rows_in_the_file_alone(engine, tmp_path)
    with unit_of_work(engine) as s:
        defer_checkpoint(s.connection())
        enqueue_in(s, big_messages("deferred"), at)
    assert outbox_rows_in_the_file_alone(engine, tmp_path) == before  # still only in the log
    checkpoint(engine)
    assert outbox_rows_in_the_file_alone(engine, tmp_path) == before + 2500
    for round_ in range(SQLITE_POOL_SIZE):  # whichever pooled connection it was, it checkpoints again
        Outbox(engine).enqueue(big_messages(f"plain-{round_}"), at)
        assert outbox_rows_in_the_file_alone(engine, tmp_path) == before + 2500 * (round_ + 2)


def _beat(connection, name):
    connection.execute(text("INSERT INTO heartbeat (name, at) VALUES (:name, '2026-11-23 12:00:00')"), {"name": name})


def test_sqlite_writers_of_a_process_take_turns(engine):
    """SQLite: a transaction takes this process's turn to write at its first write and
    gives it back at its commit or rollback. A second writer waits for the turn before it
    begins, rather than in SQLite's busy handler, which sleeps in growing steps."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL locks rows, not the database")
    with engine.connect() as first:
        driver = first.connection.dbapi_connection
        first.execute(text("SELECT count(*) FROM heartbeat"))
        assert not driver.has_turn  # reads do not take it
        _beat(first, "first")
        assert driver.has_turn
        waiting = {}

        def second_writer():
            with engine.connect() as second:
                waiting["driver"] = second.connection.dbapi_connection
                _beat(second, "second")
                second.commit()

        writer = threading.Thread(target=second_writer)
        writer.start()
        writer.join(timeout=0.3)
        assert writer.is_alive()  # waiting for the turn
        assert not waiting["driver"].in_transaction  # in the queue, not in SQLite's lock
        first.commit()
        assert not driver.has_turn
        writer.join(timeout=10)
        assert not writer.is_alive() and not waiting["driver"].has_turn
    with engine.connect() as failing:
        driver = failing.connection.dbapi_connection
        _beat(failing, "third")
        with pytest.raises(Exception, match="UNIQUE"):
            _beat(failing, "third")
        assert driver.has_turn  # the transaction is still open
        failing.rollback()
        assert not driver.has_turn
    with engine.connect() as connection:
        assert connection.execute(text("SELECT name FROM heartbeat ORDER BY name")).scalars().all() == [
            "first",
            "second",
        ]
