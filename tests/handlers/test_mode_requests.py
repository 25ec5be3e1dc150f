"""`/rollout mode` toward ai-led is a bar change request, never a shortcut (issue 93, item
1; docs/judgement.md): toward human-led at once as before; toward ai-led, or off human-led
for a pinned step, the card goes to the curators and the step keeps its mode; a curator
other than the asker approves, and the approval reads the promotion's gates at the click
(a shut gate refuses it naming the gate, and the card is redrawn with it). Signed commands
and block_actions over HTTP, on SQLite and PostgreSQL."""

import json
from datetime import date

from sqlmodel import Session, select

from cadence.definition_load import parse_playbook
from storage.models.governance import BarRequest, Decision
from tests.committed import loaded, passed
from tests.conftest import ADMIN, CHANNEL, NO_SET, OWNER, SUPPORT_REPLIES, Engine
from tests.usecases.test_governance import CURATOR, CURATORS, click
from usecases.shared.life import begin_cycle

CURATOR2 = "UCURATOR2"
SLUG = "support-replies"


def world_of(bot, slack, store, engine, clock, definition):
    loaded(store, [parse_playbook(definition)], "UTC", actor="test", at=clock())
    begin_cycle(store, store.playbooks.state(SLUG).playbook.id, 1, date(2026, 11, 16), OWNER, clock())
    slack.add_channel(CURATORS, [CURATOR, CURATOR2, ADMIN])
    for user in (OWNER, CURATOR, CURATOR2):
        slack.add_user(user, tz="Europe/Berlin")
    for curator in (CURATOR, CURATOR2):
        bot.command(f"curator add <@{curator}>", user=ADMIN)
    bot.command(f"curators-channel <#{CURATORS}|curators>", user=ADMIN)
    return Engine(engine, slack, clock)


def steps(definition, **changes):
    return {**definition, "steps": [{**s, **changes.get(s["name"], {})} for s in definition["steps"]]}


def cards(slack):
    return [m for m in slack.posted(CURATORS) if "a change to the bar" in m["text"]]


def buttons(card):
    return {e["action_id"]: e["value"] for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]}


def body(message):
    return json.dumps(message["blocks"], ensure_ascii=False)


def ephemeral(slack):
    return json.dumps(slack.calls_to("chat.postEphemeral")[-1].params, ensure_ascii=False)


def requests_of(engine):
    with Session(engine) as s:
        return [(r.state, r.asked_by, r.decided_by) for r in s.exec(select(BarRequest).order_by(BarRequest.id))]


def mode_of(store, step):
    state = store.playbooks.state(SLUG)
    return state.step(step).mode, state.step(step).pinned


def test_toward_ai_led_by_the_owner_alone_waits_for_a_curator_and_passes_its_gates_at_the_click(
    bot, slack, store, engine, clock
):
    world = world_of(bot, slack, store, engine, clock, SUPPORT_REPLIES)
    passed(store, SLUG, "draft", clock())  # the rules' streak a move up needs (tested below without it)
    said = bot.command(f"mode {SLUG} draft ai-led the drafts are good now", user=OWNER).text
    assert "bar change request" in said and "a curator other than you decides" in said, said
    assert mode_of(store, "draft") == ("collaborative", False)  # no shortcut
    assert requests_of(engine) == [("open", OWNER, None)]
    world.dispatcher.drain(max_wait=0)
    [card] = cards(slack)
    assert "• step draft collaborative → ai-led (/rollout mode)" in body(card)
    assert "*Why:* the drafts are good now" in body(card)

    value = buttons(card)["bar_approve"]
    click(bot, "bar_approve", value, OWNER, CURATORS, card["ts"])  # the asker: never
    assert "Only a curator other than the asker" in ephemeral(slack)
    # draft declares no calibration set and no `calibration: none`: the gate is shut
    click(bot, "bar_approve", value, CURATOR, CURATORS, card["ts"])
    refusal = ephemeral(slack)
    assert "does not pass its gates now" in refusal and "no calibration set" in refusal, refusal
    assert mode_of(store, "draft") == ("collaborative", False)
    assert requests_of(engine) == [("open", OWNER, None)]
    world.dispatcher.drain(max_wait=0)
    [card] = cards(slack)
    assert "it does not pass its gates now" in body(card) and "no calibration set" in body(card)
    assert set(buttons(card)) == {"bar_approve", "bar_decline"}  # still open, to approve once they pass
    [told] = [m for m in slack.posted(OWNER) if "waits for its gates" in m["text"]]  # the owner, told which gate
    assert "draft (collaborative → ai-led) does not pass its gates" in body(told) and "no calibration set" in body(told)


