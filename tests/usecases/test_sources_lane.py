"""The sources' pass beside the clock's tick, never inside it (bot/processes.py,
usecases/sources.py): a source that hangs holds no other playbook's close; a pass
starts no fetch after its deadline and leaves the rest, asked nothing twice, to the
next; a source that keeps failing is asked less often, not more; `rollout tick` still
fetches what is due."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from bot.cli import cli
from bot.processes import Clockwork
from cadence.sources import next_ask
from tests.conftest import BOT_TOKEN, OWNER, Clock, Engine
from tests.json_server import HANG, JsonServer
from tests.usecases.test_sources import WEEK_1_CLOSES, WEEK_1_ENDS, load, rows, sourced, stats

__all__ = ["stats"]  # a fixture


def test_a_hanging_source_delays_no_other_playbooks_close_through_the_clock(engine, slack, store, clock, stats):
    """One playbook's source hangs (it answers only when the test says), its numbers due
    since a minute before the other playbook's week closes: the clock's tick at the close
    closes the other's week while that fetch still hangs."""
    hanging = JsonServer().start()
    hanging.answers["/stats"] = HANG
    asked = threading.Event()
    hanging.on_request = asked.set
    load(store, clock, sourced(stats.url + "/stats"))
    slack.add_channel("CSLOWTEAM1", [OWNER])
    load(store, clock, sourced(hanging.url + "/stats", "slow-source", "CSLOWTEAM1"))
    world = Clock(WEEK_1_CLOSES - timedelta(minutes=1))
    parts = Engine(engine, slack, world)
    parts.cadence.sources.timeout = 600.0  # it hangs until the test lets it go
    clockwork = Clockwork(parts.cadence, parts.dispatcher, world)
    fetching = threading.Thread(target=clockwork.fetch_sources)
    try:
        fetching.start()
        assert asked.wait(60), "the pass never asked the hanging source"
        world.set(WEEK_1_CLOSES)
        clockwork.tick()
        assert fetching.is_alive()  # the fetch still hangs: the close did not wait for it
        closed = rows(engine, "select count(*) from cadence_job where kind = 'close' and status = 'done'")
        assert closed == [(2,)]
    finally:
        hanging.stop()  # the hanging fetch ends (unreachable); it stores nothing in a closed week
        fetching.join(60)
        clockwork.stop()
    assert not fetching.is_alive()
    assert rows(engine, "select count(*) from kpi_reading") == [(0,)]  # the pass ended after both weeks closed


def test_a_pass_starts_no_fetch_after_its_deadline_and_the_next_pass_asks_the_rest_once(
    engine, slack, store, clock, stats
):
    """Each answer takes 20 s of the clock's time; one fetch at a time: the pass's 45 s
    deadline comes after the third, so the fourth number waits for the next pass."""
    load(store, clock, sourced(stats.url + "/stats"))
    world = Engine(engine, slack, Clock(WEEK_1_ENDS))
    world.cadence.sources.workers = 1
    stats.on_request = lambda: world.clock.advance(seconds=20)
    first = world.cadence.sources.run_due(WEEK_1_ENDS)
    assert (first.asked, first.stored, first.deferred) == (3, 3, 1)
    assert first.summary() == "sourced numbers: 3 stored, 0 failed, 1 left for the next pass"
    assert rows(engine, "select count(*) from source_fetch") == [(3,)]  # the fourth: not asked, nothing kept
    second = world.cadence.sources.run_due(WEEK_1_ENDS + timedelta(minutes=1))
    assert (second.asked, second.stored, second.deferred) == (1, 1, 0)
    assert world.cadence.sources.run_due(WEEK_1_ENDS + timedelta(minutes=2)).asked == 0
    assert len(stats.requests) == 4
    assert rows(engine, "select count(*) from source_fetch") == [(4,)]
    assert rows(engine, "select count(*) from exception_report") == [(2,)]  # counted once


