"""The web overview's first screen (usecases/web.py, `overview`) served: the active
playbooks on track, at risk and not yet judged, counted from reports sent through Slack's
signed requests and weeks closed by the clock; the funnel; each playbook's way to its
target; the org's trend. SQLite and PostgreSQL. What the first screen counts and charts,
titles told apart, and the digest judging each playbook as the overview does, are
tests/usecases/fast/test_web_overview.py's, on the fakes."""

import copy
from datetime import date

import pytest

from cadence.definition_load import parse_playbook
from slack_api.members import TeamDirectory
from tests.committed import loaded
from tests.conftest import ADMIN, OWNER, SUPPORT_REPLIES
from tests.usecases.test_governance import close_of, report_week, wednesday, world
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
