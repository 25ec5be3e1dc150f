"""Check-in forms through signed requests: views.open failing is explained; the helpers
here (a delivered check-in DM, its buttons, a form's submission) serve the signed-request
tests of other files (tests/bot/test_compare_reports.py answers a DM's KPI form end to
end). The buttons and bare commands, their field errors, the DM updated, and an old DM's
or a stale form's week are tests/usecases/fast/test_checkin_forms.py's (the listeners on
the fakes)."""

import uuid
from datetime import UTC

import pytest
from slack_sdk import WebClient
from sqlalchemy import func
from sqlmodel import Session, select

from bot.demo.standin.slack_requests import view_identity
from cadence.change import Message
from slack_api.dispatch import Dispatcher
from slack_api.pacing import Pacer
from storage.outbox import Outbox
from tests.committed import enqueue
from tests.conftest import BOT_TOKEN, MEMBER

UTC = UTC


def count(engine, table):
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(table)).one()


@pytest.fixture
def dm(engine, slack, playbook, clock):
    """A check-in DM delivered to MEMBER, as the tick would have sent it."""
    from cadence.keys import checkin_button as button_value
    from templates import render

    value = button_value(playbook.playbook.id, playbook.anchor.starts_on)
    from cadence.calendar import WeekRef

    week = WeekRef(1, 1, playbook.anchor.starts_on)
    message = render(
        "checkin_dm",
        slug="support-replies",
        title="Support reply drafting",
        week=week,
        steps=playbook.steps,
        kpi_name="First-response time",
        value=value,
        reminder=False,
    )
    outbox = Outbox(engine)
    enqueue(
        outbox.bind, [Message("checkin:1:2026-11-16:" + MEMBER + "#0", "chat.postMessage", MEMBER, message)], clock()
    )
    deliver(engine, slack, clock)
    posted = slack.posted(MEMBER)[0]
    return {"channel": "D" + MEMBER[1:], "ts": posted["ts"], "value": value}


def deliver(engine, slack, clock):
    client = WebClient(token=BOT_TOKEN, base_url=slack.url, retry_handlers=[])
    Dispatcher(
        Outbox(engine),
        client,
        clock=clock,
        sleep=lambda s: None,
        pacer=Pacer(per_channel_seconds=0, workspace_per_second=1000),
    ).drain(max_wait=0)


def click(bot, dm, action_id, user=MEMBER):
    return bot.interaction(
        {
            "type": "block_actions",
            "user": {"id": user},
            "trigger_id": f"{uuid.uuid4().int % 10**12}.98765.abcd",
            "container": {"type": "message", "channel_id": dm["channel"], "message_ts": dm["ts"]},
            "actions": [{"type": "button", "action_id": action_id, "block_id": "checkin", "value": dm["value"]}],
        }
    )


def submit(bot, view, values, user=MEMBER):
    state = {"values": {block: {"value": v} for block, v in values.items()}}
    return bot.interaction(
        {"type": "view_submission", "user": {"id": user}, "view": {**view, "state": state, **view_identity()}}
    )


def text_input(value):
    return {"type": "plain_text_input", "value": value}


def selected(value):
    return {"type": "static_select", "selected_option": {"value": value}}


def test_views_open_failing_is_explained(bot, playbook, slack):
    from bot.demo.standin.faults import Fault

    slack.fail_next("views.open", Fault(error="expired_trigger_id"))
    reply = bot.command("attest")
    assert "expired_trigger_id" in reply.text and reply.body["response_type"] == "ephemeral"