def test_a_stopping_clock_starts_no_fetch(engine, slack, store, clock, stats):
    load(store, clock, sourced(stats.url + "/stats"))
    world = Engine(engine, slack, Clock(WEEK_1_ENDS))
    stopping = threading.Event()
    stopping.set()
    done = world.cadence.sources.run_due(WEEK_1_ENDS, stopping)
    assert (done.asked, done.deferred) == (0, 4) and stats.requests == []
    assert rows(engine, "select count(*) from source_fetch") == [(0,)]


def test_a_source_that_keeps_failing_is_asked_less_often_and_a_last_time_before_the_close(
    engine, slack, store, clock, stats
):
    load(store, clock, sourced(stats.url + "/stats"))
    stats.answers["/stats"] = (503, {"error": "warehouse down"})
    world = Engine(engine, slack, Clock(WEEK_1_ENDS))
    asked_at = []
    at = WEEK_1_ENDS
    while at <= WEEK_1_CLOSES + timedelta(hours=1):
        before = len(stats.requests)
        world.run(at)
        if len(stats.requests) > before:
            assert len(stats.requests) - before == 4  # the source's numbers together
            asked_at.append(at - WEEK_1_ENDS)
        at += timedelta(minutes=30)
    hours = [d.total_seconds() / 3600 for d in asked_at]
    assert hours == [0, 0.5, 1.5, 3.5, 7.5, 11.5]  # not 24 times; the last half an hour before the close
    assert len(slack.posted(OWNER)) == 1  # said once that week


@pytest.mark.parametrize(
    ("failures", "after"),
    [(1, timedelta(minutes=30)), (2, timedelta(hours=1)), (3, timedelta(hours=2)), (4, timedelta(hours=4))],
)
def test_the_wait_doubles_up_to_four_hours(failures, after):
    last = datetime(2026, 11, 23, 0, tzinfo=UTC)
    assert next_ask(last, failures, last + timedelta(days=2)) == last + after
    assert next_ask(last, 9, last + timedelta(hours=3)) == last + timedelta(hours=2, minutes=30)  # a last chance
    assert next_ask(last, 9, last + timedelta(minutes=40)) == last + timedelta(minutes=30)  # no sooner than 30 min


def test_a_one_shot_tick_fetches_what_is_due(engine, slack, store, clock, stats, database_url, monkeypatch):
    for name, value in dict(
        DATABASE_URL=database_url, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_API_URL=slack.url, ROLLOUT_TIMEZONE="UTC"
    ).items():
        monkeypatch.setenv(name, value)
    load(store, clock, sourced(stats.url + "/stats"))
    at = WEEK_1_ENDS.isoformat()
    first = CliRunner().invoke(cli, ["tick", "--at", at, "--max-wait", "0"], catch_exceptions=False)
    assert "sourced numbers: 4 stored, 0 failed" in first.output
    assert rows(engine, "select value, reported_by from kpi_reading") == [(14.5, "source:ci-stats")]
    again = CliRunner().invoke(cli, ["tick", "--at", at, "--max-wait", "0"], catch_exceptions=False)
    assert "sourced numbers" not in again.output and len(stats.requests) == 4


def test_the_clock_runs_the_sources_pass_as_a_job_of_its_own(engine, slack, clock):
    from apscheduler.schedulers.background import BackgroundScheduler

    parts = Engine(engine, slack, clock)
    scheduler = Clockwork(parts.cadence, parts.dispatcher, clock)._schedule(BackgroundScheduler(timezone="UTC"))
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert sorted(jobs) == ["sources", "tick", "usage"]
    assert jobs["sources"].func != jobs["tick"].func and jobs["sources"].max_instances == 1
    # the usage records' pass: a job of its own too, each hour at 17 past (usecases/usage_clock.py)
    assert jobs["usage"].func not in (jobs["tick"].func, jobs["sources"].func) and jobs["usage"].max_instances == 1
    assert str(jobs["usage"].trigger) == "cron[minute='17', second='0']"
