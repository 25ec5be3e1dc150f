"""Requests to adopt (issue 43, item 1) end to end: `/rollout request` and its form (the
expansion criteria; what the command said filled in); one card in the curators channel
whose Approve runs the same adopt, a refusal shown on the card, past the wave a reason;
concurrent approvals adopt once; a forged channel name. Signed commands, block_actions and
view_submissions over HTTP, on SQLite and PostgreSQL. Decline, the refusals before a form
opens and the web view's registry are tests/usecases/fast/test_requests.py's."""

import copy
import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from cadence.definition_load import parse_playbook
from cadence.limits import MAX_TEXT_CHARS
from storage.models.governance import AdoptionRequest, Decision
from tests.committed import loaded
from tests.conftest import ADMIN, OWNER, SUPPORT_REPLIES, Engine
from tests.usecases.test_governance import CURATOR, CURATORS, click, publish_over, wednesday

SALES, SALES_OWNER, CHAMPION = "CSALES0001", "USALESOWN1", "UCHAMPION1"
OPS, OPS_OWNER = "COPS000001", "UOPSOWNER1"
KIT = {"training": ["Shadow the origin team for one week"], "checks": ["Draft 10 sample tickets"]}
APPROVERS = 4


@pytest.fixture
def published(bot, engine, slack, clock, store):
    """support-replies v1 published (a wave of 1), two teams and their people."""
    raw = copy.deepcopy(SUPPORT_REPLIES)
    raw.update(replication=KIT, adoption_wave=1)
    loaded(store, [parse_playbook(raw)], "UTC", actor="test", at=clock())
    slack.add_channel(CURATORS, [CURATOR, ADMIN])
    slack.add_channel(SALES, [SALES_OWNER, CHAMPION])
    slack.add_channel(OPS, [OPS_OWNER])
    for user in (OWNER, CURATOR, SALES_OWNER, CHAMPION, OPS_OWNER):
        slack.add_user(user, tz="Europe/Berlin")
    bot.command(f"curator add <@{CURATOR}>", user=ADMIN)
    bot.command(f"curators-channel <#{CURATORS}|curators>", user=ADMIN)
    clock.set(wednesday(1))
    assert "support-replies v1" in publish_over(bot, store, "publish support-replies override sharing it early")
    return Engine(engine, slack, clock)


def opened(slack):
    view = slack.calls_to("views.open")[-1].params["view"]
    return json.loads(view) if isinstance(view, str) else view


def cards(slack):
    return [m for m in slack.posted(CURATORS) if "asks to adopt" in m["text"]]


def card_buttons(card):
    return {e["action_id"]: e for b in card["blocks"] if b["type"] == "actions" for e in b["elements"]}


def body(message):
    return json.dumps(message["blocks"], ensure_ascii=False)


def kinds(engine, *wanted):
    with Session(engine) as s:
        return [(d.kind, d.summary) for d in s.exec(select(Decision).order_by(Decision.id)) if d.kind in wanted]


def requests_of(engine):
    with Session(engine) as s:
        return [(r.channel_id, r.status, r.decided_by, r.adopted_slug) for r in s.exec(select(AdoptionRequest))]


ANSWERS = {
    "similar": "Same refund tickets",
    "context": "B2B customers, not B2C",
    "capacity": "Two people can pilot it",
}


def request(bot, slack, text, by):
    """`/rollout request ...` typed: refused at once, or its form opens filled in with what
    the command said; then submitted with the answers to the expansion criteria."""
    reply = bot.command(text, user=by)
    if reply.body:
        return reply  # refused: no form
    return bot.submit_filled(by, opened(slack), ANSWERS)


def ask(bot, slack, channel=SALES, name="sales", by=SALES_OWNER, extra=" why We answer the same refund tickets"):
    return request(bot, slack, f"request support-replies <#{channel}|{name}> champion <@{CHAMPION}>{extra}", by)


