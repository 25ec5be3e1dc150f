"""Migration 0063, on both databases: each playbook running at the upgrade (active or
paused) is recorded as owed the one notice of what the new readiness rules miss; a draft
(never judged) and a retired playbook are not, nor any playbook made later. Nothing
else is touched: no verdict, no decision. A downgrade drops the debt."""

from datetime import UTC, datetime

from sqlalchemy import text

from storage import migrate
from storage.db import make_engine
from tests.storage.test_migrations import _nothing

PLAYBOOK = text(
    "INSERT INTO playbook (slug, title, function, channel_id, owner_id, timezone, status, kpi_name, "
    "kpi_unit, kpi_direction, kpi_baseline, kpi_target, rubric_threshold, exception_cap, rules, inputs, "
    "outputs, definition, created_at, updated_at) VALUES (:slug, 'Old', 'Support', 'C0OLD0001', "
    "'U0OLD0001', 'UTC', :status, 'k', '', 'down', 2, 1, 0.9, 0.1, '{}', '[]', '[]', '{}', :t, :t)"
)
OWED = text("SELECT p.slug FROM readiness_notice n JOIN playbook p ON p.id = n.playbook_id ORDER BY p.slug")


def test_0063_owes_the_notice_to_the_playbooks_running_at_the_upgrade(database_url, tmp_path):
    engine = make_engine(_nothing(database_url, tmp_path))
    migrate.upgrade(engine, "0062")
    sqlite = engine.dialect.name == "sqlite"
    at = datetime(2026, 11, 1, tzinfo=UTC).replace(tzinfo=None if sqlite else UTC)
    with engine.begin() as connection:
        for status in ("active", "paused", "draft", "retired"):
            connection.execute(PLAYBOOK, {"slug": status, "status": status, "t": at})
    migrate.upgrade(engine)
    with engine.connect() as connection:
        assert [r.slug for r in connection.execute(OWED)] == ["active", "paused"]
    with engine.begin() as connection:  # made after the upgrade: owes nothing
        connection.execute(PLAYBOOK, {"slug": "new", "status": "active", "t": at})
    with engine.connect() as connection:
        assert [r.slug for r in connection.execute(OWED)] == ["active", "paused"]
    migrate.downgrade(engine, "0062")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM playbook")).scalar() == 5
    migrate.upgrade(engine)  # the worker's database is left at the head, as the next test expects
    engine.dispose()
