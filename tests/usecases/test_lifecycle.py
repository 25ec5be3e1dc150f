"""A playbook's life against its reports, through Slack (issue 24, items 10 and 11): a
retired playbook takes no report on any path (its DM's buttons and forms as the command),
and a week paused and resumed in keeps taking reports until it closes. An adoption's start
bounds are tests/usecases/fast/test_adopt.py's; no verdict for a week closed before its
cycle was started, and an ended cycle counted once in the digest, fast/test_lifecycle.py's;
the bounds of a cycle's start and a resume's, fast/test_life.py's."""

import json
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from cadence import keys
from storage.models.governance import CycleResult, StepVerdict
from storage.models.reports import CheckIn, KpiReading
from tests.conftest import CHANNEL, MEMBER, OWNER, Engine
from tests.handlers.test_forms import selected, submit, text_input

CURATOR = "UCURATOR1"


@pytest.fixture
def world(bot, engine, slack, clock, playbook):
    slack.add_user(OWNER, tz="Europe/Berlin")
    slack.add_user(MEMBER, tz="Europe/Berlin")
    slack.add_user("UROLLOUTBOT", is_bot=True)
    return Engine(engine, slack, clock)


def count(engine, table, *where) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(table).where(*where)).one()


def click(bot, playbook_id, week_start, action_id, user=MEMBER):
    """A check-in DM's button, as Slack sends its click."""
    return bot.interaction(
        {
            "type": "block_actions",
            "user": {"id": user},
            "trigger_id": f"{uuid.uuid4().int % 10**12}.98765.abcd",
            "container": {"type": "message", "channel_id": "DMEMBER001", "message_ts": "1700000000.000100"},
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": "checkin",
                    "value": keys.checkin_button(playbook_id, week_start),
                }
            ],
        }
    )


def refused(reply, *phrases):
    assert reply.status == 200 and reply.body["response_type"] == "ephemeral", reply.body
    assert ":warning:" in reply.text and "Usage:" in reply.text, reply.text
    for phrase in phrases:
        assert phrase in reply.text, reply.text


def texts(slack, channel):
    return [m["text"] for m in slack.posted(channel)]


# ---- item 10: a retired playbook takes no report on any path --------------------------


def test_a_retired_playbook_refuses_the_dm_buttons_and_forms_as_the_command_does(bot, world, slack, engine):
    pid = world.store.playbooks.state("support-replies").playbook.id
    week = date(2026, 11, 16)
    forms = {}
    for action in ("checkin_kpi", "checkin_attest", "checkin_deviation"):  # opened while it ran
        assert click(bot, pid, week, action).status == 200
        forms[action] = slack.opened_views[-1]
        assert forms[action]["callback_id"] == action
    assert "is retired" in bot.command("retire support-replies replaced by triage", user=OWNER).text
    said = "support-replies was retired on 2026-11-18: “replaced by triage”"
    assert said in bot.command("kpi support-replies 20").text

    answers = {
        "checkin_kpi": {"value": text_input("14.5")},
        "checkin_attest": {"note": text_input("smooth")},
        "checkin_deviation": {"step": selected("send"), "reason": text_input("refund over limit")},
    }
    for action, values in answers.items():
        reply = submit(bot, forms[action], values)
        assert reply.body["response_action"] == "errors", (action, reply.body)
        assert any(said in error for error in reply.body["errors"].values()), reply.body
    for action in forms:  # the DM's buttons open a notice that says why, not the form
        opened = len(slack.opened_views)
        assert click(bot, pid, week, action).status == 200
        assert len(slack.opened_views) == opened + 1
        notice = slack.opened_views[-1]
        assert "callback_id" not in notice and "submit" not in notice
        assert said in json.dumps(notice, ensure_ascii=False)
    assert count(engine, KpiReading) == 0 and count(engine, CheckIn) == 0


# ---- item 11: a week paused and resumed in takes reports until it closes ---------------


def test_a_pause_and_a_resume_in_the_same_week_leave_that_week_open_until_it_closes(bot, world, slack, engine, clock):
    pid = world.store.playbooks.state("support-replies").playbook.id
    clock.set(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))  # Wednesday of week 2
    assert "is paused" in bot.command("pause support-replies team offsite", user=OWNER).text
    assert "Cycle 2" in bot.command("resume support-replies", user=OWNER).text  # on Monday 30 November
    assert "week 2 of cycle 1" in bot.command("kpi support-replies 20").text
    assert click(bot, pid, date(2026, 11, 23), "checkin_kpi").status == 200
    form = slack.opened_views[-1]
    assert form["callback_id"] == "checkin_kpi"
    reply = submit(bot, form, {"value": text_input("19")})
    assert reply.status == 200 and not reply.body, reply.body  # closes the form: recorded
    assert "Withdrew your KPI reading" in bot.command("undo support-replies").text
    assert count(engine, KpiReading, KpiReading.withdrawn_at.is_(None)) == 1

    world.run_through(datetime(2026, 11, 25, 11, 0, tzinfo=UTC), datetime(2026, 11, 30, 10, 0, tzinfo=UTC))
    clock.set(datetime(2026, 11, 30, 10, 30, tzinfo=UTC))  # Monday 11:30 in Berlin: inside week 2's grace
    assert "week 2 of cycle 1" in bot.command("kpi support-replies 18 week:2").text
    world.run(datetime(2026, 11, 30, 11, 0, tzinfo=UTC))  # Monday noon in Berlin: week 2 closes
    assert "support-replies: week 2 of cycle 1 closed" in texts(slack, CHANNEL)
    with Session(engine) as s:
        weeks = sorted({v.week_start for v in s.exec(select(StepVerdict))})
        (result,) = s.exec(select(CycleResult)).all()
    assert weeks == [date(2026, 11, 16), date(2026, 11, 23)]
    assert (result.cycle, result.hit) == (1, False)  # interrupted
    refused(bot.command("kpi support-replies 17 week:2"), "closed on Mon 30 Nov 12:00 Europe/Berlin")
    assert "week 1 of cycle 2" in bot.command("kpi support-replies 17").text
