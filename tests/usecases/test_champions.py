"""Champions (issue 43, item 2) end to end: named in `adopt`, given the kit's training and
checks as a checklist by DM whose buttons only the champion may click; each item's state
shown in status, the App Home and the web view, and the first cycle's week-1 nudge names
them. Signed commands and block_actions over HTTP, the clock on a fake time, messages
through the outbox to the Slack stand-in, on SQLite and PostgreSQL. A kit requiring one,
the owner as champion when none is named and `/rollout champion` are tests/usecases/fast/
test_adopt.py's and fast/test_champions.py's."""

import copy
import json
import re
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from bot.app import create_app
from bot.demo.standin.workspace import dm_channel
from bot.web import make_asgi
from cadence.definition_load import parse_playbook
from storage.models.governance import Decision
from storage.models.playbooks import ChecklistMark
from tests.bot.test_web_view import fetch
from tests.committed import loaded
from tests.conftest import ADMIN, MEMBER, OWNER, SUPPORT_REPLIES, Engine, settings_for
from tests.handlers.test_home import open_home
from tests.usecases.test_governance import CURATOR, CURATORS, click, publish_over, wednesday

SALES, SALES_OWNER, CHAMPION, SECOND = "CSALES0001", "USALESOWN1", "UCHAMPION1", "UCHAMPION2"
KIT = {
    "runbook": "https://wiki.example.com/support-replies",
    "training": ["https://wiki.example.com/ai-drafting-101", "Shadow the origin team for one week"],
    "checks": ["Draft 10 sample tickets and review them before week 1"],
}


@pytest.fixture
def published(bot, engine, slack, clock, store):
    """support-replies v1 published with a kit (a champion required: the default); a sales team,
    its owner and two would-be champions in the workspace."""
    raw = copy.deepcopy(SUPPORT_REPLIES)
    raw.update(replication=KIT)
    loaded(store, [parse_playbook(raw)], "UTC", actor="test", at=clock())
    slack.add_channel(CURATORS, [CURATOR, ADMIN])
    slack.add_channel(SALES, [SALES_OWNER, CHAMPION])
    for user in (OWNER, MEMBER, CURATOR, SALES_OWNER, CHAMPION, SECOND):
        slack.add_user(user, tz="Europe/Berlin")
    slack.add_user("UROLLOUTBOT", is_bot=True)
    bot.command(f"curator add <@{CURATOR}>", user=ADMIN)
    bot.command(f"curators-channel <#{CURATORS}|curators>", user=ADMIN)
    clock.set(wednesday(1))
    assert "support-replies v1" in publish_over(bot, store, "publish support-replies override sharing it early")
    return Engine(engine, slack, clock)


def champion_rows(engine):
    with Session(engine) as s:
        return [
            (d.summary, d.actor, d.figures)
            for d in s.exec(select(Decision).where(Decision.kind == "champion-named").order_by(Decision.id))
        ]


def marks(engine):
    with Session(engine) as s:
        return [(m.kind, m.item, m.done, m.marked_by) for m in s.exec(select(ChecklistMark).order_by(ChecklistMark.id))]


def item_buttons(message):
    return [b["accessory"] for b in message["blocks"] if b.get("accessory", {}).get("action_id") == "checklist_mark"]


