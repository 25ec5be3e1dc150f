"""The unit of work a use case opens (storage/store.py): what it keeps, what it refuses."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from storage.replay import Claim
from storage.store import Store
from tests.committed import committed

AT = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _claim(key: str) -> Claim:
    claim = Claim()
    claim.defer([key], AT)
    return claim


def test_a_unit_of_work_opened_from_a_reading_records_the_requests_claim(engine):
    claim = _claim("sig:through-a-reading")
    with Store(engine).for_request(claim).reading() as reads, reads.unit_of_work() as uow:
        uow.people.set_away("U1", AT.date(), AT.date(), AT)
        uow.commit()
    assert claim.recorded and set(Store(engine).people.away()) == {"U1"}


def test_a_unit_of_work_inside_a_unit_of_work_is_refused(engine):
    with Store(engine).unit_of_work() as uow, pytest.raises(TypeError, match="inside a unit of work"):
        uow.unit_of_work()


def test_a_write_beside_the_requests_open_unit_of_work_is_refused_not_left_waiting(engine):
    """Its keys are taken and uncommitted: another transaction of the request would wait on
    them for ever (PostgreSQL) or for SQLite's busy timeout; it fails at once instead."""
    store = Store(engine).for_request(_claim("sig:beside"))
    with store.unit_of_work() as uow:
        uow.people.set_away("U1", AT.date(), AT.date(), AT)
        with pytest.raises(RuntimeError, match="open unit of work"):
            committed(store).people.set_away("U2", AT.date(), AT.date(), AT)
        with pytest.raises(RuntimeError, match="open unit of work"):
            store.request_keys.record(store.claim)  # type: ignore[arg-type]  # a Slack call's, before its effect
        uow.commit()
    committed(store).people.set_away("U2", AT.date(), AT.date(), AT)  # after the commit: its own transaction
    assert set(Store(engine).people.away()) == {"U1", "U2"}


def test_a_write_that_decides_by_its_own_commit_is_refused_in_a_unit_of_work(engine):
    """The clock's heartbeat catches its unique key's error and goes on: in a shared
    transaction that error would spoil every statement after it."""
    store = Store(engine)
    store.health.beat("clock", AT)
    with store.unit_of_work() as uow, pytest.raises(TypeError, match="outside a unit of work"):
        uow.health.beat("clock", AT)


def test_a_unique_key_decides_in_a_unit_of_work_without_spoiling_it(engine):
    """add_curator and add_holiday let their unique key decide (nothing inserted, False) in
    the use case's unit of work, whose statements after it still run and commit."""
    store = Store(engine)
    assert committed(store).org.add_curator("U1", "UADMIN", AT)
    assert committed(store).org.add_holiday(AT.date(), "Founders' day", "UADMIN", AT)
    with store.unit_of_work() as uow:
        assert uow.org.add_curator("U1", "UADMIN", AT) is False
        assert uow.org.add_holiday(AT.date(), "another name", "UADMIN", AT) is False
        assert uow.org.add_curator("U2", "UADMIN", AT) is True
        uow.people.set_away("U1", AT.date(), AT.date(), AT)
        uow.commit()
    assert store.org.curators() == {"U1", "U2"} and set(store.people.away()) == {"U1"}
    assert store.org.holidays(AT.date(), AT.date()) == {AT.date(): "Founders' day"}


def test_a_read_after_a_blocks_end_fails_rather_than_leave_a_transaction_open(engine):
    with Store(engine).reading() as reads:
        reads.people.away()
    with pytest.raises(Exception, match=r"closed|not bound|inactive"):
        reads.people.away()
    with Store(engine).unit_of_work() as uow:
        uow.commit()
    with pytest.raises(Exception, match=r"closed|not bound|inactive"):
        uow.people.away()
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            idle = "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction' AND datname = current_database()"
            assert connection.execute(text(idle)).scalar() == 0
