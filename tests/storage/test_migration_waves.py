"""Migration 0062: a wave is marked reviewed once per playbook (its waves go on across its
versions), on both databases. Two marks of one wave number through two versions become
one, the earliest, keeping the later one's note in its own; a downgrade restores the
per-version rule."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage import migrate
from storage.db import make_engine
from tests.storage.test_migrations import _nothing, _old_playbook

VERSION = text(
    "INSERT INTO registry_version (playbook_id, version, slug, function, definition, cycle_results, "
    "scale_rule_held, published_by, published_at, learnings) "
    "SELECT id, :v, 'old', 'Support', '{}', '[]', :held, 'U0CURATOR1', :t, '[]' FROM playbook"
)
MARK = text(
    "INSERT INTO wave_review (playbook_id, version_id, version, wave, reviewed_by, note, reviewed_at) "
    "SELECT p.id, r.id, r.version, :wave, 'U0OLD0001', :note, :t FROM playbook p "
    "JOIN registry_version r ON r.playbook_id = p.id WHERE r.version = :v"
)


def test_0062_keeps_one_mark_per_playbook_and_wave_with_every_note(database_url, tmp_path):
    engine = make_engine(_nothing(database_url, tmp_path))
    migrate.upgrade(engine, "0061")
    sqlite = engine.dialect.name == "sqlite"
    at = datetime(2026, 11, 1, tzinfo=UTC).replace(tzinfo=None if sqlite else UTC)
    with engine.begin() as connection:
        _old_playbook(connection, "active", at)
        for number in (1, 2):
            connection.execute(VERSION, {"v": number, "held": True, "t": at})
        connection.execute(MARK, {"v": 1, "wave": 1, "note": "drafts need the policy", "t": at})
        connection.execute(MARK, {"v": 2, "wave": 1, "note": "macros first", "t": at + timedelta(days=1)})
        connection.execute(MARK, {"v": 2, "wave": 2, "note": None, "t": at + timedelta(days=2)})
    migrate.upgrade(engine)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT version, wave, note FROM wave_review ORDER BY wave")).all()
    assert [tuple(r) for r in rows] == [(1, 1, "drafts need the policy · v2: macros first"), (2, 2, None)]
    with pytest.raises(IntegrityError), engine.begin() as connection:  # once per playbook and wave
        connection.execute(MARK, {"v": 1, "wave": 2, "note": "again", "t": at})
    migrate.downgrade(engine, "0061")
    with engine.begin() as connection:  # per version again
        connection.execute(MARK, {"v": 1, "wave": 2, "note": "through v1", "t": at})
    migrate.upgrade(engine)  # the worker's database is left at the head, as the next test expects
    engine.dispose()