def test_a_request_is_one_card_that_a_curator_approves_into_the_same_adopt(bot, published, slack, store, engine):
    world = published
    assert "does not let an adopting team set cap:" in ask(bot, slack, extra=" cap:0.2").text
    assert "`champion @person`" in bot.command(f"request support-replies <#{SALES}|sales>", user=SALES_OWNER).text
    assert requests_of(engine) == [] and slack.calls_to("views.open") == []  # refused at once: no form

    sent = ask(bot, slack, extra=" baseline:40 why We answer the same refund tickets")
    form = opened(slack)  # what the command said, filled in; the expansion criteria the team's to answer
    fields = {b["block_id"]: b["element"] for b in form["blocks"] if b["type"] == "input"}
    assert (fields["version"]["initial_value"], fields["baseline"]["initial_value"]) == ("support-replies", "40")
    assert (fields["channel"]["initial_conversation"], fields["champion"]["initial_user"]) == (SALES, CHAMPION)
    assert fields["why"]["initial_value"] == "We answer the same refund tickets"
    assert not any("initial_value" in fields[criterion] for criterion in ANSWERS)
    assert "Asked the curators to adopt *support-replies v1* in <#CSALES0001>" in sent.text
    second = ask(bot, slack, by=CHAMPION)
    assert f"<#{SALES}> already asked for support-replies v1: <@{SALES_OWNER}>'s request of 2026-11-18" in second.text
    world.dispatcher.drain(max_wait=0)
    [card] = cards(slack)
    assert "Requested by <@USALESOWN1>, who would own it; champion <@UCHAMPION1>" in body(card)
    assert "*Why:* We answer the same refund tickets" in body(card) and "baseline 40" in body(card)
    assert "*Wave:* wave 1: 0 of 1 teams; wave 2 opens when one replicates" in body(
        card
    ) and "*Similar workflow:* Same refund tickets" in body(card)
    assert set(card_buttons(card)) == {"request_approve", "request_decline"}
    assert kinds(engine, "adoption-requested") == [("adoption-requested", "#sales asked to adopt support-replies v1.")]
    assert "waiting, asked by <@USALESOWN1>" in bot.command("registry", user=OWNER).text

    approve = card_buttons(card)["request_approve"]["value"]
    click(bot, "request_approve", approve, SALES_OWNER, CURATORS, card["ts"])  # not a curator
    assert "Only curators approve or decline" in json.dumps(slack.calls_to("chat.postEphemeral")[-1].params)
    # The bot not in the team's channel: refused, and the card says so.
    slack.workspace.not_in_channel.add(SALES)
    click(bot, "request_approve", approve, CURATOR, CURATORS, card["ts"])
    world.dispatcher.drain(max_wait=0)
    [card] = cards(slack)
    assert "I'm not in <#CSALES0001>" in body(card) and "request_approve" in card_buttons(card)
    assert store.playbooks.state("support-replies-sales") is None and requests_of(engine)[0][1] == "pending"
    slack.workspace.not_in_channel.discard(SALES)

    click(bot, "request_approve", approve, CURATOR, CURATORS, card["ts"])
    world.dispatcher.drain(max_wait=0)
    state = store.playbooks.state("support-replies-sales")
    assert (state.playbook.owner_id, state.playbook.champion_id, state.playbook.kpi_baseline) == (
        SALES_OWNER,
        CHAMPION,
        40,
    )
    [card] = cards(slack)
    assert "Approved by <@UCURATOR1>: *support-replies-sales* now runs in <#CSALES0001>" in body(card)
    assert card_buttons(card) == {}
    assert requests_of(engine) == [(SALES, "approved", CURATOR, "support-replies-sales")]
    assert kinds(engine, "request-approved", "adopted") == [
        ("adopted", "support-replies-sales adopted from support-replies v1."),
        ("request-approved", "#sales's request to adopt support-replies v1 approved."),
    ]
    assert any("Your checklist as champion" in m["text"] for m in slack.posted(CHAMPION))
    click(bot, "request_approve", approve, CURATOR, CURATORS, card["ts"])  # again: refused, nothing more
    assert "That request was approved already" in json.dumps(slack.calls_to("chat.postEphemeral")[-1].params)
    assert "approved by <@UCURATOR1> (support-replies-sales)" in bot.command("registry", user=OWNER).text

    # Before its second pilot replicated (phase 1, cadence/phases.py): refused on the card, nothing
    # stored, then approved with a reason by a curator other than the one who asked (the requester).
    slack.add_user(OPS_OWNER)
    request(bot, slack, f"request support-replies <#{OPS}|ops> champion <@{OPS_OWNER}>", OPS_OWNER)
    world.dispatcher.drain(max_wait=0)
    ops = next(c for c in cards(slack) if "COPS000001" in body(c))
    click(bot, "request_approve", card_buttons(ops)["request_approve"]["value"], CURATOR, CURATORS, ops["ts"])
    world.dispatcher.drain(max_wait=0)
    ops = next(c for c in cards(slack) if "COPS000001" in body(c))
    assert "phase 1 of 4, assessed: post-pilot assessment v1 kept" in body(ops)
    assert "a second pilot replicates it (support-replies-sales runs it)" in body(ops)
    assert store.playbooks.state("support-replies-ops") is None
    override = card_buttons(ops)["request_override"]
    click(bot, "request_override", override["value"], CURATOR, CURATORS, ops["ts"])
    view = opened(slack)
    assert view["callback_id"] == "request_override"
    assert bot.submit(CURATOR, view, {"reason": {"type": "plain_text_input", "value": " "}}).body["errors"] == {
        "reason": "Say why: it is recorded with the decision."
    }
    done = bot.submit(CURATOR, view, {"reason": {"type": "plain_text_input", "value": "Ops runs the same queue"}})
    assert done.status == 200 and not (done.body or {}).get("errors")
    assert store.playbooks.state("support-replies-ops").playbook.owner_id == OPS_OWNER
    assert kinds(engine, "wave-overridden")


