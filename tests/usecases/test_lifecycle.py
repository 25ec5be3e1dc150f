"""A retired playbook takes no report on any path, through Slack (issue 24, item 10): its
DM's buttons and forms refuse as the command does. A week paused and resumed in, no verdict
for a week closed before its cycle was started, and an ended cycle counted once in the
digest are tests/usecases/fast/test_lifecycle.py's; an adoption's start bounds,
fast/test_adopt.py's; the bounds of a cycle's start and a resume's, fast/test_life.py's."""

import json
import uuid
from datetime import date

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from cadence import keys
from storage.models.reports import CheckIn, KpiReading
from tests.conftest import MEMBER, OWNER, Engine
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
