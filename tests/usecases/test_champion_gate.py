"""A champion before autonomy (docs/playbooks.md, "Champions"): in an adopting team's first
cycle no promotion proposal is posted while the champion's training items (the kit's
training and checks) are not all done, and status says so; once they are, the next PASS
week proposes. Signed commands and block_actions, the clock on a fake time, the outbox to
the Slack stand-in; SQLite and PostgreSQL."""

import copy
from datetime import timedelta

from bot.demo.standin.workspace import dm_channel
from cadence.definition import parse_playbook
from tests.committed import loaded
from tests.conftest import ADMIN, MEMBER, OWNER, SUPPORT_REPLIES, Engine
from tests.usecases.test_champions import KIT, item_buttons
from tests.usecases.test_governance import CURATOR, CURATORS, click, close_of, texts, wednesday
from tests.usecases.test_judgement_close import report_sales

SALES, SALES_OWNER, CHAMPION = "CSALES0001", "USALESOWN1", "UCHAMPION1"
PROPOSAL = "Proposal: support-replies-sales / draft human-led → collaborative"


def test_an_adopters_first_cycle_promotions_wait_for_the_champions_training(bot, slack, clock, engine, store):
    raw = copy.deepcopy(SUPPORT_REPLIES)
    raw.update(replication={k: v for k, v in KIT.items() if k != "requires_champion"}, cooldown_weeks=0)
    loaded(store, [parse_playbook(raw)], "UTC", actor="test", at=clock())
    slack.add_channel(CURATORS, [CURATOR, ADMIN])
    slack.add_channel(SALES, [SALES_OWNER, CHAMPION])
    for user in (OWNER, MEMBER, CURATOR, SALES_OWNER, CHAMPION):
        slack.add_user(user, tz="Europe/Berlin")
    bot.command(f"curator add <@{CURATOR}>", user=ADMIN)
    bot.command(f"curators-channel <#{CURATORS}|curators>", user=ADMIN)
    world = Engine(engine, slack, clock)
    clock.set(wednesday(1))
    assert "support-replies v1" in bot.command("publish support-replies override a second pilot", user=CURATOR).text
    adopt = f"adopt support-replies <#{SALES}|sales> owner <@{SALES_OWNER}> champion <@{CHAMPION}> start:2026-11-16"
    assert "Champion: <@UCHAMPION1>." in bot.command(adopt, user=CURATOR).text
    world.dispatcher.drain(max_wait=0)
    [dm] = [m for m in slack.posted(CHAMPION) if "Your checklist as champion" in m["text"]]
    buttons = item_buttons(dm)
    # before the team's cycle 1: draft taken down a level, to earn it back in it
    said = bot.command("mode support-replies-sales draft human-led start by hand", user=CURATOR, channel=SALES).text
    assert "is now human-led" in said
    for index in (0, 1):
        click(bot, "checklist_mark", buttons[index]["value"], CHAMPION, dm_channel(CHAMPION), dm["ts"])
    for week in (2, 3):  # two PASS weeks: a proposal but for the training
        report_sales(bot, clock, week)
        world.run(close_of(week) + timedelta(hours=2))  # the team's zone is UTC: its weeks close later
    assert PROPOSAL not in texts(slack, SALES)
    status = bot.command("status support-replies-sales", user=SALES_OWNER, channel=SALES).text
    assert "promotions wait for <@UCHAMPION1>'s training: 2 of 3 done" in status

    clock.set(wednesday(4))
    click(bot, "checklist_mark", buttons[2]["value"], CHAMPION, dm_channel(CHAMPION), dm["ts"])
    status = bot.command("status support-replies-sales", user=SALES_OWNER, channel=SALES).text
    assert "promotions wait for" not in status and f"Champion <@{CHAMPION}>: checklist 3 of 3 done" in status
    report_sales(bot, clock, 4)
    world.run(close_of(4) + timedelta(hours=2))
    assert texts(slack, SALES).count(PROPOSAL) == 1  # the next PASS week proposes
