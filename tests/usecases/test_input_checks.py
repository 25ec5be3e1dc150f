"""The AI's inputs, checked (docs/sources.md, "Input checks"), through the real clock, a
real SQL source (the test's own database, SQLite or PostgreSQL) and the Slack stand-in:
asked once a week from Sunday 12:00 to the week's close; a value below its min tells the
exception owner once, quoting what the contract says to do; a failing or slow check is
shown as failed and holds no close; status shows each check's value and min."""

import json
import uuid
from copy import deepcopy
from datetime import timedelta

import pytest
from sqlalchemy import text

from tests.conftest import MEMBER, OWNER, SUPPORT_REPLIES, Clock, Engine
from tests.usecases.test_sources import WEEK_1_CLOSES, WEEK_1_ENDS, load, rows

SUNDAY_NOON = WEEK_1_ENDS - timedelta(hours=12)  # Sunday 12:00 in Berlin, the playbook's zone


def checked(query: str) -> dict:
    definition = deepcopy(SUPPORT_REPLIES)
    definition["exception_owner"] = MEMBER
    definition["sources"] = {"warehouse": {"kind": "sql", "url_env": "WAREHOUSE_URL"}}
    definition["inputs"] = [
        "ticket text",
        {
            "name": "ticket history",
            "owner": f"<@{OWNER}|owner>",
            "refresh": "daily",
            "when_missing": "draft by hand",
            "check": {"source": "warehouse", "query": query, "min": 0.95},
        },
    ]
    return definition


class Warehouse:
    """The warehouse is the test's own database, holding the share of tickets with history
    in a table of the test's own."""

    def __init__(self, engine):
        self.engine, self.table = engine, f"input_quality_{uuid.uuid4().hex[:10]}"
        self.query = f"select share from {self.table}"
        self.run(f"create table {self.table} (share float)")
        self.run(f"insert into {self.table} values (0.97)")

    def run(self, sql: str, **params) -> None:
        with self.engine.begin() as connection:
            connection.execute(text(sql), params)

    def share(self, value: float) -> None:
        self.run(f"update {self.table} set share = :v", v=value)


