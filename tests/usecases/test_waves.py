"""Waves with learnings between them (issue 69 item 4; docs/usage.md, "Replication"): a
version's adopters come in waves of `adoption_wave`; the next opens when a team of the wave
replicated and the wave's learnings are reviewed with a note (the *Learnings reviewed*
button on the origin's owner's message, which asks for it, `/rollout wave <playbook>
reviewed <note>`, or a newer version), which the next wave's teams get with their adoption;
past it an adopt is refused naming the wave's teams, their verdicts and what opens the
next, unless a curator overrides it. Signed commands and clicks over HTTP, ticks on a fake
clock, messages through the outbox to the Slack stand-in, on SQLite and PostgreSQL. The
command's note, and an adopter on track without the origin's change, are tests/usecases/
fast/test_waves.py's."""

import copy
import json
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from cadence.definition_load import parse_playbook
from storage.models.governance import RegistryVersion, WaveReview
from tests.committed import loaded
from tests.conftest import ADMIN, OWNER, SUPPORT_REPLIES, Engine
from tests.usecases.test_governance import CURATOR, CURATORS, buttons, click, close_of, publish_over, wednesday

SALES, SALES_OWNER = "CSALES0001", "USALESOWN1"
OPS, OPS_OWNER = "COPS000001", "UOPSOWNER1"
REPLICATED_TEXT = "support-replies-sales replicated support-replies v1 in cycle 1"


@pytest.fixture
def replicated(bot, engine, slack, clock, store):
    """support-replies v1 published with a wave of 1; support-replies-sales adopted it
    (wave 1) and replicated its result in its first cycle (weeks 2-5)."""
    return adopted_and_ran(bot, engine, slack, clock, store, origin_mean=14.0)


def adopted_and_ran(bot, engine, slack, clock, store, origin_mean):
    """support-replies v1 published by override with a wave of 1, keeping as its origin's
    result at publishing a completed cycle of mean `origin_mean` (None: none);
    support-replies-sales adopted it and ran its first cycle (weeks 2-5) at 13 a week."""
    raw = copy.deepcopy(SUPPORT_REPLIES)
    raw.update(adoption_wave=1)
    loaded(store, [parse_playbook(raw)], "UTC", actor="test", at=clock())
    slack.add_channel(CURATORS, [CURATOR, ADMIN])
    slack.add_channel(SALES, [SALES_OWNER, "UROLLOUTBOT"])
    slack.add_channel(OPS, [OPS_OWNER, "UROLLOUTBOT"])
    for user in (OWNER, CURATOR, SALES_OWNER, OPS_OWNER):
        slack.add_user(user, tz="Europe/Berlin")
    slack.add_user("UROLLOUTBOT", is_bot=True)
    bot.command(f"curator add <@{CURATOR}>", user=ADMIN)
    bot.command(f"curators-channel <#{CURATORS}|curators>", user=ADMIN)
    clock.set(wednesday(1))
    assert "support-replies v1" in publish_over(bot, store, "publish support-replies override sharing it early")
    with Session(engine) as s:  # the origin's result at publishing: an adopter replicates only against one
        [version] = s.exec(select(RegistryVersion)).all()
        if origin_mean is not None:
            version.cycle_results = [{"cycle": 1, "mean": origin_mean, "interrupted": False, "hit": True}]
            version.override_reason = (
                None  # as published with its rule held: a version by override has no origin change
            )
        s.add(version)
        s.commit()
    adopted = bot.command(
        f"adopt support-replies <#{SALES}|sales> owner <@{SALES_OWNER}> start:2026-11-16", user=CURATOR
    )
    assert "now runs in" in adopted.text
    world = Engine(engine, slack, clock)
    # another team before its second pilot replicated: refused by its phase (cadence/phases.py)
    refused = bot.command(f"adopt support-replies <#{OPS}|ops> owner <@{OPS_OWNER}>", user=CURATOR).text
    assert "phase 1 of 4, assessed" in refused and "(support-replies-sales runs it)" in refused
    assert "A wave is not opened for a version still in phase 1" in refused
    for week in range(2, 6):
        clock.set(wednesday(week))
        assert "Recorded" in bot.command("kpi support-replies-sales 13", user=SALES_OWNER).text
        for step in ("draft", "send", "refunds"):  # evidence of exceptions (issue 93, item 6)
            bot.command(f"cases support-replies-sales {step} 20", user=SALES_OWNER)
        world.run(close_of(week) + timedelta(hours=1))
    return world


