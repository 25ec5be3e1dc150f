"""The web overview's first screen (usecases/web.py, `overview`): the active playbooks on
track, at risk and not yet judged, counted from reports sent through Slack's signed
requests and weeks closed by the clock; the funnel; each active playbook's way to its
target week by week, from its first week with a KPI; the org's trend from its first week
with data. SQLite and PostgreSQL: the page served, and the digest judging each playbook as
the overview does. What the first screen counts and charts, and titles told apart, are
tests/usecases/fast/test_web_overview.py's, on the fakes."""

import copy
import json
from datetime import date, timedelta

import pytest

from cadence.definition import parse_playbook
from slack_api.members import TeamDirectory
from tests.committed import loaded
from tests.conftest import ADMIN, OWNER, SUPPORT_REPLIES
from tests.usecases.test_governance import CURATORS, close_of, report_week, wednesday, world
from usecases import web, web_overview
from usecases.shared.life import begin_cycle
from usecases.shared.services import Services

__all__ = ["world"]  # a fixture

AT_RISK, LATER, PAUSED = "missing-target", "starts-later", "paused-one"


@pytest.fixture
def services(store, clock):
    return Services(
        store=store, clock=clock, admins=frozenset({ADMIN}), org_timezone="UTC", directory=TeamDirectory(ttl_seconds=0)
    )


@pytest.fixture
def org(bot, world, slack, store, clock):
    """support-replies meets its target (15 min, lower is better) in weeks 2 and 3, after
    a week 1 without a KPI; missing-target reports 30 min in weeks 1 to 3; starts-later
    begins its first cycle in week 4; paused-one is paused. Weeks 1 to 3 closed; it is
    Wednesday of week 4."""
    for slug, starts in ((AT_RISK, date(2026, 11, 16)), (LATER, date(2026, 12, 7)), (PAUSED, date(2026, 11, 16))):
        channel = "C" + slug.upper().replace("-", "")[:9]
        slack.add_channel(channel, [OWNER, "UROLLOUTBOT"])
        raw = copy.deepcopy(SUPPORT_REPLIES)
        raw.update(playbook=slug, title=slug.replace("-", " ").title(), channel=channel)
        loaded(store, [parse_playbook(raw)], "UTC", actor="test", at=clock())
        state = store.playbooks.state(slug)
        begin_cycle(store, state.playbook.id, 1, starts, OWNER, clock())
    for week in (1, 2, 3):
        report_week(bot, clock, week, kpi=None if week == 1 else "14")
        assert "Recorded" in bot.command(f"kpi {AT_RISK} 30", user=OWNER).text
        world.run(close_of(week))
    clock.set(wednesday(4))
    assert "paused" in bot.command(f"pause {PAUSED} a quiet month", user=OWNER).text.lower()
    return world


def test_the_first_screen_is_the_pages_first(services, org, http_server, database_url, slack, store, clock):
    from bot.app import create_app
    from bot.web import make_asgi
    from tests.bot.test_web_view import fetch, signed_in
    from tests.conftest import SlackRequests, settings_for

    mount, url = http_server
    settings = settings_for(database_url, slack, rollout_web_url="https://rollout.example.com")
    mount.app = make_asgi(create_app(settings, store, clock=clock), store, clock)
    status, _, page = fetch(url + "/web/", signed_in(SlackRequests(url), OWNER))
    assert status == 200
    # counts, then the funnel, then the small charts, then the tables
    order = [page.index(s) for s in ("1</strong> on track", "4</strong> pilot", 'class="chart small"', "<table>")]
    assert order == sorted(order)
    assert page.count('class="chart small"') == 2  # starts-later has no KPI to chart
    assert "latest 104% of the way; 2 of 3 weeks reported, between 104% and 104%" in page
    # the org's trend: one measure per chart
    assert "The org&#39;s exception ratio" in page and "The org&#39;s attestation rate" in page
    status, _, csv = fetch(url + "/web/overview.csv", signed_in(SlackRequests(url), OWNER))
    header, *rows = csv.splitlines()
    assert header == "week,exception ratio %,attestation rate %" and rows[0].startswith("2026-11-16,")
    assert all(len(cell.split(".")[-1]) <= 1 for row in rows for cell in row.split(",")[1:] if "." in cell)


