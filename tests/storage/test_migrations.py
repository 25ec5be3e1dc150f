"""The migrations produce exactly the schema the models declare, on both databases."""

import re
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


def test_the_newest_scripts_name_is_alembics_head_and_every_name_its_revision():
    """The startup check (migrate.is_current) reads the head from the scripts' names."""
    assert migrate.newest_revision() == migrate.head_revision()
    scripts = sorted((migrate.MIGRATIONS / "versions").glob("*.py"))
    assert len(scripts) > 60
    for path in scripts:
        match = migrate.SCRIPT.match(path.name)
        assert match, f"{path.name}: a migration is named NNNN_what.py"
        declared = re.search(r"^revision(?:: str)? = [\"']([^\"']+)[\"']$", path.read_text(), re.MULTILINE)
        assert declared and declared.group(1) == match.group(1), path.name


def test_an_empty_database_is_at_no_revision_and_not_current(database_url, tmp_path):
    from storage.db import make_engine

    engine = make_engine(_nothing(database_url, tmp_path))
    assert migrate.current_revision(engine) is None and not migrate.is_current(engine)
    migrate.upgrade(engine)  # PostgreSQL's is the worker's database: the next tests need its tables
    assert migrate.current_revision(engine) == migrate.head_revision() and migrate.is_current(engine)
    engine.dispose()


