"""A Prometheus source through the real clock: the week that ended asked of Debian's
Prometheus (backfilled), its number stored as a report by `source:<name>`, and the
week's close posting it with where it came from. The adapter's own tests are in
test_fetch.py; the other kinds through the clock in tests/usecases/test_sources.py."""

from copy import deepcopy
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text

from cadence.definition_load import parse_playbook
from tests.committed import loaded
from tests.conftest import CHANNEL, OWNER, SUPPORT_REPLIES, Clock, Engine
from usecases.shared.life import begin_cycle

WEEK = date(2026, 11, 16)  # first_response_minutes 20.0 all week (tests/sources/conftest.py)
WEEK_ENDS = datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # Monday 00:00 in Berlin
QUERY = "avg_over_time(first_response_minutes[1w])"


def test_the_clock_takes_the_weeks_kpi_from_prometheus_and_the_close_says_where_it_came_from(
    prometheus, engine, slack, store
):
    definition = deepcopy(SUPPORT_REPLIES)
    definition["sources"] = {"helpdesk": {"kind": "prometheus", "url": prometheus}}
    definition["kpi"]["from"] = {"source": "helpdesk", "query": QUERY}
    world = Engine(engine, slack, Clock(datetime(2026, 11, 16, 8, tzinfo=UTC)))
    loaded(store, [parse_playbook(definition)], "UTC", actor="test", at=world.clock())
    state = store.playbooks.state("support-replies")
    begin_cycle(store, state.playbook.id, 1, WEEK, OWNER, world.clock())

    world.run(WEEK_ENDS - timedelta(minutes=1))
    with engine.connect() as c:
        assert c.execute(text("select count(*) from source_fetch")).scalar() == 0  # the week has not ended
    world.run(WEEK_ENDS)
    with engine.connect() as c:
        reports = c.execute(text("select value, reported_by, week_start from kpi_reading")).all()
        fetches = c.execute(text("select number, source, asked, outcome, value from source_fetch")).all()
    assert [(v, by, str(w)) for v, by, w in reports] == [(20.0, "source:helpdesk", "2026-11-16")]
    assert [tuple(f) for f in fetches] == [("kpi", "helpdesk", QUERY, "fetched", 20.0)]

    world.run(WEEK_ENDS + timedelta(hours=12))  # the close, past its grace
    [closed] = [m for m in slack.posted(CHANNEL) if "closed" in m["text"]]
    assert "*First-response time:* 20 min" in str(closed["blocks"])
