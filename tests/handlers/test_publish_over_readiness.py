"""Publishing over readiness needs a second person (issue 93, item 5): `/rollout publish …
override <reason>` over missing readiness criteria is a request with a card in the curators
channel, decided by a curator who is neither the playbook's owner nor the asker (with a
single curator, an admin who is neither); where nobody may, it waits and the card says so.
The click reads readiness again. The version then says "published over readiness: N
criteria not met — <reason>" in `/rollout registry`, the web view, the API's registry read,
the assistant's `registry` tool and each adopter's adoption reply. Signed commands and
block_actions over HTTP, on SQLite and PostgreSQL."""

import json
import re
from datetime import timedelta

import anyio
import pytest
from sqlmodel import Session, select

from bot.app import create_app
from bot.web import make_asgi
from storage.models.governance import PublishRequest
from tests.bot.test_mcp import get, http_client
from tests.bot.test_web_view import fetch
from tests.conftest import ADMIN, CHANNEL, OWNER, Engine, settings_for
from tests.usecases.test_governance import CURATOR, CURATORS, assess_kept, click, wednesday
from usecases import tokens

SALES, SALES_OWNER, CURATOR2 = "CSALES0001", "USALESOWN1", "UCURATOR2"
REASON = "the pilot's lessons are worth sharing now"


@pytest.fixture
def world(bot, engine, slack, clock, store, playbook):
    """support-replies (no cycle closed: readiness not met), one curator and their channel."""
    slack.add_channel(CURATORS, [CURATOR, ADMIN])
    slack.add_channel(SALES, [SALES_OWNER])
    for user in (OWNER, CURATOR, CURATOR2, SALES_OWNER):
        slack.add_user(user, tz="Europe/Berlin")
    bot.command(f"curator add <@{CURATOR}>", user=ADMIN)
    bot.command(f"curators-channel <#{CURATORS}|curators>", user=ADMIN)
    clock.set(wednesday(1))
    return Engine(engine, slack, clock)


def requests_of(engine):
    with Session(engine) as s:
        return [(r.state, r.asked_by, r.decided_by) for r in s.exec(select(PublishRequest).order_by(PublishRequest.id))]


def cards(world, slack):
    world.dispatcher.drain(max_wait=0)
    return [m for m in slack.posted(CURATORS) if "publishing over readiness asked" in m["text"]]


def buttons(card):
    return {e["action_id"]: e["value"] for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]}


def refusal(slack):
    return json.dumps(slack.calls_to("chat.postEphemeral")[-1].params, ensure_ascii=False)


def not_met(text):
    return int(re.search(r"published over readiness: (\d+) criteria not met", text).group(1))


def test_the_asker_alone_publishes_nothing_a_second_person_does_and_every_listing_says_so(
    bot, world, slack, store, engine, http_server, database_url
):
    assess_kept(store, "support-replies")  # its pilot assessed: phase 1, it takes a second pilot (cadence/phases.py)
    reply = bot.command(f"publish support-replies override {REASON}", user=CURATOR).text
    assert "waits" in reply.lower() or "not ready" in reply, reply
    assert "neither its owner nor you" in reply and store.registry.versions() == []
    assert requests_of(engine) == [("open", CURATOR, None)]
    [card] = cards(world, slack)
    body = json.dumps(card["blocks"], ensure_ascii=False)
    assert "asks to publish *support-replies*" in body and REASON in body and "not met" in body
    assert "Waiting" not in body  # an admin who is neither may decide: the workspace's one curator asked
    value = buttons(card)["publish_approve"]

    click(bot, "publish_approve", value, CURATOR, CURATORS, card["ts"])  # never the asker
    assert "the asker never decides their own" in refusal(slack)
    click(bot, "publish_approve", value, OWNER, CURATORS, card["ts"])  # never the owner
    assert "its owner never decides" in refusal(slack)
    assert store.registry.versions() == [] and requests_of(engine) == [("open", CURATOR, None)]

    click(bot, "publish_approve", value, ADMIN, CURATORS, card["ts"])  # a single curator: an admin who is neither
    [version] = store.registry.versions()
    assert requests_of(engine) == [("published", CURATOR, ADMIN)]
    assert version.over_readiness["reason"] == REASON and version.over_readiness["approved_by"] == ADMIN
    n = len(version.over_readiness["not_met"])
    said = f"published over readiness: {n} criteria not met — {REASON}"
    assert n >= 2
    [card] = cards(world, slack)
    assert "Published by" in json.dumps(card["blocks"]) and not buttons(card)
    announced = [m for m in slack.posted(CHANNEL) if "support-replies v1" in json.dumps(m)]
    assert announced and said.capitalize() in json.dumps(announced[-1], ensure_ascii=False)

    listed = bot.command("registry").text  # `/rollout registry` (the reason cut to fit a line)
    assert f"(published over readiness: {n} criteria not met — the pilot" in listed, listed
    reader = tokens.create(store, "assistant", None, [], True, "test", world.clock()).token
    [entry] = get(bot.base_url, "/api/v1/registry", reader, world.clock)["versions"]  # the API
    assert entry["over_readiness"] == said and len(entry["not_met"]) == n

    async def tool():
        async with http_client(bot.base_url, reader, world.clock) as client:
            return await client.call_tool("registry", {})

    [from_tool] = anyio.run(tool).structured_content["versions"]  # the assistant's tool
    assert from_tool["over_readiness"] == said

    mount, url = http_server  # the web view's registry
    settings = settings_for(database_url, slack, rollout_web_url=url)
    mount.app = make_asgi(create_app(settings, store, clock=world.clock), store, world.clock)
    link = re.search(r"(/web/login\?token=[A-Za-z0-9_-]+)", bot.command("web", user=CURATOR).text)
    cookie = fetch(url + link.group(1))[1]["Set-Cookie"].split(";")[0]
    code, _, page = fetch(url + "/web/registry", cookie)
    assert code == 200 and f"Published over readiness: {n} criteria not met — the pilot&#39;s lessons" in page

    adopted = bot.command(
        f"adopt support-replies <#{SALES}|sales> owner <@{SALES_OWNER}> start:2026-11-30", user=CURATOR
    )
    world.dispatcher.drain(max_wait=0)
    assert said in json.dumps(adopted.body, ensure_ascii=False) or any(
        said in json.dumps(m, ensure_ascii=False) for m in slack.posted(SALES)
    )
    assert any(said in json.dumps(m, ensure_ascii=False) for m in slack.posted(SALES_OWNER))  # the new owner's