def test_upgrade_is_idempotent_and_at_head(engine):
    migrate.upgrade(engine)
    assert migrate.is_current(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()


def test_upgrading_an_older_schema_keeps_its_data(database_url, tmp_path):
    """An installation from the first release upgrades in place (batch mode on SQLite)."""
    from datetime import datetime

    from sqlalchemy import text

    from storage.db import make_engine

    url = _nothing(database_url, tmp_path)
    engine = make_engine(url)
    migrate.upgrade(engine, "0001")
    now = datetime(2026, 11, 1, tzinfo=UTC)
    with engine.begin() as connection:
        _old_playbook(connection, "draft", now if not url.startswith("sqlite") else now.replace(tzinfo=None))
    migrate.upgrade(engine)
    assert migrate.is_current(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT slug, adopted_from_id FROM playbook")).all() == [("old", None)]
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
    engine.dispose()


def _old_playbook(connection, status: str, at) -> None:
    """A playbook 'old' as the first release's schema has it."""
    from sqlalchemy import text

    connection.execute(
        text(
            "INSERT INTO playbook (slug, title, function, channel_id, owner_id, timezone, status, kpi_name, "
            "kpi_unit, kpi_direction, kpi_baseline, kpi_target, rubric_threshold, exception_cap, rules, inputs, "
            "outputs, definition, created_at, updated_at) VALUES ('old', 'Old', 'Support', 'C0OLD0001', "
            "'U0OLD0001', 'UTC', :status, 'k', '', 'down', 2, 1, 0.9, 0.1, '{}', '[]', '[]', '{}', :t, :t)"
        ),
        {"status": status, "t": at},
    )


def _nothing(database_url, tmp_path) -> str:
    """A database URL with no table in it: a new SQLite file, or the test PostgreSQL
    database emptied."""
    from sqlalchemy import text

    from storage.db import make_engine

    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(database_url)
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(text(f'DROP TABLE IF EXISTS "{table.name}" CASCADE'))
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    return database_url


def test_cycle_results_recorded_before_0031_learn_from_their_dates_whether_they_were_interrupted(
    database_url, tmp_path
):
    """Cycle 1 (begun 2026-11-16) closed on Monday 2026-12-14 at 11:00 UTC, its fourth week
    done; cycle 2 (begun 2026-12-14) closed on 2026-12-28, paused in its second week."""
    from datetime import datetime

    from sqlalchemy import text

    from storage.db import make_engine

    engine = make_engine(_nothing(database_url, tmp_path))
    migrate.upgrade(engine, "0030")
    sqlite = engine.dialect.name == "sqlite"
    at = lambda *a: datetime(*a, tzinfo=UTC).replace(tzinfo=None if sqlite else UTC)  # noqa: E731
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO playbook (slug, title, function, channel_id, owner_id, timezone, status, kpi_name, "
                "kpi_unit, kpi_direction, kpi_baseline, kpi_target, rubric_threshold, exception_cap, rules, inputs, "
                "outputs, definition, created_at, updated_at, closed_through) VALUES ('old', 'Old', 'Support', "
                "'C0OLD0001', 'U0OLD0001', 'UTC', 'active', 'k', '', 'down', 2, 1, 0.9, 0.1, '{}', '[]', '[]', "
                "'{}', :t, :t, NULL)"
            ),
            {"t": at(2026, 11, 1)},
        )
        for cycle, starts, closed in [(1, "2026-11-16", at(2026, 12, 14, 11)), (2, "2026-12-14", at(2026, 12, 28, 11))]:
            connection.execute(
                text(
                    "INSERT INTO cycle_result (playbook_id, cycle, starts_on, kpi_weeks, mean, target, direction, "
                    "hit, weeks_met, recorded_at, closed_at) SELECT id, :cycle, :starts, 2, 1.5, 1, 'down', false, "
                    "0, :closed, :closed FROM playbook"
                ),
                {"cycle": cycle, "starts": starts, "closed": closed},
            )
    migrate.upgrade(engine)
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT cycle, interrupted FROM cycle_result ORDER BY cycle")).all()
    assert [(cycle, bool(interrupted)) for cycle, interrupted in rows] == [(1, False), (2, True)]
    engine.dispose()


def _triggers(engine) -> list[str]:
    from sqlalchemy import text

    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            query = "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name"
        else:
            query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY tgname"
        return list(connection.execute(text(query)).scalars())


def test_the_revision_triggers_are_gone_and_a_downgrade_brings_them_back(engine):
    """Migration 0019 drops playbook.revision and the triggers that raised it (0010, 0013):
    no new table has to join a trigger scheme. Its downgrade puts them back as they were."""
    from sqlalchemy import inspect

    assert _triggers(engine) == []
    assert "revision" not in {c["name"] for c in inspect(engine).get_columns("playbook")}
    migrate.downgrade(engine, "0018")
    assert "playbook_revision" in _triggers(engine) and "step_verdict_revision_insert" in _triggers(engine)
    migrate.upgrade(engine)
    assert _triggers(engine) == [] and migrate.is_current(engine)


def test_verdicts_kept_before_0039_have_no_rule_and_new_ones_keep_theirs(database_url, tmp_path):
    """Issue 54, item 17: `step_verdict.rule` is added nullable; a verdict kept before it
    stays, with no rule (the web view and status say "reason not recorded")."""
    from datetime import datetime

    from sqlalchemy import text

    from storage.db import make_engine

    engine = make_engine(_nothing(database_url, tmp_path))
    migrate.upgrade(engine, "0038")
    sqlite = engine.dialect.name == "sqlite"
    now = datetime(2026, 11, 1, tzinfo=UTC).replace(tzinfo=None if sqlite else UTC)
    with engine.begin() as connection:
        _old_playbook(connection, "active", now)
        connection.execute(
            text(
                "INSERT INTO step (playbook_id, name, position, mode, pinned, frozen) "
                "SELECT id, 'draft', 0, 'collaborative', false, false FROM playbook"
            )
        )
        connection.execute(
            text(
                "INSERT INTO step_verdict (playbook_id, step_id, week_start, mode, outcome, cases, exceptions, "
                "recorded_at) SELECT playbook_id, id, '2026-11-16', 'collaborative', 'INCONCLUSIVE', 6, 0, :t FROM step"
            ),
            {"t": now},
        )
    migrate.upgrade(engine)
    with engine.begin() as connection:
        assert connection.execute(text("SELECT outcome, cases, rule FROM step_verdict")).all() == [
            ("INCONCLUSIVE", 6, None)
        ]
        connection.execute(
            text(
                "INSERT INTO step_verdict (playbook_id, step_id, week_start, mode, outcome, cases, exceptions, "
                "rule, recorded_at) SELECT playbook_id, id, '2026-11-23', 'collaborative', 'INCONCLUSIVE', 7, 0, "
                "'2-too-few-cases', :t FROM step"
            ),
            {"t": now},
        )
        rules = connection.execute(text("SELECT rule FROM step_verdict ORDER BY week_start")).scalars().all()
    assert rules == [None, "2-too-few-cases"]
    migrate.downgrade(engine, "0038")  # and back: the verdicts stay, without their rules
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM step_verdict")).scalar() == 2
    migrate.upgrade(engine)  # the worker's database is left at the head, as the next test expects
    engine.dispose()


def test_learnings_kept_before_0043_are_folded_for_the_search(database_url, tmp_path):
    """Issue 66, item 14: `learning.folded` is filled for the learnings kept before it,
    so the search finds them in every script; a downgrade drops it and keeps the text."""
    from datetime import datetime

    from sqlalchemy import text

    from storage.db import make_engine
    from storage.learnings import Learnings

    engine = make_engine(_nothing(database_url, tmp_path))
    migrate.upgrade(engine, "0042")
    sqlite = engine.dialect.name == "sqlite"
    now = datetime(2026, 11, 1, tzinfo=UTC).replace(tzinfo=None if sqlite else UTC)
    with engine.begin() as connection:
        _old_playbook(connection, "active", now)
        for words in ("Überprüfung der Entwürfe", "Die STRASSE"):
            connection.execute(
                text(
                    "INSERT INTO learning (playbook_id, cycle, text, added_by, added_at) "
                    "SELECT id, 1, :words, 'U0OLD0001', :t FROM playbook"
                ),
                {"words": words, "t": now},
            )
    migrate.upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT folded FROM learning ORDER BY id")).scalars().all() == [
            "überprüfung der entwürfe",
            "die strasse",
        ]
    found = Learnings(engine).search(["ÜBERPRÜFUNG"], limit=10)
    assert [learning.text for learning, _ in found.rows] == ["Überprüfung der Entwürfe"]
    assert [learning.text for learning, _ in Learnings(engine).search(["straße"], limit=10).rows] == ["Die STRASSE"]
    migrate.downgrade(engine, "0042")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM learning")).scalar() == 2
    migrate.upgrade(engine)  # the worker's database is left at the head, as the next test expects
    engine.dispose()


