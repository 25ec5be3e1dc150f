"""People who leave, end to end: a DM Slack says has no person marks them gone, through
the outbox's dispatcher and the Slack stand-in's error. Who hears of whom (once), the
digest's word of it, and a deactivated owner shown in status with no Friday DM, are
tests/usecases/fast/test_people.py's; that a deactivated member gets no DM until
reactivated, tests/usecases/fast/test_tick_people.py's; Slack's user_change event,
tests/usecases/test_names.py's."""

from __future__ import annotations

from datetime import UTC, datetime

from slack_sdk import WebClient

from bot.demo.standin.faults import Fault
from slack_api.dispatch import Dispatcher, Pacer
from storage.outbox import Message, Outbox
from tests.committed import enqueue
from tests.conftest import BOT_TOKEN, MEMBER
from usecases import people


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
