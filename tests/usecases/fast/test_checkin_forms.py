"""Check-in forms as Slack sends them (handlers/actions.py and views.py's listeners, on the
fakes: tests/usecases/fast/listeners.py): the DM's buttons and bare commands open modals;
submissions are validated with Slack's field errors; an answer updates the DM it came from;
an old DM's button and a form past its week record nothing. The DM delivered and a KPI
answered through signed requests, and views.open failing, are tests/handlers/test_forms.py's."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from cadence.keys import checkin_button
from handlers.errors import Malformed
from tests import fakes
from tests.fakes import MEMBER
from tests.usecases.fast.listeners import Listeners

WEDNESDAY = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # week 1 of cycle 1, from Monday 16 November
DM = {"channel": "D" + MEMBER[1:], "ts": "1700000000.000100"}


def world():
    state = fakes.a_playbook(cycle_started=date(2026, 11, 16), org_timezone="UTC")
    return Listeners(fakes.services(state, now=WEDNESDAY))


def click(slack, action_id, user=MEMBER):
    """A button of MEMBER's check-in DM for week 1."""
    value = checkin_button(state_of(slack).playbook.id, date(2026, 11, 16))
    return slack.click(user, action_id, value, DM["channel"], DM["ts"])


def state_of(slack):
    return fakes.store_of(slack.services).playbooks.state("support-replies")


def text_input(value):
    return {"type": "plain_text_input", "value": value}


def selected(value):
    return {"type": "static_select", "selected_option": {"value": value}}


def stored(slack, kind=None):
    return fakes.store_of(slack.services).reports.stored(kind)


def dm_updates(slack):
    return [
        m.payload
        for m in fakes.store_of(slack.services).held.outbox
        if m.method == "chat.update" and m.channel == DM["channel"] and m.payload["ts"] == DM["ts"]
    ]


def at(slack, when):
    slack.services.clock.at = when


def test_the_kpi_button_opens_the_form_and_a_bad_number_gets_a_field_error():
    slack = world()
    click(slack, "checkin_kpi")
    view = slack.client.opened_views[-1]
    assert view["callback_id"] == "checkin_kpi"
    assert json.loads(view["private_metadata"])["dm"] == DM
    reply = slack.submit(view, {"value": text_input("14,5")})
    assert reply.body["response_action"] == "errors"
    assert "uses a comma" in reply.body["errors"]["value"]
    assert stored(slack, "kpi") == []
    reply = slack.submit(view, {"value": text_input("14.5")})
    assert reply.body == {}  # closes the modal
    assert [r.values["value"] for r in stored(slack, "kpi")] == [14.5]
    [updated] = dm_updates(slack)
    assert "recorded First-response time = *14.5 min*" in json.dumps(updated["blocks"])


def test_attest_button_records_and_updates_the_dm():
    slack = world()
    click(slack, "checkin_attest")
    view = slack.client.opened_views[-1]
    assert view["callback_id"] == "checkin_attest"
    assert slack.submit(view, {"note": text_input("smooth <!channel>")}).body == {}
    [checkin] = stored(slack, "checkin")
    v = checkin.values
    assert (v["attestation"], v["note"], v["user_id"]) == ("followed", "smooth <!channel>", MEMBER)
    [updated] = dm_updates(slack)
    assert "followed the mode map" in json.dumps(updated["blocks"])


def test_deviation_needs_a_reason_and_counts_for_its_step():
    slack = world()
    click(slack, "checkin_deviation")
    view = slack.client.opened_views[-1]
    options = view["blocks"][1]["element"]["options"]
    assert [o["value"] for o in options] == ["draft", "send", "refunds"]
    reply = slack.submit(view, {"step": selected("send"), "reason": text_input("   ")})
    assert reply.body == {
        "response_action": "errors",
        "errors": {"reason": "Say what happened: it is what the owner reads."},
    }
    assert slack.submit(view, {"step": selected("send"), "reason": text_input("refund over limit")}).body == {}
    assert "1 exception (1 from check-ins)" in json.dumps(slack.rollout("status support-replies").body)
    # and it is an item of the exception queue, open, the member's reason its own
    [item] = fakes.store_of(slack.services).exception_items.open_of([state_of(slack).playbook.id])
    assert (item.source, item.reason, item.logged_by, item.state) == ("deviation", "refund over limit", MEMBER, "open")


def test_bare_attest_in_the_team_channel_opens_that_playbooks_form():
    slack = world()
    assert slack.rollout("attest").body == {}  # acknowledged without a message: the form opens
    view = slack.client.opened_views[-1]
    assert view["callback_id"] == "checkin_attest"
    assert json.loads(view["private_metadata"]) == {"playbook": state_of(slack).playbook.id, "week": "2026-11-16"}


def test_bare_kpi_elsewhere_asks_which_playbook():
    slack = world()
    slack.rollout("kpi", channel="COTHER0001")
    view = slack.client.opened_views[-1]
    assert view["blocks"][0]["block_id"] == "playbook"
    reply = slack.submit(view, {"playbook": selected(str(state_of(slack).playbook.id)), "value": text_input("21")})
    assert reply.body == {} and len(stored(slack, "kpi")) == 1


def test_an_old_dms_button_says_its_week_closed_and_records_nothing():
    slack = world()
    at(slack, datetime(2026, 11, 30, 9, 0, tzinfo=UTC))  # week 1 closed a week ago
    click(slack, "checkin_kpi")
    notice = slack.client.opened_views[-1]
    assert "callback_id" not in notice and "submit" not in notice
    assert "Week 1 of cycle 1 closed on Mon 23 Nov 12:00 Europe/Berlin" in json.dumps(notice)
    assert stored(slack, "kpi") == []


def test_a_form_answers_only_for_its_week_and_the_server_checks_it():
    slack = world()
    click(slack, "checkin_kpi")
    view = slack.client.opened_views[-1]
    playbook = json.loads(view["private_metadata"])["playbook"]
    at(slack, datetime(2026, 11, 23, 11, 30, tzinfo=UTC))  # the form stayed open past Monday noon in Berlin
    reply = slack.submit(view, {"value": text_input("14.5")})
    assert reply.body["response_action"] == "errors" and "its verdicts stand" in reply.body["errors"]["value"]
    forged = {**view, "private_metadata": json.dumps({"playbook": playbook, "week": "2026-12-07"})}
    reply = slack.submit(forged, {"value": text_input("14.5")})
    assert reply.body["response_action"] == "errors" and "in the future" in reply.body["errors"]["value"]
    odd = {**view, "private_metadata": json.dumps({"playbook": playbook, "week": "2026-11-18"})}
    reply = slack.submit(odd, {"value": text_input("14.5")})  # not a Monday of the cycle
    assert reply.body["response_action"] == "errors" and "no longer exists" in reply.body["errors"]["value"]
    odd = {**view, "private_metadata": json.dumps({"playbook": playbook, "week": "not-a-date"})}
    with pytest.raises(Malformed):  # the bot never wrote it: bot/app.py answers 400
        slack.submit(odd, {"value": text_input("14.5")})
    assert stored(slack, "kpi") == []
