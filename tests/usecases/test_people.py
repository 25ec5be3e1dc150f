"""People who leave, end to end: a DM Slack says has no person marks them gone, through
the outbox's dispatcher and the Slack stand-in's error; a named operational owner that
Slack's signed user_change calls deleted is told to the curators' channel and fails the
ownership `/rollout publish` judges, an open proposal or not. Who hears of whom (once), the
digest's word of it, and a deactivated owner shown in status with no Friday DM, are
tests/usecases/fast/test_people.py's; that a deactivated member gets no DM until
reactivated, tests/usecases/fast/test_tick_people.py's; Slack's user_change event,
tests/usecases/test_names.py's."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

from slack_sdk import WebClient

from bot.demo.standin.faults import Fault
from cadence.change import Change, Message, NewProposal
from cadence.definition_load import parse_playbook
from slack_api.dispatch import Dispatcher
from slack_api.pacing import Pacer
from storage.outbox import Outbox
from tests.committed import committed, enqueue, loaded
from tests.conftest import ADMIN, BOT_TOKEN, MEMBER, OWNER, SUPPORT_REPLIES, Engine
from tests.usecases.test_governance import CURATOR, CURATORS
from usecases import people
from usecases.shared import readiness
from usecases.shared.life import begin_cycle


def test_a_dm_slack_says_has_no_person_marks_them_gone(playbook, slack, engine, store):
    now = datetime(2026, 11, 19, 14, 0, tzinfo=UTC)
    outbox = Outbox(engine)
    enqueue(outbox.bind, [Message("dm:gone", "chat.postMessage", MEMBER, {"text": "hi"})], now)
    slack.fail_next("chat.postMessage", Fault(error="user_not_found"))
    client = WebClient(token=BOT_TOKEN, base_url=slack.url, retry_handlers=[])
    Dispatcher(
        outbox,
        client,
        clock=lambda: now,
        pacer=Pacer(per_channel_seconds=0, workspace_per_second=1000),
        access=store.health,
        on_person_gone=lambda user, error: people.person_gone(store, user, error, now),
    ).drain(max_wait=0)
    assert outbox.find("dm:gone").status == "failed"
    assert store.people.deactivated() == {MEMBER}


RULES, MODELS = "URULES0001", "UMODELS001"
GONE = "The model updates owner of support-replies is deactivated in Slack"
OWNERSHIP = "Ownership: the owner, the business rules owner and the model updates owner are active Slack users"


def _named_owners(bot, slack, store, clock):
    """support-replies naming its operational owners as pasted from Slack (`<@U…>`), cycle 1
    started; curators and their channel set: its state."""
    raw = {
        **copy.deepcopy(SUPPORT_REPLIES),
        "owners": {"business_rules": f"<@{RULES}>", "model_updates": f"<@{MODELS}>"},
    }
    loaded(store, [parse_playbook(raw)], "UTC", actor="test", at=clock())
    state = store.playbooks.state("support-replies")
    begin_cycle(store, state.playbook.id, 1, date(2026, 11, 16), OWNER, clock())
    slack.add_channel(CURATORS, [CURATOR, ADMIN])
    for user in (OWNER, CURATOR, RULES, MODELS):
        slack.add_user(user, tz="Europe/Berlin")
    bot.command(f"curator add <@{CURATOR}>", user=ADMIN)
    bot.command(f"curators-channel <#{CURATORS}|curators>", user=ADMIN)
    return store.playbooks.state("support-replies")


def _models_owner_leaves(bot, slack):
    """Slack deactivates the model updates owner and says so, as it does: the whole user, signed."""
    slack.add_user(MODELS, deleted=True)
    person = {"id": MODELS, "name": "bea", "deleted": True, "is_bot": False, "real_name": "Bea Models"}
    gone = {"type": "user_change", "user": {**person, "profile": {"display_name": "Bea", "real_name": "Bea Models"}}}
    assert bot.event(gone).status == 200


def test_a_named_operational_owner_deactivated_in_slack_is_told_to_the_curators_and_fails_ownership(
    bot, slack, engine, store, clock
):
    """Issue 91, item 7: `owners: {business_rules: <@A>, model_updates: <@B>}`, and Slack's
    signed `user_change` saying B is deleted, to the real endpoint: the curators' channel
    hears it, once, and `/rollout publish`'s readiness no longer holds the ownership met."""
    state = _named_owners(bot, slack, store, clock)
    assert f"✅ {OWNERSHIP}" in bot.command("publish support-replies", user=CURATOR).text
    _models_owner_leaves(bot, slack)
    Engine(engine, slack, clock).run(clock())
    assert [m["text"] for m in slack.posted(CURATORS)].count(GONE) == 1
    refused = bot.command("publish support-replies", user=CURATOR).text
    assert "❌ Ownership: the model updates owner is not an active Slack user" in refused, refused
    assert OWNERSHIP not in refused
    assert store.registry.versions(playbook_id=state.playbook.id) == []
    _models_owner_leaves(bot, slack)  # Slack may say it again: the curators hear once
    Engine(engine, slack, clock).run(clock())
    assert [m["text"] for m in slack.posted(CURATORS)].count(GONE) == 1


def test_an_open_ready_to_scale_proposal_does_not_hold_an_owner_who_left_active(bot, slack, engine, store, clock):
    """A "ready to scale" proposal keeps the criteria it was judged on; a publish settling it
    judges the exception queue again, and the ownership too once someone it names has left:
    `/rollout publish` named them active (✅) after the curators were told they had left."""
    state = _named_owners(bot, slack, store, clock)
    judged = readiness.as_figures(readiness.criteria(store, state, []))
    ready = {"cycle": 2, "results": [], "criteria": [{**c, "met": True} for c in judged]}
    proposal = NewProposal("scale:support-replies:2", "scale", state.playbook.id, date(2026, 11, 30), figures=ready)
    committed(store).governance.apply(Change(new_proposals=[proposal]), clock())
    _models_owner_leaves(bot, slack)
    Engine(engine, slack, clock).run(clock())
    assert [m["text"] for m in slack.posted(CURATORS)].count(GONE) == 1
    refused = bot.command("publish support-replies", user=CURATOR).text
    assert "❌ Ownership: the model updates owner is not an active Slack user" in refused, refused
    assert store.registry.versions(playbook_id=state.playbook.id) == []
    assert store.governance.proposal(proposal.key).status == "open"