def test_concurrent_approvals_of_one_request_adopt_once(bot, published, slack, engine):
    world = published
    ask(bot, slack)
    world.dispatcher.drain(max_wait=0)
    [card] = cards(slack)
    value = card_buttons(card)["request_approve"]["value"]
    with ThreadPoolExecutor(APPROVERS) as pool:
        replies = list(
            pool.map(lambda _: click(bot, "request_approve", value, CURATOR, CURATORS, card["ts"]), range(APPROVERS))
        )
    assert all(r.status == 200 for r in replies)
    with engine.connect() as connection:
        assert connection.execute(
            text("SELECT slug FROM playbook WHERE channel_id = :c"), {"c": SALES}
        ).scalars().all() == ["support-replies-sales"]
        for kind in ("adopted", "request-approved"):
            count = connection.execute(text("SELECT count(*) FROM decision WHERE kind = :k"), {"k": kind}).scalar()
            assert count == 1, kind
    assert requests_of(engine) == [(SALES, "approved", CURATOR, "support-replies-sales")]
    world.dispatcher.drain(max_wait=0)
    [card] = cards(slack)  # the losers' refusals left the approved card as it is
    assert "Approved by <@UCURATOR1>" in body(card) and card_buttons(card) == {}


def test_a_bare_request_opens_the_form_whose_answers_go_on_the_card(bot, published, slack, store):
    world = published
    reply = bot.command("request", user=SALES_OWNER)
    assert reply.status == 200
    view = opened(slack)
    assert view["callback_id"] == "request_form"

    def answered(version="support-replies@v1", capacity="Two people can pilot it"):
        return {
            "version": {"type": "plain_text_input", "value": version},
            "channel": {"type": "conversations_select", "selected_conversation": SALES},
            "champion": {"type": "users_select", "selected_user": CHAMPION},
            "similar": {"type": "plain_text_input", "value": "Same refund tickets"},
            "context": {"type": "plain_text_input", "value": "B2B customers, not B2C"},
            "capacity": {"type": "plain_text_input", "value": capacity},
            "target": {"type": "plain_text_input", "value": "18"},
        }

    missing = bot.submit(SALES_OWNER, view, answered(capacity=" "))
    assert missing.body["errors"] == {"capacity": "Answer this: the curators decide on it."}
    unknown = bot.submit(SALES_OWNER, view, answered(version="nothing-like-it"))
    assert "nothing-like-it" in unknown.body["errors"]["version"]
    wordy = bot.submit(SALES_OWNER, view, answered(capacity="x" * (MAX_TEXT_CHARS + 1)))
    assert wordy.body["errors"] == {"capacity": f"Keep it under {MAX_TEXT_CHARS} characters."}
    assert bot.submit(SALES_OWNER, view, answered()).status == 200
    world.dispatcher.drain(max_wait=0)
    [card] = cards(slack)
    shown = body(card)
    assert "*Similar workflow:* Same refund tickets" in shown and "*A different context:* B2B customers" in shown
    assert "*Capacity for disruption:* Two people can pilot it" in shown and "target 18" in shown


def test_the_form_writes_a_typed_number_out_whole_and_keeps_only_a_plain_channel_name():
    from handlers.checkins import request_form
    from usecases.shared.messages import RequestAdoption

    typed = RequestAdoption("support-replies", 2, SALES, "sales", CHAMPION, baseline=1234567.0, target=0.00001)
    view = request_form(typed)
    fields = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert (fields["version"]["initial_value"], fields["baseline"]["initial_value"]) == (
        "support-replies@v2",
        "1234567",
    )
    assert fields["target"]["initial_value"] == "0.00001" and "initial_value" not in fields["cap"]
    assert json.loads(view["private_metadata"]) == {"channel": SALES, "channel_name": "sales"}


def test_a_channel_name_in_the_forms_metadata_that_is_no_plain_name_is_not_taken(bot, published, slack, engine):
    assert not bot.command(f"request support-replies <#{SALES}|sales> champion <@{CHAMPION}>", user=SALES_OWNER).body
    forged = {**opened(slack), "private_metadata": json.dumps({"channel": SALES, "channel_name": "sales> <!here"})}
    assert bot.submit_filled(SALES_OWNER, forged, ANSWERS).status == 200
    assert kinds(engine, "adoption-requested") == [
        ("adoption-requested", f"{SALES} asked to adopt support-replies v1.")
    ]


def test_a_request_made_a_moment_ago_refuses_the_second_and_writes_nothing_of_it(
    published, store, engine, clock, monkeypatch
):
    """Two requests for one channel and version at once, both past the check: the database
    keeps one (one pending per channel and version); the other is refused as pending, and
    neither its decision row nor its card is written."""
    from templates.refusals import Refusal
    from usecases.shared import requests
    from usecases.shared.messages import RequestAdoption

    cmd = RequestAdoption("support-replies", None, SALES, "sales", CHAMPION, similar="Same refund tickets")
    checked = requests.check(store, cmd)
    requests.submit(store, cmd, SALES_OWNER, clock())
    monkeypatch.setattr(requests, "check", lambda *_: checked)  # the second saw no request either
    with pytest.raises(Refusal, match="pending"):
        requests.submit(store, cmd, SALES_OWNER, clock())
    assert requests_of(engine) == [(SALES, "pending", None, None)]
    assert len(kinds(engine, "adoption-requested")) == 1
    with engine.connect() as connection:
        posted = connection.execute(text("SELECT key FROM outbox WHERE key LIKE 'request:%'")).scalars().all()
    assert len(posted) == 1