@pytest.fixture
def warehouse(engine, database_url, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_URL", database_url)
    made = Warehouse(engine)
    yield made
    made.run(f"drop table if exists {made.table}")


@pytest.fixture
def world(warehouse, engine, slack, store, clock):
    load(store, clock, checked(warehouse.query))
    return Engine(engine, slack, clock)  # the bot's clock: status reads at the instant the clock ran


def results(engine) -> list[tuple]:
    return rows(engine, "select week_start, input, outcome, value, minimum from input_check order by id")


def test_a_check_is_asked_once_a_week_from_sunday_noon_and_stored(world, engine, slack):
    world.run(SUNDAY_NOON - timedelta(minutes=1))
    assert results(engine) == []  # before Sunday 12:00, not asked
    world.run(SUNDAY_NOON)
    [(week, name, outcome, value, minimum)] = results(engine)
    assert (str(week), name, outcome, value, minimum) == ("2026-11-16", "ticket history", "met", 0.97, 0.95)
    world.run(SUNDAY_NOON + timedelta(hours=1))
    world.run(WEEK_1_ENDS)
    assert len(results(engine)) == 1  # once a week
    assert slack.posted(MEMBER) == []  # met: nobody is told


def test_a_check_below_its_min_tells_the_exception_owner_once_quoting_the_contract(world, engine, slack, warehouse):
    warehouse.share(0.8)
    world.run(SUNDAY_NOON)
    assert [r[2:4] for r in results(engine)] == [("below", 0.8)]
    [told] = slack.posted(MEMBER)
    said = json.dumps(told["blocks"], ensure_ascii=False)
    assert "ticket history" in said and "checked 0.8 against its min 0.95" in said
    assert "draft by hand" in said
    assert slack.posted(OWNER) == []  # the exception owner is told, not the owner
    # later passes, and a restarted clock on the same database, say nothing again
    world.run(SUNDAY_NOON + timedelta(hours=2))
    again = Engine(engine, slack, Clock(WEEK_1_ENDS))
    again.run(WEEK_1_ENDS)
    again.run(WEEK_1_CLOSES - timedelta(minutes=1))
    assert len(slack.posted(MEMBER)) == 1
    assert rows(engine, "select count(*) from cadence_job where kind = 'input-below'") == [(1,)]


def test_a_failing_check_is_shown_as_failed_asked_again_and_holds_no_close(world, engine, slack, warehouse, bot):
    warehouse.run(f"drop table {warehouse.table}")
    world.run(SUNDAY_NOON)
    [(outcome, error)] = rows(engine, "select outcome, error from input_check")
    assert outcome == "failed" and warehouse.table in error
    assert "Traceback" not in error
    world.run(SUNDAY_NOON + timedelta(minutes=29))
    assert len(results(engine)) == 1
    world.run(SUNDAY_NOON + timedelta(minutes=30))  # asked again, as a failed sourced number is
    assert len(results(engine)) == 2
    world.run(WEEK_1_CLOSES)
    assert rows(engine, "select count(*) from cadence_job where kind = 'close' and status = 'done'") == [(1,)]
    assert slack.posted(MEMBER) == []  # a failure is shown, not a value below the min
    world.clock.set(WEEK_1_CLOSES + timedelta(hours=1))
    status = bot.command("status support-replies", user=OWNER).text
    assert "Input checks" in status and "ticket history: check failed:" in status


def test_a_slow_check_costs_its_timeout_and_holds_no_close(warehouse, engine, slack, store, clock, database_url):
    slow = (
        "select 1 from pg_sleep(30)"
        if engine.dialect.name == "postgresql"
        else "with recursive n(i) as (select 1 union all select i + 1 from n) select count(*) from n"
    )
    load(store, clock, checked(slow))
    world = Engine(engine, slack, Clock(WEEK_1_CLOSES - timedelta(minutes=1)))
    world.cadence.sources.timeout = 1.0
    world.run(WEEK_1_CLOSES - timedelta(minutes=1))  # the statement never ends by itself
    assert rows(engine, "select outcome, error from input_check") == [("failed", "timeout: no answer within 1 s")]
    world.run(WEEK_1_CLOSES)
    assert rows(engine, "select count(*) from cadence_job where kind = 'close' and status = 'done'") == [(1,)]


def test_status_shows_each_check_value_and_min(world, engine, bot, warehouse):
    warehouse.share(0.8)
    world.run(SUNDAY_NOON)
    world.clock.set(SUNDAY_NOON + timedelta(hours=1))
    status = bot.command("status support-replies", user=OWNER).text
    assert "ticket history: 0.8 &lt; min 0.95, below its min (week of 2026-11-16, from warehouse)" in status
    assert "takes ticket text, ticket history" in status  # the input contract, by name


def test_a_playbook_without_checks_asks_nothing(engine, slack, store, clock, warehouse):
    load(store, clock, SUPPORT_REPLIES)
    Engine(engine, slack, Clock(SUNDAY_NOON)).run(SUNDAY_NOON)
    assert results(engine) == []


def test_the_web_view_shows_each_check_value_and_min(world, http_server, database_url, store, slack, clock):
    from bot.app import create_app
    from bot.web import make_asgi
    from tests.bot.test_web_view import fetch, signed_in
    from tests.conftest import SlackRequests, settings_for

    world.run(SUNDAY_NOON)
    clock.set(SUNDAY_NOON + timedelta(hours=1))
    mount, url = http_server
    settings = settings_for(database_url, slack, rollout_web_url="https://rollout.example.com")
    mount.app = make_asgi(create_app(settings, store, clock=clock), store, clock)
    try:
        cookie = signed_in(SlackRequests(url), OWNER)
        status, _, page = fetch(url + "/web/playbooks/support-replies", cookie)
        assert status == 200 and "<h2>Input checks</h2>" in page
        assert "ticket history: 0.97 ≥ min 0.95 (week of 2026-11-16, from warehouse)" in page
    finally:
        mount.app = None


def test_two_clocks_at_once_settle_a_check_once_and_tell_once(world, engine, store, slack, warehouse):
    """A second clock that found the check due before the first stored its result: its
    result is refused whole by the database's unique index, and its DM with it."""
    from usecases.input_checks import CheckAnswer, InputClock

    warehouse.share(0.8)
    second = InputClock(store, lambda: SUNDAY_NOON, {}, workers=1, timeout=10.0)
    [job] = second.due(store.playbooks.clock_states(), SUNDAY_NOON)
    world.run(SUNDAY_NOON)  # the first clock stores the result and its DM
    assert second._store([CheckAnswer(job, 0.8, None, SUNDAY_NOON)]) == []
    assert [r[2] for r in results(engine)] == ["below"]
    assert len(slack.posted(MEMBER)) == 1