def told(slack, user):
    return [m for m in slack.posted(user) if m["text"] == REPLICATED_TEXT]


def marks(engine):
    with Session(engine) as s:
        return [(m.version, m.wave, m.reviewed_by, m.note) for m in s.exec(select(WaveReview))]


def adopt_ops(bot, extra=""):
    return bot.command(f"adopt support-replies <#{OPS}|ops> owner <@{OPS_OWNER}>{extra}", user=CURATOR).text


def last_ephemeral(slack):
    return json.dumps(slack.calls_to("chat.postEphemeral")[-1].params, ensure_ascii=False)


def opened_view(slack):
    view = slack.calls_to("views.open")[-1].params["view"]
    return json.loads(view) if isinstance(view, str) else view


def test_the_button_asks_a_note_opens_the_next_wave_once_and_only_for_the_owner_or_a_curator(
    bot, replicated, slack, store, engine
):
    [message] = told(slack, OWNER)  # the origin's owner, once for the adopter's cycle
    [button] = buttons(message)
    assert button["action_id"] == "wave_reviewed" and button["text"]["text"] == "Learnings reviewed"
    # replicated, not reviewed: still refused, saying what is missing
    refused = adopt_ops(bot)
    assert "support-replies-sales (replicated)" in refused
    assert "wave 2 opens when wave 1's learnings are reviewed (one replicated)" in refused
    assert store.playbooks.state("support-replies-ops") is None
    # someone who is neither the origin's owner nor a curator: refused at the click, no form
    click(bot, "wave_reviewed", button["value"], SALES_OWNER, OWNER, message["ts"])
    assert f"Only support-replies's owner (<@{OWNER}>) or a curator" in last_ephemeral(slack)
    assert slack.calls_to("views.open") == [] and marks(engine) == []
    # the owner's click opens the note's form; an empty note is refused on the field, nothing stored
    click(bot, "wave_reviewed", button["value"], OWNER, OWNER, message["ts"])
    view = opened_view(slack)
    assert view["callback_id"] == "wave_reviewed" and view["private_metadata"] == button["value"]
    empty = bot.submit(OWNER, view, {"note": {"type": "plain_text_input", "value": "  "}})
    assert empty.body["errors"] == {"note": "Say what the next wave should know: its teams get it with their adoption."}
    assert marks(engine) == []
    note = "Drafts <need> the refund policy & the macros"
    assert bot.submit(OWNER, view, {"note": {"type": "plain_text_input", "value": note}}).status == 200
    replicated.dispatcher.drain(max_wait=0)
    assert marks(engine) == [(1, 1, OWNER, note)]
    # a second click: refused at the click, naming who marked it; one message
    click(bot, "wave_reviewed", button["value"], OWNER, OWNER, message["ts"])
    assert "were marked reviewed already" in last_ephemeral(slack) and len(slack.calls_to("views.open")) == 1
    reviewed = [m for m in slack.posted(CURATORS) if m["text"] == "support-replies: wave 1's learnings reviewed"]
    assert len(reviewed) == 1 and "wave 2 is open" in json.dumps(reviewed[0]["blocks"])
    # the next wave's team gets the note, escaped: on the confirmation, in its channel and its owner's DM
    confirmation = adopt_ops(bot)
    assert "now runs in" in confirmation
    escaped = "Drafts &lt;need&gt; the refund policy &amp; the macros"
    replicated.dispatcher.drain(max_wait=0)
    for where in (OPS, OPS_OWNER):
        [adopted] = [m for m in slack.posted(where) if "adopted from support-replies" in m["text"]]
        assert "What wave 1 of support-replies left for yours" in json.dumps(adopted["blocks"], ensure_ascii=False)
        assert escaped in json.dumps(adopted["blocks"], ensure_ascii=False)
    assert escaped in confirmation
    # the registry shows the wave: wave 2, with its team and what opens wave 3
    listing = bot.command("registry").text
    assert "wave 2: 1 of 1 teams; wave 3 opens when one replicates and wave 2's learnings are reviewed" in listing