def _digest(slack, after):
    """The digest's summary and its Support thread, as the curators channel got them after
    the `after` messages before it."""
    posted = slack.posted(CURATORS)[after:]
    summary = next(m for m in posted if "Week of" in m["text"] or "digest" in m["text"].lower())
    [thread] = [m for m in posted if m["text"].startswith("Support: ")]
    return json.dumps(summary["blocks"], ensure_ascii=False), json.dumps(thread["blocks"], ensure_ascii=False)


def test_the_digest_and_the_overview_judge_each_playbook_alike(bot, world, services, slack, store, clock):
    """Issue 54, item 9: one standing (cadence.sponsor.standing) for the digest and the
    web overview. support-replies meets its target in both closed weeks with a step near
    its cap: on track, the cap a thing to watch, not a risk to count; missing-target
    misses it: at risk. Then missing-target is paused and resumed in week 3: the digest
    does not judge it on the week the pause cut (no "KPI not reported"), nor does the
    overview on the cycle the pause interrupted."""
    slack.add_channel("CMISSING01", [OWNER, "UROLLOUTBOT"])
    raw = copy.deepcopy(SUPPORT_REPLIES)
    raw.update(playbook=AT_RISK, title="Missing Target", channel="CMISSING01")
    loaded(store, [parse_playbook(raw)], "UTC", actor="test", at=clock())
    begin_cycle(store, store.playbooks.state(AT_RISK).playbook.id, 1, date(2026, 11, 16), OWNER, clock())
    for week in (1, 2):
        report_week(bot, clock, week, draft=(20, 2, "95%"))  # 14 min: on target; draft at its cap
        assert "Recorded" in bot.command(f"kpi {AT_RISK} 30", user=OWNER).text
        world.run(close_of(week))
    before = len(slack.posted(CURATORS))
    world.run(close_of(2) + timedelta(hours=2))  # Monday 13:00: the digest
    summary, thread = _digest(slack, before)
    assert "1 playbook at risk" in summary and "playbook stalled" not in summary
    assert "*support-replies* ·" in thread and ":warning: *missing-target*" in thread
    assert "· *on track* (this cycle: target met in weeks 1, 2)" in thread
    assert "· *at risk* (this cycle: target met in no week yet)" in thread
    assert "*Watch:* draft near its cap" in thread and "At risk:" not in thread
    shown = web_overview.overview(services, web.Viewer(OWNER))
    assert shown.standings == {"on track": 1, "at risk": 1, "stalled": 0, "not judged yet": 0}

    clock.set(wednesday(3))
    assert "paused" in bot.command(f"pause {AT_RISK} a quiet week", user=OWNER).text.lower()
    report_week(bot, clock, 3)
    clock.set(wednesday(3) + timedelta(days=1))
    bot.command(f"resume {AT_RISK}", user=OWNER)
    world.run(close_of(3))
    before = len(slack.posted(CURATORS))
    world.run(close_of(3) + timedelta(hours=2))
    summary, thread = _digest(slack, before)
    assert "at risk" not in summary and "playbook stalled" not in summary
    paused = thread[thread.index("*missing-target*") : thread.index("*support-replies*")]
    assert "paused, no KPI last week (target 15 min)" in paused and "· *not judged yet*" in paused
    assert "not reported" not in paused and "Watch:" not in paused  # a paused team was asked for nothing
    shown = web_overview.overview(services, web.Viewer(OWNER))
    assert shown.standings == {"on track": 1, "at risk": 0, "stalled": 0, "not judged yet": 1}
