"""Small words that were wrong (issue 24, item 16), on the fakes: a version that does not
exist, a button for a week to come. A rubric of -0 is tests/handlers/test_grammar.py's, a
percentage for a guardrail that is not one tests/usecases/fast/test_report_refusals.py's."""

from __future__ import annotations

import json
from datetime import date

from cadence import keys
from tests import fakes
from tests.fakes import ADMIN, CHANNEL, MEMBER, OWNER, FakeDirectory
from tests.usecases.fast.listeners import Listeners
from tests.usecases.fast.slash import publish_over
from tests.usecases.fast.test_rollout_replies import said, text, world

CURATOR = "UCURATOR1"


def test_adopting_a_version_that_does_not_exist_names_the_versions_that_do():
    services = world(directory=FakeDirectory({CHANNEL: [OWNER, MEMBER], "CNEWTEAM01": [OWNER]}))
    assert "now a curator" in text(said(services, f"curator add <@{CURATOR}>", ADMIN))
    assert "v1" in publish_over(services, "publish support-replies override a pilot ahead of readiness", CURATOR)
    for version in ("v0", "v2"):
        reply = said(services, f"adopt support-replies@{version} <#CNEWTEAM01|new-team>", CURATOR)
        assert reply["response_type"] == "ephemeral"
        assert f"The registry has no {version} of support-replies" in text(reply), text(reply)
        assert "Its versions: support-replies@v1" in text(reply)
    assert fakes.store_of(services).playbooks.slugs() == ["support-replies"]


def test_a_button_for_a_week_to_come_says_so_not_week_closed():
    slack = Listeners(world())
    state = fakes.store_of(slack.services).playbooks.state("support-replies")
    next_week = keys.checkin_button(state.playbook.id, date(2026, 11, 23))  # week 2; it is week 1
    slack.click(MEMBER, "checkin_kpi", next_week)  # from the App Home
    notice = slack.client.opened_views[-1]
    assert "callback_id" not in notice and "submit" not in notice
    assert notice["title"]["text"] == "Week not begun yet"
    assert "week:2 of cycle 1 starts on 2026-11-23, in the future" in json.dumps(notice, ensure_ascii=False)
