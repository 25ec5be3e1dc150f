"""People who leave: a deactivated account gets nothing more, leaves the attestation rate
(which counts the DMs sent), and a playbook it owns waits for a curator, who hears once.
Who hears of whom, and the digest's word of it, are tests/usecases/fast/test_people.py's;
that a deactivated member gets no DM until reactivated, tests/usecases/fast/test_tick_people.py's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient

from bot.demo.standin.faults import Fault
from slack_api.dispatch import Dispatcher, Pacer
from storage.outbox import Message, Outbox
from tests.committed import enqueue
from tests.conftest import ADMIN, BOT_TOKEN, MEMBER, OWNER, Engine
from usecases import people


def _deactivated(bot, user):
    return bot.event({"type": "user_change", "user": {"id": user, "deleted": True, "is_bot": False}})


def _curator_channel(bot):
    bot.command("curator add <@UADMIN0001|admin>", user=ADMIN)
    bot.command("curators-channel <#CCURATORS1|curators>", user=ADMIN)


def test_a_deactivated_owner_is_told_to_the_curators_once_and_shown_in_status(
    bot, playbook, slack, engine, clock, store
):
    _curator_channel(bot)
    slack.add_channel("CCURATORS1", ["UADMIN0001", "UROLLOUTBOT"])
    _deactivated(bot, OWNER)
    _deactivated(bot, OWNER)  # Slack may say it again: the curators hear once
    Engine(engine, slack, clock).dispatcher.drain(max_wait=0)
    alerts = slack.posted("CCURATORS1")
    assert len(alerts) == 1 and "its owner <@UOWNER0001> is deactivated" in alerts[0]["blocks"][0]["text"]["text"]
    status = bot.command("status support-replies").text
    assert "owner deactivated" in status and "wait for a curator" in status
    # Friday's owner DM goes to no one
    Engine(engine, slack, clock).run_through(clock.at, clock.at + timedelta(days=2, hours=8))
    assert slack.posted(OWNER) == []


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
