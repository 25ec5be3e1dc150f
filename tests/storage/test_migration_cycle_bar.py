"""Migration 0045: the cycle_bar table, a cycle's KPI bar (issue 69), on both databases."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from storage import migrate
from storage.db import make_engine
from tests.storage.test_migrations import _nothing, _old_playbook


def test_0045_adds_an_empty_cycle_bar_one_row_a_cycle_and_a_downgrade_drops_it(database_url, tmp_path):
    """An installation upgrades with no row filled in (a running cycle gets its bar at its
    next close); a cycle holds one bar; the downgrade leaves the other tables as they were."""
    engine = make_engine(_nothing(database_url, tmp_path))
    migrate.upgrade(engine, "0044")
    sqlite = engine.dialect.name == "sqlite"
    now = datetime(2026, 11, 1, tzinfo=UTC).replace(tzinfo=None if sqlite else UTC)
    with engine.begin() as connection:
        _old_playbook(connection, "active", now)
    assert "cycle_bar" not in inspect(engine).get_table_names()
    migrate.upgrade(engine)
    insert = text(
        "INSERT INTO cycle_bar (playbook_id, cycle, starts_on, kpi_baseline, kpi_target, recorded_at) "
        "SELECT id, 1, :d, kpi_baseline, kpi_target, :t FROM playbook"
    )
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM cycle_bar")).scalar() == 0
    with engine.begin() as connection:
        connection.execute(insert, {"d": date(2026, 11, 2), "t": now})
    with engine.connect() as connection:
        assert connection.execute(text("SELECT cycle, kpi_baseline, kpi_target FROM cycle_bar")).all() == [(1, 2, 1)]
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert, {"d": date(2026, 11, 2), "t": now})
    migrate.downgrade(engine, "0044")
    assert "cycle_bar" not in inspect(engine).get_table_names()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT slug FROM playbook")).scalars().all() == ["old"]
    migrate.upgrade(engine)  # the worker's database is left at the head, as the next test expects
    engine.dispose()
