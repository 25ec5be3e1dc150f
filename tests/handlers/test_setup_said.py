"""Setup as the seed means it (issue 112, item 2) end to end, on SQLite and PostgreSQL:
an adopting playbook's first check-in answered sends its champion (else its owner) one DM,
whose *Tell us how setup went* opens a form of two questions (signed block action, signed
view_submission); the answer is kept once, and `/rollout registry`, the web view's
registry and the API's show it beside the minutes measured in the forms, with the mark of
a kit that needs work."""

import copy
import json
from datetime import date

import pytest
from sqlmodel import Session, select

from cadence.definition_load import parse_playbook
from storage.models.bookkeeping import SetupSaid
from tests.bot.test_mcp import get
from tests.committed import loaded
from tests.conftest import ADMIN, OWNER, SUPPORT_REPLIES, Engine
from tests.handlers.test_setup_effort import SALES, SALES_MEMBER, SALES_OWNER, registry, web_registry
from tests.openapi_check import described
from tests.usecases.test_governance import CURATOR, CURATORS, buttons, publish_over, wednesday
from usecases import tokens
from usecases.shared import adoption
from usecases.shared.messages import Adopt


@pytest.fixture
def adopted(bot, engine, slack, clock, store):
    """support-replies v1 published and adopted by #sales from this week's Monday, past its
    phase by a curator's override (the adopt's gates are not what is tested here)."""
    loaded(store, [parse_playbook(copy.deepcopy(SUPPORT_REPLIES))], "UTC", actor="test", at=clock())
    slack.add_channel(CURATORS, [CURATOR, ADMIN])
    slack.add_channel(SALES, [SALES_OWNER, SALES_MEMBER, "UROLLOUTBOT"])
    for user in (OWNER, CURATOR, SALES_OWNER, SALES_MEMBER):
        slack.add_user(user, tz="UTC")
    bot.command(f"curator add <@{CURATOR}>", user=ADMIN)
    bot.command(f"curators-channel <#{CURATORS}|curators>", user=ADMIN)
    clock.set(wednesday(1))
    assert "support-replies v1" in publish_over(bot, store, "publish support-replies override sharing it early")
    cmd = Adopt("support-replies", None, SALES, "sales", SALES_OWNER, starts_on=date(2026, 11, 16), override="early")
    adoption.adopt(store, cmd, CURATOR, clock(), "UTC")
    assert store.playbooks.state("support-replies-sales") is not None
    return Engine(engine, slack, clock)


DM = "DSALESOWN1"  # the owner's DM, as the stand-in names it
LINE = "setup: 90 min said, 0 min in forms; a meeting needed by 1 of 1 team"


def asks(world, slack):
    world.dispatcher.drain(max_wait=0)
    return [m for m in slack.posted(SALES_OWNER) if m["text"] == "support-replies-sales: how did setup go?"]


def said(engine):
    with Session(engine) as s:
        return [(r.minutes, r.meeting, r.said_by) for r in s.exec(select(SetupSaid))]


def opened(slack):
    view = slack.calls_to("views.open")[-1].params["view"]
    return json.loads(view) if isinstance(view, str) else view


def answer(bot, slack, user, minutes, meeting):
    """The form as Slack opened it last, sent with `minutes` typed and `meeting` picked."""
    view = {"id": f"V{len(slack.calls_to('views.open')):08d}", **opened(slack)}
    values = {
        "minutes": {"type": "number_input", "value": minutes},
        "meeting": {"type": "radio_buttons", "selected_option": {"value": meeting} if meeting else None},
    }
    return bot.submit(user, view, values)


def test_the_owner_is_asked_once_and_the_registry_shows_what_was_said(
    bot, adopted, slack, clock, engine, store, http_server, database_url
):
    assert asks(adopted, slack) == []  # adopted: nothing asked before a check-in
    assert "Check-in recorded" in bot.command("attest support-replies-sales yes", user=SALES_MEMBER, channel=SALES).text
    assert "Check-in recorded" in bot.command("attest support-replies-sales yes", user=SALES_OWNER, channel=SALES).text
    [dm] = asks(adopted, slack)  # one DM, to the champion (the owner, named at the adopt), however many check-ins
    [button] = buttons(dm)
    assert (button["action_id"], button["text"]["text"]) == ("setup_said_open", "Tell us how setup went")

    bot.click(SALES_MEMBER, "setup_said_open", button["value"], DM, dm["ts"])
    assert "Only <@USALESOWN1>, the champion of support-replies-sales" in json.dumps(opened(slack))  # refused: a notice

    bot.click(SALES_OWNER, "setup_said_open", button["value"], DM, dm["ts"])
    assert opened(slack)["callback_id"] == "setup_said_form"
    reply = answer(bot, slack, SALES_OWNER, "an hour", "yes")
    assert reply.body["errors"] == {"minutes": "Type the minutes as a whole number from 1 to 2400."}
    reply = answer(bot, slack, SALES_OWNER, "90", None)
    assert reply.body["errors"] == {"meeting": "Say yes or no."}
    assert said(engine) == []  # refused, nothing stored
    assert "min said" not in registry(bot)

    reply = answer(bot, slack, SALES_OWNER, "90", "yes")
    assert (reply.status, reply.body) == (200, None)
    assert said(engine) == [(90, True, SALES_OWNER)]
    shown = registry(bot)
    assert f"{LINE} — *over the hour: the kit needs work*" in shown

    bot.click(SALES_OWNER, "setup_said_open", button["value"], DM, dm["ts"])  # a second click
    assert "told already" in json.dumps(opened(slack))
    assert said(engine) == [(90, True, SALES_OWNER)]

    page = web_registry(bot, adopted, slack, store, http_server, database_url)
    assert f'<p class="setup-said">{LINE} <span class="muted">' in page
    assert "<strong>over the hour: the kit needs work</strong>" in page

    reader = tokens.create(store, "reader", None, [], True, CURATOR, clock()).token
    body = get(bot.base_url, "/api/v1/registry", reader, clock)
    described("GET", "/api/v1/registry", 200, body)
    [entry] = body["versions"]
    assert entry["setup_said"] == dict(median=90, meetings=1, teams=1, over_the_hour=True, line=LINE)


def test_the_form_sent_twice_keeps_the_first_answer(bot, adopted, slack, engine):
    """Two forms opened before either was sent (two clicks): the second is refused on its
    field, nothing changed; a short setup without a meeting is not marked."""
    assert "Check-in recorded" in bot.command("attest support-replies-sales yes", user=SALES_OWNER, channel=SALES).text
    [dm] = asks(adopted, slack)
    value = buttons(dm)[0]["value"]
    bot.click(SALES_OWNER, "setup_said_open", value, DM, dm["ts"])
    first = {"id": "VFIRST0001", **opened(slack)}
    bot.click(SALES_OWNER, "setup_said_open", value, DM, dm["ts"])
    assert (answer(bot, slack, SALES_OWNER, "45", "no").body) is None
    values = {
        "minutes": {"type": "number_input", "value": "30"},
        "meeting": {"type": "radio_buttons", "selected_option": {"value": "yes"}},
    }
    reply = bot.submit(SALES_OWNER, first, values)
    assert "told already" in reply.body["errors"]["minutes"]
    assert said(engine) == [(45, False, SALES_OWNER)]
    shown = registry(bot)
    assert "setup: 45 min said, 0 min in forms; a meeting needed by 0 of 1 team" in shown
    assert "over the hour" not in shown