def test_adoptions_and_request_outcomes_kept_before_0044_name_their_channel_in_their_figures(database_url, tmp_path):
    """Issue 66, item 13: history links only the ids a decision's figures name; an
    adoption by and a request's outcome kept before 0044 get the channel their summary
    names, so it stays a link rather than a raw C… id. A team named "#sales" has no id."""
    import json
    from datetime import datetime

    from sqlalchemy import text

    from cadence.decisions import named_ids
    from storage.db import make_engine

    engine = make_engine(_nothing(database_url, tmp_path))
    migrate.upgrade(engine, "0043")
    sqlite = engine.dialect.name == "sqlite"
    now = datetime(2026, 11, 1, tzinfo=UTC).replace(tzinfo=None if sqlite else UTC)
    kept = [
        ("adopted-by", "Adopted by old-emea in C0EMEA0001.", {"version_id": 1, "adopter": "old-emea"}),
        ("request-approved", "C0SALES001's request to adopt old v1 approved.", {"request": 1, "adopted": "old-2"}),
        ("request-declined", "C0SALES002's request to adopt old v1 declined.", {"request": 2, "reason": "C0TYPED001"}),
        ("request-declined", "#sales's request to adopt old v1 declined.", {"request": 3, "reason": "not yet"}),
        ("mode-change", "draft to ai-led in C0OTHER001.", {"cases": 6}),
    ]
    with engine.begin() as connection:
        _old_playbook(connection, "active", now)
        for kind, summary, figures in kept:
            connection.execute(
                text(
                    "INSERT INTO decision (decided_at, kind, actor, playbook_id, summary, figures) "
                    "SELECT :t, :kind, 'U0OLD0001', id, :summary, :figures FROM playbook"
                ),
                {"t": now, "kind": kind, "summary": summary, "figures": json.dumps(figures)},
            )
    migrate.upgrade(engine)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT figures FROM decision ORDER BY id")).scalars().all()
    figures = [json.loads(f) if isinstance(f, str) else f for f in stored]
    assert [named_ids(f) for f in figures] == [
        {"C0EMEA0001"},
        {"C0SALES001"},
        {"C0SALES002"},  # never the id typed in a reason
        set(),
        set(),
    ]
    assert figures[0] == {"version_id": 1, "adopter": "old-emea", "channel": "C0EMEA0001"}
    assert figures[3] == {"request": 3, "reason": "not yet"} and figures[4] == {"cases": 6}
    migrate.downgrade(engine, "0043")
    migrate.upgrade(engine)  # the worker's database is left at the head, as the next test expects
    engine.dispose()


def test_pulse_answers_kept_before_0064_keep_their_data_and_their_hashes_move_apart(database_url, tmp_path):
    """Issue 92: an open cycle's answers named their keyed hash; 0064 moves each hash to
    pulse_voter beside a new random label, so the answer names only the label and the
    person answering again still replaces it. A sealed cycle's answers are kept as they are."""
    from datetime import datetime

    from sqlalchemy import text

    from storage.db import make_engine
    from storage.pulse import voter

    engine = make_engine(_nothing(database_url, tmp_path))
    migrate.upgrade(engine, "0063")
    sqlite = engine.dialect.name == "sqlite"
    now = datetime(2026, 11, 1, tzinfo=UTC).replace(tzinfo=None if sqlite else UTC)
    secret = "ab" * 32
    hashed = voter(secret, "U0PERSON1")
    with engine.begin() as connection:
        _old_playbook(connection, "active", now)
        pid = connection.execute(text("SELECT id FROM playbook")).scalar()
        connection.execute(text("INSERT INTO pulse_key VALUES (:p, 2, :s)"), {"p": pid, "s": secret})
        connection.execute(
            text(
                "INSERT INTO pulse_answer (playbook_id, cycle, voter, trust, around, safety, freed) VALUES "
                "(:p, 2, :h, 4, 'never', NULL, 'new'), (:p, 1, 'sealedlabel', 3, NULL, 5, NULL)"
            ),
            {"p": pid, "h": hashed},
        )
    migrate.upgrade(engine)
    with engine.connect() as connection:
        answers = connection.execute(
            text("SELECT cycle, label, trust, around, safety, freed FROM pulse_answer ORDER BY cycle")
        ).all()
        voters = connection.execute(text("SELECT playbook_id, cycle, voter, label FROM pulse_voter")).all()
    assert [tuple(a)[:1] + tuple(a)[2:] for a in answers] == [(1, 3, None, 5, None), (2, 4, "never", None, "new")]
    assert answers[0][1] == "sealedlabel" and answers[1][1] != hashed
    assert [tuple(v) for v in voters] == [(pid, 2, hashed, answers[1][1])]
    migrate.downgrade(engine, "0063")  # and back: the open answer names its hash again
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT cycle, voter FROM pulse_answer ORDER BY cycle")).all()
    assert [tuple(k) for k in kept] == [(1, "sealedlabel"), (2, hashed)]
    migrate.upgrade(engine)  # the worker's database is left at the head, as the next test expects
    engine.dispose()
