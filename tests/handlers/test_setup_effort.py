"""Setup in under an hour (issue 97, item 7) end to end: an adopting team's people open the
bot's forms (views.open, its time kept by the view's id) and submit them (signed
view_submissions), a member answers the first check-in, and `/rollout registry` and the
web view's registry say the version's median active setup time and how many teams set up
in under an hour. On SQLite and PostgreSQL."""

import copy
import re
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from bot.app import create_app
from bot.demo.standin.slack_requests import view_identity
from bot.web import make_asgi
from cadence.definition_load import parse_playbook
from storage.models.bookkeeping import FormTime
from tests.bot.test_web_view import fetch
from tests.committed import loaded
from tests.conftest import ADMIN, OWNER, SUPPORT_REPLIES, Engine, settings_for
from tests.usecases.test_governance import CURATOR, CURATORS, publish_over, wednesday

SALES, SALES_OWNER, SALES_MEMBER = "CSALES0001", "USALESOWN1", "USALESMEM1"


@pytest.fixture
def adopted(bot, engine, slack, clock, store):
    """support-replies v1 published and adopted by #sales from this week's Monday."""
    loaded(store, [parse_playbook(copy.deepcopy(SUPPORT_REPLIES))], "UTC", actor="test", at=clock())
    slack.add_channel(CURATORS, [CURATOR, ADMIN])
    slack.add_channel(SALES, [SALES_OWNER, SALES_MEMBER, "UROLLOUTBOT"])
    for user in (OWNER, CURATOR, SALES_OWNER, SALES_MEMBER):
        slack.add_user(user, tz="UTC")
    bot.command(f"curator add <@{CURATOR}>", user=ADMIN)
    bot.command(f"curators-channel <#{CURATORS}|curators>", user=ADMIN)
    clock.set(wednesday(1))
    assert "support-replies v1" in publish_over(bot, store, "publish support-replies override sharing it early")
    bot.command(f"adopt support-replies <#{SALES}|sales> owner <@{SALES_OWNER}> start:2026-11-16", user=CURATOR)
    assert store.playbooks.state("support-replies-sales") is not None
    return Engine(engine, slack, clock)


def submit(bot, view, view_id, values, user):
    """The view Slack opened as `view_id`, submitted with `values`."""
    state = {"values": {block: {"value": {"type": "plain_text_input", "value": v}} for block, v in values.items()}}
    identity = dict(view_identity(), id=view_id)
    return bot.interaction(
        {"type": "view_submission", "user": {"id": user}, "view": {**view, "state": state, **identity}}
    )


def forms(engine):
    with Session(engine) as s:
        return [(f.user_id, f.opened_at, f.submitted_at) for f in s.exec(select(FormTime).order_by(FormTime.opened_at))]


def web_registry(bot, world, slack, store, http_server, database_url):
    """The web view's registry page, signed in as Slack signs one in: `/rollout web`'s link."""
    mount, url = http_server
    settings = settings_for(database_url, slack, rollout_web_url=url)
    mount.app = make_asgi(create_app(settings, store, clock=world.clock), store, world.clock)
    link = re.search(r"(/web/login\?token=[A-Za-z0-9_-]+)", bot.command("web", user=CURATOR).text)
    cookie = fetch(url + link.group(1))[1]["Set-Cookie"].split(";")[0]
    code, _, page = fetch(url + "/web/registry", cookie)
    assert code == 200
    return page


def test_the_registry_says_the_versions_active_setup_time_from_the_forms(
    bot, adopted, slack, clock, engine, store, http_server, database_url
):
    opened_at = clock()
    bot.command("kpi", user=SALES_OWNER, channel=SALES)  # the KPI's form, for this channel's playbook
    view = slack.opened_views[-1]
    view_id = f"V{len(slack.opened_views):08d}"  # the stand-in's id for it, as views.open answered
    clock.set(opened_at + timedelta(minutes=6))
    submit(bot, view, view_id, {"value": "40"}, SALES_OWNER)
    clock.set(opened_at + timedelta(minutes=9))
    bot.command("kpi", user=SALES_MEMBER, channel=SALES)  # opened, never submitted: counts 20 minutes
    assert forms(engine) == [
        (SALES_OWNER, opened_at, opened_at + timedelta(minutes=6)),
        (SALES_MEMBER, opened_at + timedelta(minutes=9), None),
    ]

    listed = bot.command("registry", user=CURATOR).text
    assert "median setup" not in listed  # no check-in answered yet: nothing to measure
    assert "Median setup" not in web_registry(bot, adopted, slack, store, http_server, database_url)
    clock.set(opened_at + timedelta(minutes=30))
    assert "Check-in recorded" in bot.command("attest support-replies-sales yes", user=SALES_MEMBER, channel=SALES).text
    listed = bot.command("registry", user=CURATOR).text
    assert "median setup 26 min over 1 team; under an hour: 1 of 1" in listed
    page = web_registry(bot, adopted, slack, store, http_server, database_url)
    assert '<p class="setup">Median setup 26 min over 1 team; under an hour: 1 of 1 <span class="muted">' in page
