"""Check-in forms: DM buttons and bare commands open modals; submissions are validated
with Slack's field errors; an answer updates the DM it came from."""

import json
import uuid
from datetime import UTC

import pytest
from slack_sdk import WebClient
from sqlalchemy import func
from sqlmodel import Session, select

from bot.demo.standin.slack_requests import view_identity
from slack_api.dispatch import Dispatcher, Pacer
from storage.models.reports import CheckIn, KpiReading
from storage.outbox import Message, Outbox
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


def test_the_kpi_button_opens_the_form_and_a_bad_number_gets_a_field_error(bot, dm, slack, engine, clock):
    assert click(bot, dm, "checkin_kpi").status == 200
    view = slack.opened_views[-1]
    assert view["callback_id"] == "checkin_kpi"
    assert json.loads(view["private_metadata"])["dm"] == {"channel": dm["channel"], "ts": dm["ts"]}
    reply = submit(bot, view, {"value": text_input("14,5")})
    assert reply.body["response_action"] == "errors"
    assert "uses a comma" in reply.body["errors"]["value"]
    assert count(engine, KpiReading) == 0
    reply = submit(bot, view, {"value": text_input("14.5")})
    assert reply.status == 200 and not reply.body  # closes the modal
    assert count(engine, KpiReading) == 1
    deliver(engine, slack, clock)
    updated = slack.posted(MEMBER)[0]
    assert updated.get("edited") and "recorded First-response time = *14.5 min*" in json.dumps(updated["blocks"])


def test_attest_button_records_and_updates_the_dm(bot, dm, slack, engine, clock):
    click(bot, dm, "checkin_attest")
    view = slack.opened_views[-1]
    assert view["callback_id"] == "checkin_attest"
    assert submit(bot, view, {"note": text_input("smooth <!channel>")}).status == 200
    with Session(engine) as s:
        checkin = s.exec(select(CheckIn)).one()
    assert (checkin.attestation, checkin.note, checkin.user_id) == ("followed", "smooth <!channel>", MEMBER)
    deliver(engine, slack, clock)
    assert "followed the mode map" in json.dumps(slack.posted(MEMBER)[0]["blocks"])


def test_deviation_needs_a_reason_and_counts_for_its_step(bot, dm, slack, engine, store, playbook):
    click(bot, dm, "checkin_deviation")
    view = slack.opened_views[-1]
    options = view["blocks"][1]["element"]["options"]
    assert [o["value"] for o in options] == ["draft", "send", "refunds"]
    reply = submit(bot, view, {"step": selected("send"), "reason": text_input("   ")})
    assert reply.body == {
        "response_action": "errors",
        "errors": {"reason": "Say what happened: it is what the owner reads."},
    }
    assert submit(bot, view, {"step": selected("send"), "reason": text_input("refund over limit")}).status == 200
    assert "1 exception (1 from check-ins)" in bot.command("status support-replies").text
    # and it is an item of the exception queue, open, the member's reason its own
    [item] = store.exception_items.open_of([playbook.playbook.id])
    assert (item.source, item.reason, item.logged_by, item.state) == ("deviation", "refund over limit", MEMBER, "open")


def test_bare_attest_in_the_team_channel_opens_that_playbooks_form(bot, playbook, slack):
    reply = bot.command("attest")
    assert reply.status == 200 and not reply.body  # acknowledged without a message: the form opens
    view = slack.opened_views[-1]
    assert view["callback_id"] == "checkin_attest"
    assert json.loads(view["private_metadata"]) == {"playbook": playbook.playbook.id, "week": "2026-11-16"}


def test_bare_kpi_elsewhere_asks_which_playbook(bot, playbook, slack, engine):
    bot.command("kpi", channel="COTHER0001")
    view = slack.opened_views[-1]
    assert view["blocks"][0]["block_id"] == "playbook"
    reply = submit(bot, view, {"playbook": selected(str(playbook.playbook.id)), "value": text_input("21")})
    assert reply.status == 200 and count(engine, KpiReading) == 1


def test_views_open_failing_is_explained(bot, playbook, slack):
    from bot.demo.standin.faults import Fault

    slack.fail_next("views.open", Fault(error="expired_trigger_id"))
    reply = bot.command("attest")
    assert "expired_trigger_id" in reply.text and reply.body["response_type"] == "ephemeral"


def test_an_old_dms_button_says_its_week_closed_and_records_nothing(bot, dm, slack, engine, clock):
    from datetime import datetime

    clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))  # week 1 closed a week ago
    assert click(bot, dm, "checkin_kpi").status == 200
    notice = slack.opened_views[-1]
    assert "callback_id" not in notice and "submit" not in notice
    assert "Week 1 of cycle 1 closed on Mon 23 Nov 12:00 Europe/Berlin" in json.dumps(notice)
    assert count(engine, KpiReading) == 0


def test_a_form_answers_only_for_its_week_and_the_server_checks_it(bot, dm, slack, engine, clock):
    from datetime import datetime

    click(bot, dm, "checkin_kpi")
    view = slack.opened_views[-1]
    clock.set(datetime(2026, 11, 23, 11, 30, tzinfo=UTC))  # the form stayed open past Monday noon in Berlin
    reply = submit(bot, view, {"value": text_input("14.5")})
    assert reply.body["response_action"] == "errors" and "its verdicts stand" in reply.body["errors"]["value"]
    forged = {**view, "private_metadata": json.dumps({"playbook": dm_playbook(view), "week": "2026-12-07"})}
    reply = submit(bot, forged, {"value": text_input("14.5")})
    assert reply.body["response_action"] == "errors" and "in the future" in reply.body["errors"]["value"]
    odd = {**view, "private_metadata": json.dumps({"playbook": dm_playbook(view), "week": "2026-11-18"})}
    reply = submit(bot, odd, {"value": text_input("14.5")})  # not a Monday of the cycle
    assert reply.body["response_action"] == "errors" and "no longer exists" in reply.body["errors"]["value"]
    odd = {**view, "private_metadata": json.dumps({"playbook": dm_playbook(view), "week": "not-a-date"})}
    assert submit(bot, odd, {"value": text_input("14.5")}).status == 400  # the bot never wrote it
    assert count(engine, KpiReading) == 0


def dm_playbook(view):
    return json.loads(view["private_metadata"])["playbook"]
