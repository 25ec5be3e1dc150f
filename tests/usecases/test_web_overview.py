"""The web overview's first screen (usecases/web.py, `overview`) served: the active
playbooks on track, at risk and not yet judged, counted from reports sent through Slack's
signed requests and weeks closed by the clock; the funnel; each playbook's way to its
target; the org's trend. SQLite and PostgreSQL. What the first screen counts and charts,
titles told apart, and the digest judging each playbook as the overview does, read on the
database too (moved from the fakes, tests/usecases/fast/test_web_overview.py, issue 110, item 6: the
overview's reads only render, and are not faked)."""

import copy
import json
from datetime import date, timedelta

import pytest

from cadence.definition_load import parse_playbook
from handlers import present_overview, web_playbook
from slack_api.members import TeamDirectory
from tests.committed import loaded
from tests.conftest import ADMIN, OWNER, SUPPORT_REPLIES
from tests.usecases import on_database
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


def test_the_first_screen_counts_the_active_playbooks_by_standing_and_charts_each_ones_way(services, org):
    shown = present_overview.shown(web_overview.overview(services, web.Viewer(OWNER)))
    # support-replies met 15 in 2 of its 3 closed weeks: on track; missing-target in none:
    # at risk; starts-later has no closed week to judge; the paused one is not counted.
    assert shown["standings"] == {"on track": 1, "at risk": 1, "stalled": 0, "not judged yet": 1}
    by_slug = {p["slug"]: p for p in shown["progress"]}
    assert set(by_slug) == {"support-replies", AT_RISK, LATER}
    ours = by_slug["support-replies"]
    assert ours["standing"] == "on track"
    # from its first week with a KPI (week 2), not the empty week 1 before it
    assert ours["weeks"] == ["C1W2", "C1W3", "C1W4"]
    assert ours["shares"] == [pytest.approx(28 / 27), pytest.approx(28 / 27), None]
    assert ours["latest"] == pytest.approx(28 / 27)
    assert by_slug[AT_RISK]["standing"] == "at risk" and by_slug[AT_RISK]["weeks"][0] == "C1W1"
    assert by_slug[AT_RISK]["shares"][0] == pytest.approx((30 - 42) / (15 - 42))
    assert by_slug[LATER] == dict(
        slug=LATER,
        title="Starts Later",
        standing="not judged yet",
        weeks=[],
        shares=[],
        latest=None,
        known=0,
        lowest=None,
        highest=None,
    )
    # Issue 67, item 2: each playbook's own page says the standing the overview counts it by
    for slug in ("support-replies", AT_RISK, LATER, PAUSED):
        page = web.playbook_page(services, web.Viewer(OWNER), slug)
        assert page is not None
        assert web_playbook.shown(page)["standing"] == (
            by_slug[slug]["standing"] if slug in by_slug else "not judged yet"
        ), slug
    assert (ours["known"], ours["lowest"], ours["highest"]) == (2, pytest.approx(28 / 27), pytest.approx(28 / 27))
    # every playbook, paused too, counted once at its furthest stage: all pilots here
    assert [(f["stage"], f["at"], f["reached"]) for f in shown["funnel"]] == [
        ("pilot", 4, 4),
        ("ready", 0, 0),
        ("published", 0, 0),
        ("adopted", 0, 0),
        ("replicated", 0, 0),
    ]
    # the org's trend starts at its first closed week with data: none of the empty half year before
    assert [t["week"] for t in shown["trend"]] == [date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30)]
    assert all(t["exceptions"] is not None for t in shown["trend"])


def test_playbooks_of_one_title_are_told_apart_by_their_slugs(services, org, store):
    """An adopter keeps its origin's title: where a title repeats, the small charts'
    headings add each one's slug; a title of its own is shown as it is."""
    on_database.a_playbook(
        store, "support-replies-sales", cycle_started=date(2026, 11, 30), channel="CSALESTEAM", org_timezone="UTC"
    )
    titles = {p.slug: p.title for p in web_overview.overview(services, web.Viewer(OWNER)).progress}
    assert titles["support-replies"] == "Support reply drafting (support-replies)"
    assert titles["support-replies-sales"] == "Support reply drafting (support-replies-sales)"
    assert titles[AT_RISK] == "Missing Target"


def test_the_digest_and_the_overview_judge_each_playbook_alike(bot, world, slack, store, clock, services):
    """Issue 54, item 9: one standing (cadence.sponsor.standing) for the digest and the
    web overview. support-replies (its draft needing no calibration set) meets its target in
    both closed weeks with a step near its cap: on track, the cap a thing to watch, not a
    risk to count; missing-target misses it: at risk. Then missing-target is paused and
    resumed in week 3: the digest does not judge it on the week the pause cut (no "KPI not
    reported"), nor does the overview on the cycle the pause interrupted."""
    slack.add_channel("CMISSING01", [OWNER, "UROLLOUTBOT"])
    raw = copy.deepcopy(SUPPORT_REPLIES)
    raw.update(playbook=AT_RISK, title="Missing Target", channel="CMISSING01")
    loaded(store, [parse_playbook(raw)], "UTC", actor="test", at=clock())
    begin_cycle(store, store.playbooks.state(AT_RISK).playbook.id, 1, date(2026, 11, 16), OWNER, clock())

    def digest():
        """The digest's summary and its Support thread, as the curators channel got them after `before`."""
        sent = slack.posted(CURATORS)[before:]
        summary = next(m for m in sent if "Week of" in m["text"] or "digest" in m["text"].lower())
        [thread] = [m for m in sent if m["text"].startswith("Support: ")]
        return json.dumps(summary["blocks"], ensure_ascii=False), json.dumps(thread["blocks"], ensure_ascii=False)

    for week in (1, 2):
        report_week(bot, clock, week, draft=(20, 2, "95%"))  # 14 min: on target; draft at its cap
        assert "Recorded" in bot.command(f"kpi {AT_RISK} 30", user=OWNER).text
        world.run(close_of(week))
    before = len(slack.posted(CURATORS))
    world.run(close_of(2) + timedelta(hours=2))  # Monday 13:00: the digest
    summary, thread = digest()
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
    summary, thread = digest()
    assert "at risk" not in summary and "playbook stalled" not in summary
    paused = thread[thread.index("*missing-target*") : thread.index("*support-replies*")]
    assert "paused, no KPI last week (target 15 min)" in paused and "· *not judged yet*" in paused
    assert "not reported" not in paused and "Watch:" not in paused  # a paused team was asked for nothing
    shown = web_overview.overview(services, web.Viewer(OWNER))
    assert shown.standings == {"on track": 1, "at risk": 0, "stalled": 0, "not judged yet": 1}