def test_with_nobody_to_decide_it_waits_and_says_so_until_a_curator_is_appointed(bot, world, slack, store, engine):
    bot.command(f"owner support-replies <@{ADMIN}>", user=OWNER)  # the one admin owns it: neither may decide
    reply = bot.command(f"publish support-replies override {REASON}", user=CURATOR).text
    assert "Nobody can decide yet" in reply, reply
    [card] = cards(world, slack)
    assert "Waiting: no curator is neither the owner nor" in json.dumps(card["blocks"], ensure_ascii=False)
    click(bot, "publish_approve", buttons(card)["publish_approve"], ADMIN, CURATORS, card["ts"])
    assert "its owner never decides" in refusal(slack) and store.registry.versions() == []
    bot.command(f"curator add <@{CURATOR2}>", user=ADMIN)
    click(bot, "publish_decline", buttons(card)["publish_decline"], CURATOR2, CURATORS, card["ts"])
    assert requests_of(engine) == [("declined", CURATOR, CURATOR2)] and store.registry.versions() == []
    world.dispatcher.drain(max_wait=0)
    assert any("declined publishing" in json.dumps(m) for m in slack.posted(CURATOR))  # the asker is told
    [card] = cards(world, slack)
    assert "Declined by" in json.dumps(card["blocks"]) and not buttons(card)


def test_a_criterion_gone_unmet_since_the_ask_refuses_the_click_naming_it_and_redraws_the_card(
    bot, world, slack, store, engine
):
    bot.command(f"curator add <@{CURATOR2}>", user=ADMIN)
    bot.command("exception support-replies send a refund over the limit", user=OWNER)  # an item in the queue
    bot.command(f"publish support-replies override {REASON}", user=CURATOR)
    [card] = cards(world, slack)
    assert "queue" not in json.dumps(card["blocks"]).lower() or "overdue" not in json.dumps(card["blocks"]).lower()
    world.clock.set(world.clock() + timedelta(days=16))  # the item is overdue now
    value = buttons(card)["publish_approve"]
    click(bot, "publish_approve", value, CURATOR2, CURATORS, card["ts"])
    said = refusal(slack)
    assert "more criteria of readiness are not met than the card showed" in said, said
    assert store.registry.versions() == [] and requests_of(engine) == [("open", CURATOR, None)]
    [card] = cards(world, slack)
    assert "more are not met now than when asked" in json.dumps(card["blocks"], ensure_ascii=False)
    click(bot, "publish_approve", value, CURATOR2, CURATORS, card["ts"])  # the card shows it now: published
    [version] = store.registry.versions()
    assert "queue" in version.over_readiness["not_met"] and requests_of(engine) == [("published", CURATOR, CURATOR2)]