def test_the_champion_gets_the_checklist_and_only_they_mark_it_shown_everywhere(
    bot, published, slack, store, engine, http_server, database_url
):
    world = published
    adopted = bot.command(
        f"adopt support-replies <#{SALES}|sales> owner <@{SALES_OWNER}> champion <@{CHAMPION}> start:2026-11-16",
        user=CURATOR,
    )
    assert "*support-replies-sales* now runs in" in adopted.text and f"Champion: <@{CHAMPION}>" in adopted.text
    world.dispatcher.drain(max_wait=0)
    assert store.playbooks.state("support-replies-sales").playbook.champion_id == CHAMPION
    [(summary, actor, figures)] = champion_rows(engine)
    assert (summary, actor, figures) == (
        f"support-replies-sales: champion {CHAMPION}",
        CURATOR,
        {"from": None, "to": CHAMPION},
    )

    # The champion's DM: the kit's training, then its checks, a button each.
    [dm] = [m for m in slack.posted(CHAMPION) if "Your checklist as champion" in m["text"]]
    assert dm["text"] == "Your checklist as champion of support-replies-sales: 0 of 3 done"
    body = json.dumps(dm["blocks"], ensure_ascii=False)
    assert "_Training:_ https://wiki.example.com/ai-drafting-101" in body
    assert "_Check:_ Draft 10 sample tickets" in body
    first = item_buttons(dm)
    assert [b["text"]["text"] for b in first] == ["Mark done"] * 3
    channel = dm_channel(CHAMPION)

    # Anyone else's click is refused, to them alone, and stores nothing.
    for someone in (SALES_OWNER, CURATOR):
        click(bot, "checklist_mark", first[0]["value"], someone, channel, dm["ts"])
    refusals = slack.calls_to("chat.postEphemeral")
    assert len(refusals) == 2
    for call in refusals:
        assert f"Only support-replies-sales's champion, <@{CHAMPION}>, marks its checklist" in json.dumps(call.params)
    assert marks(engine) == []

    # The champion marks the first training item done: kept with who, and the DM redrawn.
    world.clock.set(datetime(2026, 11, 19, 10, 0, tzinfo=UTC))
    assert click(bot, "checklist_mark", first[0]["value"], CHAMPION, channel, dm["ts"]).status == 200
    click(bot, "checklist_mark", first[0]["value"], CHAMPION, channel, dm["ts"])  # a second click: nothing more
    world.dispatcher.drain(max_wait=0)
    assert marks(engine) == [("training", "https://wiki.example.com/ai-drafting-101", True, CHAMPION)]
    [dm] = [m for m in slack.posted(CHAMPION) if m["ts"] == dm["ts"]]
    assert dm["text"].endswith("1 of 3 done")
    assert f"done by <@{CHAMPION}> on 2026-11-19" in json.dumps(dm["blocks"])
    again = item_buttons(dm)
    assert [b["text"]["text"] for b in again] == ["Undo", "Mark done", "Mark done"]
    click(bot, "checklist_mark", again[2]["value"], CHAMPION, channel, dm["ts"])
    world.dispatcher.drain(max_wait=0)

    # Status, the App Home and the web view show each item's state.
    line = f"Champion <@{CHAMPION}>: checklist 2 of 3 done"
    status = bot.command("status support-replies-sales", user=SALES_OWNER).text
    assert line in status and f"by <@{CHAMPION}> 2026-11-19" in status
    open_home(bot, CHAMPION)
    assert line in json.dumps(slack.views[CHAMPION], ensure_ascii=False)
    mount, url = http_server
    settings = settings_for(database_url, slack, rollout_web_url=url)
    mount.app = make_asgi(create_app(settings, store, clock=world.clock), store, world.clock)
    link = re.search(r"(/web/login\?token=[A-Za-z0-9_-]+)", bot.command("web", user=SALES_OWNER).text)
    cookie = fetch(url + link.group(1))[1]["Set-Cookie"].split(";")[0]
    _, _, page = fetch(url + "/web/playbooks/support-replies-sales", cookie)
    assert "<h2>Champion</h2>" in page and f"{CHAMPION}: 2 of 3 done." in page
    assert "No step goes up: waiting for the champion's training (2 of 3 items)." in page
    assert f"(done by {CHAMPION}, 2026-11-19)" in page

    # Undo.
    [dm] = [m for m in slack.posted(CHAMPION) if m["ts"] == dm["ts"]]
    click(bot, "checklist_mark", item_buttons(dm)[0]["value"], CHAMPION, channel, dm["ts"])
    world.dispatcher.drain(max_wait=0)
    assert [m[2] for m in marks(engine)] == [True, True, False]
    assert "1 of 3 done" in bot.command("status support-replies-sales", user=SALES_OWNER).text

    # The first cycle's week-1 nudge names the champion.
    world.run(datetime(2026, 11, 23, 9, 5, tzinfo=UTC))
    [nudge] = [m for m in slack.posted(SALES) if "week 1 of cycle 1" in m["text"]]
    assert f"<@{CHAMPION}> is this team's champion" in json.dumps(nudge["blocks"])


def test_a_trained_champion_before_access_the_owner_asked_to_name_one_and_steps_human_led_until_done(
    bot, published, slack, store, engine
):
    """Issue 112, item 3, end to end: adopted with no champion named into a team of more
    people, every step starts human-led and the owner, the champion by default, is asked to
    name another; the owner's click is refused with how; status says what the steps wait
    for until the champion named marks the training done."""
    world = published
    adopted = bot.command(
        f"adopt support-replies <#{SALES}|sales> owner <@{SALES_OWNER}> start:2026-11-16", user=CURATOR
    )
    assert "Every step stays human-led until the champion's training is done." in adopted.text
    world.dispatcher.drain(max_wait=0)
    state = store.playbooks.state("support-replies-sales")
    assert state.playbook.champion_id == SALES_OWNER and {s.mode for s in state.steps} == {"human-led"}
    [owned] = [m for m in slack.posted(SALES_OWNER) if "You own" in json.dumps(m["blocks"])]
    assert "only if you are the team's only member" in json.dumps(owned["blocks"])

    status = bot.command("status support-replies-sales", user=SALES_OWNER).text
    assert "waiting for the champion's training (0 of 3 items)" in status
    assert "Champion: the owner, but others are on the team" in status

    [dm] = [m for m in slack.posted(SALES_OWNER) if "Your checklist as champion" in m["text"]]
    click(bot, "checklist_mark", item_buttons(dm)[0]["value"], SALES_OWNER, dm_channel(SALES_OWNER), dm["ts"])
    [refused] = slack.calls_to("chat.postEphemeral")
    assert "Others are on support-replies-sales's team: name one of them its champion" in json.dumps(refused.params)
    assert marks(engine) == []

    bot.command(f"champion support-replies-sales <@{CHAMPION}>", user=SALES_OWNER)
    world.dispatcher.drain(max_wait=0)
    [dm] = [m for m in slack.posted(CHAMPION) if "Your checklist as champion" in m["text"]]
    for index in range(3):
        [dm] = [m for m in slack.posted(CHAMPION) if m["ts"] == dm["ts"]]
        click(bot, "checklist_mark", item_buttons(dm)[index]["value"], CHAMPION, dm_channel(CHAMPION), dm["ts"])
        world.dispatcher.drain(max_wait=0)
    status = bot.command("status support-replies-sales", user=SALES_OWNER).text
    assert "waiting for the champion's training" not in status and "checklist 3 of 3 done" in status
    assert {s.mode for s in store.playbooks.state("support-replies-sales").steps} == {"human-led"}  # by the rules next
