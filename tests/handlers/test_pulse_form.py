"""The pulse's form end to end (issue 82): `/rollout pulse` opens it, a view submission as
Slack sends it keeps one answer a person, a re-sent submission stores nothing twice.
Signed requests against the real endpoint, Slack played by the stand-in; both databases.
An answer outside the scale, the week-4 close's totals and the check-in DM's button are
tests/usecases/fast/test_pulse_slack.py's (the listeners on the fakes)."""

from datetime import UTC, datetime

from sqlmodel import Session, select

from bot.demo.standin.slack_requests import view_identity
from storage.models.pulse import PulseAnswer
from tests.conftest import MEMBER, OWNER
from tests.handlers.test_commands import assert_refused

THURSDAY_OF_WEEK_4 = datetime(2026, 12, 10, 14, 0, tzinfo=UTC)  # the cycle begun on 2026-11-16


def open_form(bot, slack, user=MEMBER):
    reply = bot.command("pulse support-replies", user=user)
    assert reply.status == 200 and not reply.body, reply.body  # a form opened: no reply
    view = slack.opened_views[-1]
    assert view["callback_id"] == "pulse_form"
    return view


def answered(view, identity, user=MEMBER, **picked):
    values = {
        block: {"value": {"type": "radio_buttons", "selected_option": {"value": value} if value else None}}
        for block, value in picked.items()
    }
    return {"type": "view_submission", "user": {"id": user}, "view": {**view, "state": {"values": values}, **identity}}


def stored(engine):
    with Session(engine) as s:
        return [(a.trust, a.around, a.safety, a.freed) for a in s.exec(select(PulseAnswer)).all()]


def test_the_pulse_opens_from_week_4s_thursday_and_keeps_one_answer_a_person(bot, slack, playbook, engine, clock):
    clock.set(THURSDAY_OF_WEEK_4.replace(day=9))
    assert_refused(bot.command("pulse support-replies", user=MEMBER), "opens on 2026-12-10")
    clock.set(THURSDAY_OF_WEEK_4)
    view = open_form(bot, slack)
    said = str(view["blocks"])
    assert "Anonymous" in said and "How far could you rely on the AI's output in support-replies" in said
    first = answered(view, view_identity(), trust="2", around="often")
    assert bot.interaction(first).body["response_action"] == "update"
    assert bot.interaction(first).status == 200  # re-sent by Slack: stored once
    assert stored(engine) == [(2, "often", None, None)]
    again = answered(open_form(bot, slack), view_identity(), trust="4", freed="new")
    bot.interaction(again)
    assert stored(engine) == [(4, None, None, "new")]  # the second answer replaced the first
    bot.interaction(answered(open_form(bot, slack, OWNER), view_identity(), OWNER, safety="5"))
    assert len(stored(engine)) == 2
    # before the close, how many answered, to the owner only, and nothing of the answers
    shown = bot.command("status support-replies", user=OWNER).text
    assert "*Pulse* of this cycle: 2 of " in shown and "trust" not in shown
    assert "Pulse" not in bot.command("status support-replies", user=MEMBER).text
