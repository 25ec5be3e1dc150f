"""One workspace: requests signed with the app's secret but from another workspace, app or
enterprise install are refused before anything runs, stored nowhere, and counted."""

import json
import time
import uuid
from urllib.parse import urlencode

import pytest

from bot.demo.standin.slack_requests import command_payload
from bot.demo.standin.workspace import APP_ID, TEAM_ID
from tests.bot.test_web import _samples
from tests.conftest import CHANNEL, MEMBER, OWNER
from tests.handlers.test_commands import row_counts

STRANGERS = [
    pytest.param({"team_id": "TOTHER0001"}, id="another-workspace"),
    pytest.param({"api_app_id": "AOTHER0001"}, id="another-app"),
    pytest.param({"is_enterprise_install": "true", "enterprise_id": "E0GRID0001"}, id="an-enterprise-install"),
]


def _command(bot, text: str, **fields: str):
    body = urlencode({**command_payload(text, MEMBER, CHANNEL), **fields})
    return bot.post("/slack/events", body, bot.signed_headers(body))


def _foreign_count(bot) -> float:
    return sum(
        value
        for (name, labels), value in _samples(bot.get("/metrics").body).items()
        if name == "rollout_requests_total" and dict(labels).get("outcome") == "foreign"
    )


@pytest.mark.parametrize("fields", STRANGERS)
def test_a_command_from_anyone_but_this_workspace_and_app_is_refused_and_stores_nothing(bot, playbook, engine, fields):
    before, counted = row_counts(engine), _foreign_count(bot)
    reply = _command(bot, "kpi support-replies 18.5", **fields)
    assert reply.status == 200 and reply.body["response_type"] == "ephemeral"
    assert "serves one Slack workspace" in reply.text and "Recorded" not in reply.text
    assert row_counts(engine) == before
    assert _foreign_count(bot) == counted + 1
    assert "Recorded" in _command(bot, "kpi support-replies 18.5").text  # this workspace's own: recorded


def test_an_event_from_another_workspace_changes_nothing(bot, playbook, store):
    body = json.dumps(
        {
            "token": "x",
            "team_id": "TOTHER0001",
            "api_app_id": APP_ID,
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:10]}",
            "event_time": int(time.time()),
            "event": {"type": "channel_archive", "channel": CHANNEL, "user": OWNER},
        }
    )
    headers = {**bot.signed_headers(body), "Content-Type": "application/json"}
    assert bot.post("/slack/events", body, headers).status == 200
    assert store.playbooks.state("support-replies").playbook.status == "active"
    assert bot.event({"type": "channel_archive", "channel": CHANNEL, "user": OWNER}).status == 200
    assert store.playbooks.state("support-replies").playbook.status == "paused"  # from this workspace: it counts


def test_a_click_from_another_workspace_opens_nothing(bot, playbook, slack, store):
    from cadence.keys import checkin_button

    value = checkin_button(playbook.playbook.id, playbook.anchor.starts_on)
    opened = len(slack.calls_to("views.open"))
    payload = {
        "type": "block_actions",
        "team": {"id": "TOTHER0001"},
        "user": {"id": MEMBER},
        "trigger_id": "1.1.abc",
        "container": {"type": "view", "view_id": "VHOME"},
        "actions": [{"type": "button", "action_id": "checkin_kpi", "block_id": "checkin", "value": value}],
    }
    assert bot.interaction(payload).status == 200
    assert len(slack.calls_to("views.open")) == opened
    assert bot.interaction({**payload, "team": {"id": TEAM_ID}}).status == 200
    assert len(slack.calls_to("views.open")) == opened + 1  # the same click from this workspace opens the form


def test_the_start_names_the_app_or_says_it_is_unknown(slack, caplog):
    """`rollout serve` and `socket` say which workspace and app the token is; when bots.info
    will not name the app, the log says so in words, not "as app None" (issue 67, item 9)."""
    import logging

    from bot.demo.standin.faults import Fault
    from bot.settings import Settings
    from bot.startup import verify_slack
    from tests.conftest import BOT_TOKEN

    settings = Settings(_env_file=None, slack_bot_token=BOT_TOKEN, slack_api_url=slack.url)
    with caplog.at_level(logging.INFO):
        assert verify_slack(settings).app_id == APP_ID
        slack.fail_next("bots.info", Fault(error="missing_scope"))
        assert verify_slack(settings).app_id is None
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("connected to Slack")]
    assert said == [
        f"connected to Slack in workspace {TEAM_ID}, as app {APP_ID}",
        f"connected to Slack in workspace {TEAM_ID}; its app unknown",
    ]
    assert "bots.info answered missing_scope: requests are checked by workspace only" in caplog.text