def test_an_approved_request_passes_its_gates_and_sets_the_mode_at_once(bot, slack, store, engine, clock):
    world = world_of(bot, slack, store, engine, clock, steps(SUPPORT_REPLIES, draft=NO_SET))
    passed(store, SLUG, "draft", clock())
    bot.command(f"mode {SLUG} draft ai-led the drafts are good now", user=CURATOR)
    world.dispatcher.drain(max_wait=0)
    [card] = cards(slack)
    click(bot, "bar_approve", buttons(card)["bar_approve"], CURATOR2, CURATORS, card["ts"])
    assert mode_of(store, "draft") == ("ai-led", False)
    assert requests_of(engine) == [("applied", CURATOR, CURATOR2)]
    world.dispatcher.drain(max_wait=0)
    [card] = cards(slack)
    assert "Approved by <@UCURATOR2>" in body(card) and buttons(card) == {}
    [told] = [m for m in slack.posted(CHANNEL) if "bar change applied" in m["text"]]
    assert "asked by <@UCURATOR1>, approved by <@UCURATOR2>" in body(told)
    with Session(engine) as s:
        rows = [(d.kind, d.actor) for d in s.exec(select(Decision).order_by(Decision.id))]
    assert ("bar-approved", CURATOR2) in rows and ("mode-change", CURATOR2) in rows


def test_toward_human_led_applies_at_once_as_before(bot, slack, store, engine, clock):
    world_of(bot, slack, store, engine, clock, SUPPORT_REPLIES)
    assert "is now collaborative" in bot.command(f"mode {SLUG} send collaborative drifting", user=OWNER).text
    assert "is now human-led" in bot.command(f"mode {SLUG} send human-led worse", user=OWNER).text
    assert "is now human-led" in bot.command(f"mode {SLUG} draft human-led checking", user=OWNER).text
    assert mode_of(store, "draft") == mode_of(store, "send") == ("human-led", False)
    assert requests_of(engine) == []


def test_a_pinned_step_off_human_led_is_a_request_and_once_approved_is_unpinned(bot, slack, store, engine, clock):
    world = world_of(bot, slack, store, engine, clock, SUPPORT_REPLIES)
    passed(store, SLUG, "refunds", clock())
    said = bot.command(f"mode {SLUG} refunds collaborative we trust the checks now", user=OWNER).text
    assert "bar change request" in said, said
    assert mode_of(store, "refunds") == ("human-led", True)
    world.dispatcher.drain(max_wait=0)
    [card] = cards(slack)
    assert "step refunds human-led → collaborative (/rollout mode)" in body(card)
    assert "step refunds pinned → unpinned" in body(card)
    click(bot, "bar_approve", buttons(card)["bar_approve"], CURATOR, CURATORS, card["ts"])
    assert mode_of(store, "refunds") == ("collaborative", False)
    definition = store.playbooks.state(SLUG).playbook.definition
    assert not next(s for s in definition["steps"] if s["name"] == "refunds").get("pinned")


def test_without_a_curators_channel_the_ask_is_refused_and_nothing_changes(bot, slack, store, engine, clock):
    loaded(store, [parse_playbook(SUPPORT_REPLIES)], "UTC", actor="test", at=clock())
    slack.add_user(OWNER, tz="Europe/Berlin")
    passed(store, SLUG, "draft", clock())
    said = bot.command(f"mode {SLUG} draft ai-led the drafts are good now", user=OWNER).text
    assert "no curators channel" in said, said
    assert mode_of(store, "draft") == ("collaborative", False) and requests_of(engine) == []


def test_a_hand_promotion_with_no_pass_week_is_refused_at_the_ask_naming_the_weeks(bot, slack, store, engine, clock):
    """Issue 109: a step with `calibration: none` and no closed week went ai-led on one other
    curator's click. The ask is refused, naming the streak and the weeks; nothing is stored."""
    world_of(bot, slack, store, engine, clock, steps(SUPPORT_REPLIES, draft=NO_SET))
    said = bot.command(f"mode {SLUG} draft ai-led trust me", user=CURATOR).text
    assert "cannot be asked at ai-led yet" in said and "no streak of 2 PASS weeks in a row" in said, said
    assert "no closed week yet" in said
    assert requests_of(engine) == [] and mode_of(store, "draft") == ("collaborative", False)
    passed(store, SLUG, "draft", clock(), weeks=1)
    said = bot.command(f"mode {SLUG} draft ai-led trust me", user=CURATOR).text
    assert "PASS (week of" in said and requests_of(engine) == [], said
