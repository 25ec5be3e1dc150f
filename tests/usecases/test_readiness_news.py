"""The owners told once what readiness now misses (issue 81), on the database (SQLite and
PostgreSQL): a playbook owed the notice at the upgrade (migration 0063's row) gets its
owner's DM from the next tick, delivered by the outbox to Slack (the stand-in), and never
again: not from the next tick, nor from a second clock process. The cases are
tests/usecases/fast/test_readiness_news.py's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from tests.conftest import MEMBER, OWNER, Clock, Engine
from tests.usecases import test_replication
from tests.usecases.test_replication import run_weeks

TUESDAY_NIGHT = datetime(2026, 11, 17, 3, 7, tzinfo=UTC)  # nothing else due


def test_the_owner_is_told_once_across_two_ticks_and_two_clocks(engine, slack, playbook):
    slack.add_user(OWNER, tz="Europe/Berlin")
    slack.add_user(MEMBER, tz="Europe/Berlin")
    with engine.begin() as connection:  # as the upgrade records it
        connection.execute(
            text("INSERT INTO readiness_notice (playbook_id) VALUES (:id)"), {"id": playbook.playbook.id}
        )
    clock = Clock(TUESDAY_NIGHT)
    first, second = Engine(engine, slack, clock), Engine(engine, slack, clock)
    report = first.run(TUESDAY_NIGHT)
    assert report.counts[("readiness-news", "done")] == 1
    second.run(TUESDAY_NIGHT + timedelta(seconds=5))  # another clock process, the same minute
    first.run(TUESDAY_NIGHT + timedelta(minutes=1))
    told = [c.params for c in slack.calls_to("chat.postMessage") if "readiness rules changed" in str(c.params)]
    assert len(told) == 1 and told[0]["channel"] == OWNER
    assert "❌ Input contract" in str(told[0]) and "✅" not in str(told[0])
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM readiness_notice")).scalar() == 0
        assert connection.execute(text("SELECT status FROM cadence_job WHERE kind = 'readiness-news'")).all() == [
            ("done",)
        ]


ready = test_replication.ready  # the fixture: support-replies with a contract and a kit, curators set


def test_a_playbook_missing_nothing_is_cleared_without_a_word(bot, ready, slack, engine):
    """Two cycles that meet every criterion, then the upgrade's debt: nothing to tell."""
    run_weeks(bot, ready, range(1, 9))
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO readiness_notice (playbook_id) SELECT id FROM playbook"))
    before = len(slack.calls_to("chat.postMessage"))
    at = ready.clock() + timedelta(hours=1)
    assert ready.run(at).counts[("readiness-news", "skipped")] == 1
    assert not [c for c in slack.calls_to("chat.postMessage")[before:] if "readiness rules" in str(c.params)]
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM readiness_notice")).scalar() == 0
        assert connection.execute(text("SELECT note FROM cadence_job WHERE kind = 'readiness-news'")).all() == [
            ("nothing missing under the new rules",)
        ]
