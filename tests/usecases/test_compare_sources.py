"""The rest's KPI from a source (`rest_query` / `rest_path` beside the KPI's own, with
`compare`): fetched through the real clock when the week ends and stored as the rest's
report; a rest that fails is missing, never a guessed number (docs/sources.md)."""

from copy import deepcopy
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import CHANNEL, MEMBER, OWNER, SUPPORT_REPLIES, Clock, Engine
from tests.handlers.test_commands import assert_refused
from tests.json_server import JsonServer
from tests.usecases.test_sources import TOKEN, WEEK_1_CLOSES, WEEK_1_ENDS, load, rows


@pytest.fixture
def stats(monkeypatch):
    monkeypatch.setenv("CI_TOKEN", TOKEN)
    server = JsonServer().start()
    server.answers["/stats"] = (200, {"kpi": 14.5, "rest": {"kpi": 21.0}})
    yield server
    server.stop()


@pytest.fixture
def clockwork(engine, slack, store, clock, stats):
    definition = deepcopy(SUPPORT_REPLIES)
    definition["sources"] = {"ci-stats": {"kind": "http", "url": stats.url + "/stats", "token_env": "CI_TOKEN"}}
    definition["kpi"] = {
        **definition["kpi"],
        "compare": "rest",
        "from": {"source": "ci-stats", "path": "kpi", "rest_path": "rest.kpi"},
    }
    load(store, clock, definition)
    return Engine(engine, slack, Clock(datetime(2026, 11, 22, 12, tzinfo=UTC)))


def test_the_rest_is_fetched_beside_the_kpi_and_stored_as_the_rests(clockwork, engine, stats):
    clockwork.run(WEEK_1_ENDS)
    assert rows(engine, "select value, reported_by from kpi_reading") == [(14.5, "source:ci-stats")]
    assert rows(engine, "select value, reported_by from kpi_rest_reading") == [(21.0, "source:ci-stats")]
    fetched = rows(engine, "select number, asked, outcome, value from source_fetch order by number")
    assert fetched == [("kpi", "path kpi", "fetched", 14.5), ("rest", "path rest.kpi", "fetched", 21.0)]


def test_a_rest_that_fails_is_missing_and_the_kpi_still_counts(clockwork, engine, stats, slack):
    stats.answers["/stats"] = (200, {"kpi": 14.5, "rest": {}})
    clockwork.run(WEEK_1_ENDS)
    assert rows(engine, "select value from kpi_reading") == [(14.5,)]
    assert rows(engine, "select count(*) from kpi_rest_reading") == [(0,)]
    assert rows(engine, "select number, outcome from source_fetch where number = 'rest'") == [("rest", "failed")]
    said = str(slack.posted(OWNER)[0]["blocks"])
    assert "the rest's KPI (First-response time)" in said
    clockwork.run(WEEK_1_CLOSES + timedelta(minutes=1))
    missing = rows(engine, "select summary from decision where kind = 'source-missing'")
    assert any(s.startswith("the rest's KPI (First-response time): MISSING") for (s,) in missing), missing
    assert rows(engine, "select count(*) from kpi_rest_reading") == [(0,)]  # never a guessed number
    assert [m for m in slack.posted(CHANNEL) if "closed" in m["text"]]


def test_a_typed_rest_is_refused_naming_its_source(bot, clockwork, engine):
    assert_refused(bot.command("kpi support-replies rest 20", user=MEMBER), "ci-stats")
    assert rows(engine, "select count(*) from kpi_rest_reading") == [(0,)]
