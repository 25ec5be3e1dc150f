"""Statements run on the driver's cursor (SQLite) write what SQLAlchemy would, commit with
their transaction, and are seen by the engine's listeners."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import event, insert, select, text

from storage import driver, replay
from storage.db import held_connection, transaction
from storage.models import KpiReading, SeenRequest

READING = KpiReading.__table__


def _reading(playbook_id: int, value: float) -> dict:
    return {
        "playbook_id": playbook_id,
        "week_start": date(2026, 3, 2),
        "value": value,
        "reported_by": "U0MEMBER01",
        "reported_at": datetime(2026, 3, 4, 15, 30, 12, 345678, tzinfo=UTC),
    }


def test_a_row_written_through_the_driver_reads_back_as_sqlalchemys_own(playbook, engine):
    playbook_id = playbook.playbook.id
    with transaction(engine) as connection:
        driver.execute(connection, insert(READING), _reading(playbook_id, 18.5))
        connection.execute(insert(READING), _reading(playbook_id, 18.5))
    with engine.connect() as connection:
        stored = [row._mapping for row in connection.execute(select(READING).order_by(READING.c.id))]
        raw = connection.execute(text("SELECT week_start, reported_at FROM kpi_reading ORDER BY id")).all()
    through_driver, through_sqlalchemy = ({k: v for k, v in row.items() if k != "id"} for row in stored)
    assert through_driver == through_sqlalchemy
    assert through_driver["reported_at"] == datetime(2026, 3, 4, 15, 30, 12, 345678, tzinfo=UTC)
    assert raw[0] == raw[1]  # stored alike, not merely read back alike


def test_a_driver_statement_commits_with_its_transaction_and_only_then(playbook, engine):
    """The transaction is begun before the block, though the driver's statement does not
    begin one itself: without that, its commit would commit nothing, and the row would be
    rolled back when the connection went back to the pool."""
    playbook_id = playbook.playbook.id
    with held_connection(), transaction(engine) as connection:
        driver.execute(connection, insert(READING), _reading(playbook_id, 20))
    with pytest.raises(RuntimeError), held_connection(), transaction(engine) as connection:
        driver.execute(connection, insert(READING), _reading(playbook_id, 21))
        raise RuntimeError("the block failed")
    with engine.connect() as connection:
        assert connection.execute(select(READING.c.value)).scalars().all() == [20.0]


def test_listeners_see_a_driver_statement(playbook, engine):
    """The engine's before_cursor_execute listeners (statement counts, the tests' own)."""
    playbook_id = playbook.playbook.id
    seen = []

    def sent(connection, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", sent)
    try:
        with transaction(engine) as connection:
            driver.execute(connection, insert(READING), _reading(playbook_id, 20))
    finally:
        event.remove(engine, "before_cursor_execute", sent)
    assert [s for s in seen if "INSERT INTO kpi_reading" in s]


def test_one_request_key_is_new_once(engine):
    at = datetime(2026, 3, 4, 9, tzinfo=UTC)
    with transaction(engine) as connection:
        assert replay.insert_keys(connection, ["sig:abc"], at)
    with engine.connect() as connection:
        assert not replay.insert_keys(connection, ["sig:abc"], at)
        connection.rollback()
        assert connection.execute(select(SeenRequest.__table__.c.seen_at)).scalar_one() == at
