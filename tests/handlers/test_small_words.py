"""Small words that were wrong (issue 24, item 16): a version that does not exist, a button
for a week to come. A rubric of -0 is tests/handlers/test_grammar.py's, a percentage for a
guardrail that is not one tests/usecases/fast/test_report_refusals.py's."""

import json
import uuid
from datetime import date

from sqlalchemy import func
from sqlmodel import Session, select

from cadence import keys
from storage.models.playbooks import Playbook
from tests.conftest import ADMIN, MEMBER, OWNER

CURATOR = "UCURATOR1"


def count(engine, table) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(table)).one()


def test_adopting_a_version_that_does_not_exist_names_the_versions_that_do(bot, playbook, slack, engine):
    slack.add_user(CURATOR)
    slack.add_channel("CNEWTEAM01", ["UROLLOUTBOT", OWNER])
    assert "now a curator" in bot.command(f"curator add <@{CURATOR}>", user=ADMIN).text
    assert "v1" in bot.command("publish support-replies override a pilot ahead of readiness", user=CURATOR).text
    for version in ("v0", "v2"):
        reply = bot.command(f"adopt support-replies@{version} <#CNEWTEAM01|new-team>", user=CURATOR)
        assert reply.body["response_type"] == "ephemeral"
        assert f"The registry has no {version} of support-replies" in reply.text, reply.text
        assert "Its versions: support-replies@v1" in reply.text
    assert count(engine, Playbook) == 1


def test_a_button_for_a_week_to_come_says_so_not_week_closed(bot, playbook, slack):
    next_week = keys.checkin_button(playbook.playbook.id, date(2026, 11, 23))  # week 2; it is week 1
    reply = bot.interaction(
        {
            "type": "block_actions",
            "user": {"id": MEMBER},
            "trigger_id": f"{uuid.uuid4().int % 10**12}.98765.abcd",
            "container": {"type": "view", "view_id": "VHOME"},
            "actions": [{"type": "button", "action_id": "checkin_kpi", "block_id": "checkin", "value": next_week}],
        }
    )
    assert reply.status == 200
    notice = slack.opened_views[-1]
    assert "callback_id" not in notice and "submit" not in notice
    assert notice["title"]["text"] == "Week not begun yet"
    assert "week:2 of cycle 1 starts on 2026-11-23, in the future" in json.dumps(notice, ensure_ascii=False)
