"""The pulse's form end to end (issue 82): `/rollout pulse` opens it, a view submission as
Slack sends it keeps one answer a person, a re-sent submission stores nothing twice.
Signed requests against the real endpoint, Slack played by the stand-in; both databases."""

from datetime import UTC, datetime

from sqlmodel import Session, select

from bot.demo.standin.slack_requests import view_identity
from storage.models.pulse import PulseAnswer
from tests.conftest import MEMBER, OWNER
from tests.handlers.test_commands import assert_refused
from tests.usecases.test_governance import close_of, world  # noqa: F401  (a fixture)

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


def test_an_answer_outside_the_scale_is_refused_on_its_question(bot, slack, playbook, engine, clock):
    clock.set(THURSDAY_OF_WEEK_4)
    reply = bot.interaction(answered(open_form(bot, slack), view_identity(), trust="9"))
    assert reply.body["response_action"] == "errors" and "trust" in reply.body["errors"]
    assert stored(engine) == []


def test_the_week_4_close_seals_the_pulse_and_shows_only_its_totals(world, bot, slack, engine, clock):  # noqa: F811
    """Six of the team answer; the close deletes the cycle's key, tells the team the
    totals and why promotions to ai-led wait, and a late answer is refused."""
    from storage.models.pulse import PulseKey
    from tests.conftest import CHANNEL

    team = [MEMBER, OWNER, *(f"UTEAM0000{n}" for n in range(4))]
    slack.add_channel(CHANNEL, team)
    clock.set(THURSDAY_OF_WEEK_4)
    for n, person in enumerate(team):
        picked = {"trust": str(2 + n % 3), "around": "often" if n < 2 else "never", "freed": "new"}
        bot.interaction(answered(open_form(bot, slack, person), view_identity(), person, **picked))
    assert len(stored(engine)) == 6
    world.run(close_of(4))
    summary = next(m for m in slack.posted(CHANNEL) if "*Pulse* of cycle 1" in str(m["blocks"]))
    said = str(summary["blocks"])
    assert "6 answered · trust 3 of 5 (95% CI" in said and "worked around a step sometimes or often 33%" in said
    assert "Promotions to ai-led wait through cycle 2" in said
    with Session(engine) as s:
        assert s.exec(select(PulseKey)).all() == []
    late = bot.command("pulse support-replies", user=MEMBER)
    assert_refused(late, "has closed")
    assert len(stored(engine)) == 6


def test_the_week_4_check_in_dm_carries_pulse_and_its_button_opens_the_form(world, bot, slack, clock):  # noqa: F811
    import uuid

    world.run(datetime(2026, 12, 3, 15, 0, tzinfo=UTC))  # week 3's Thursday check-in: no pulse yet
    assert not any("pulse_open" in str(m["blocks"]) for m in slack.posted(MEMBER))
    world.run(THURSDAY_OF_WEEK_4.replace(hour=15))  # week 4's: 16:00 in Berlin
    dm = next(m for m in slack.posted(MEMBER) if "pulse_open" in str(m["blocks"]))
    button = next(
        e for b in dm["blocks"] if b["type"] == "actions" for e in b["elements"] if e["action_id"] == "pulse_open"
    )
    bot.interaction(
        {
            "type": "block_actions",
            "user": {"id": MEMBER},
            "trigger_id": f"{uuid.uuid4().int % 10**12}.98765.abcd",
            "container": {"type": "message", "channel_id": MEMBER, "message_ts": dm.get("ts", "1.0")},
            "actions": [{"type": "button", "action_id": "pulse_open", "block_id": "pulse", "value": button["value"]}],
        }
    )
    assert slack.opened_views[-1]["callback_id"] == "pulse_form"
