"""Connections: the reads of one request share one pooled connection, and give it back."""

import threading

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
