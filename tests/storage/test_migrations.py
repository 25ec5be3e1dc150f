"""The migrations produce exactly the schema the models declare, on both databases."""

from datetime import UTC

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from storage import migrate
from storage.models import TABLES


def test_migrated_schema_equals_the_models(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_every_model_has_a_table(engine):
    tables = set(inspect(engine).get_table_names())
    assert {model.__tablename__ for model in TABLES} <= tables


def test_upgrade_is_idempotent_and_at_head(engine):
    migrate.upgrade(engine)
    assert migrate.is_current(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_upgrading_an_older_schema_keeps_its_data(database_url, tmp_path):
    """An installation from the first release upgrades in place (batch mode on SQLite)."""
    from datetime import datetime

    from sqlalchemy import text

    from storage.db import make_engine

    if database_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / 'old.db'}"
    else:
        url = database_url
        engine = make_engine(url)
        with engine.begin() as connection:  # start from nothing on this database
            for table in reversed(SQLModel.metadata.sorted_tables):
                connection.execute(text(f'DROP TABLE IF EXISTS "{table.name}" CASCADE'))
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        engine.dispose()
    engine = make_engine(url)
    migrate.upgrade(engine, "0001")
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO playbook (slug, title, function, channel_id, owner_id, timezone, status, kpi_name, "
                "kpi_unit, kpi_direction, kpi_baseline, kpi_target, rubric_threshold, exception_cap, rules, inputs, "
                "outputs, definition, created_at, updated_at) VALUES ('old', 'Old', 'Support', 'C0OLD0001', "
                "'U0OLD0001', 'UTC', 'draft', 'k', '', 'down', 2, 1, 0.9, 0.1, '{}', '[]', '[]', '{}', :t, :t)"
            ),
            {"t": now if not url.startswith("sqlite") else now.replace(tzinfo=None)},
        )
    migrate.upgrade(engine)
    assert migrate.is_current(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT slug, adopted_from_id FROM playbook")).all() == [("old", None)]
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
    engine.dispose()


def test_the_database_raises_a_playbooks_revision_on_any_change_to_its_state(engine):
    """The request path caches playbook states under this number (Store.playbook_state),
    so every change must raise it, whoever makes it. SQLite drops triggers when a batch
    migration rebuilds a table: this fails if a later migration forgot to recreate them."""
    from sqlalchemy import text

    def revisions() -> list[int]:
        with engine.connect() as connection:
            return list(connection.execute(text("SELECT revision FROM playbook ORDER BY slug")).scalars())

    def run(sql: str) -> None:
        with engine.begin() as connection:
            connection.execute(text(sql), {"t": "2026-11-01 00:00:00+00:00"})

    columns = (
        "title, function, channel_id, owner_id, timezone, status, kpi_name, kpi_unit, kpi_direction, kpi_baseline, "
        "kpi_target, rubric_threshold, exception_cap, rules, inputs, outputs, definition, created_at, updated_at"
    )
    values = "'T', 'F', 'C0REV0001', 'U0REV0001', 'UTC', 'draft', 'k', '', 'down', 2, 1, 0.9, 0.1, '{}', '[]', '[]', '{}', :t, :t"
    run(f"INSERT INTO playbook (slug, {columns}) VALUES ('a', {values})")
    run(f"INSERT INTO playbook (slug, {columns}) VALUES ('b', {values})")
    assert revisions() == [0, 0]
    pid = "(SELECT id FROM playbook WHERE slug = 'a')"
    changes = [
        f"INSERT INTO step (playbook_id, name, position, mode, pinned, frozen) VALUES ({pid}, 's', 0, 'human-led', false, false)",
        "UPDATE step SET mode = 'ai-led'",
        f"INSERT INTO cycle (playbook_id, number, starts_on, started_by, created_at) VALUES ({pid}, 1, '2026-11-02', 'U', :t)",
        "UPDATE cycle SET ends_after = '2026-11-02'",
        "UPDATE playbook SET status = 'active' WHERE slug = 'a'",
        # what status keeps under the revision too (migration 0013)
        f"INSERT INTO step_verdict (playbook_id, step_id, week_start, mode, outcome, exceptions, recorded_at) "
        f"SELECT {pid}, id, '2026-11-02', 'ai-led', 'PASS', 0, :t FROM step",
        "UPDATE step_verdict SET outcome = 'FAIL'",
        f"INSERT INTO proposal (key, kind, playbook_id, week_start, status, figures, opened_at) "
        f"VALUES ('p', 'promotion', {pid}, '2026-11-02', 'open', '{{}}', :t)",
        "UPDATE proposal SET status = 'rejected'",
        f"INSERT INTO decision (decided_at, kind, actor, playbook_id, week_start, summary, figures) "
        f"VALUES (:t, 'guardrail', 'rule', {pid}, '2026-11-02', '', '{{}}')",
        f"INSERT INTO registry_version (playbook_id, version, slug, function, definition, cycle_results, "
        f"scale_rule_held, published_by, published_at) VALUES ({pid}, 1, 'a', 'F', '{{}}', '[]', false, 'U', :t)",
        "DELETE FROM registry_version",
        "DELETE FROM proposal",
        "DELETE FROM step_verdict",
        "DELETE FROM decision",
        "DELETE FROM cycle",
        "DELETE FROM step",
    ]
    seen = []
    for sql in changes:
        run(sql)
        seen.append(revisions())
    assert [a for a, _ in seen] == sorted(set(a for a, _ in seen)) and len(seen) == len(changes)
    assert all(b == 0 for _, b in seen)  # the other playbook is left alone
    # Decisions other than the rules' look back, and changes that touch no row, leave it.
    before = revisions()
    run(
        f"INSERT INTO decision (decided_at, kind, actor, playbook_id, week_start, summary, figures) "
        f"VALUES (:t, 'verdict', 'rule', {pid}, '2026-11-02', '', '{{}}')"
    )
    run("DELETE FROM step_verdict")
    assert revisions() == before
