"""The app uninstalled, then installed again (issue 78): the processes restart with a new
bot token, which Slack accepts, and the bot speaks again, whichever process hears Slack
accept it first: the web process, the clock, or a tick run from cron before either."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.bot.test_processes import _serving, _stopped_cleanly, env, rollout  # noqa: F401 - `env` is a fixture used here
from tests.conftest import CHANNEL, OWNER

ROOT = Path(__file__).resolve().parents[2]
NEW_TOKEN = "xoxb-reinstalled-token"
MONDAY_WEEK_2 = "2026-11-23T09:30:00+00:00"  # the playbook is in UTC: week 2's nudge is due at 09:00

pytestmark = pytest.mark.slow  # real processes


def _uninstalled_then_reinstalled(env, slack):  # noqa: F811
    """Week 1 done, the web process up: Slack sends a signed `app_uninstalled` while its Web
    API refuses the token, /healthz answers 503. Then the app is installed again: the
    environment the processes restart with, with the new token."""
    server, slack_side = _serving(env, "--no-scheduler")
    with _stopped_cleanly(server):
        slack.revoke("token_revoked")
        assert slack_side.event({"type": "app_uninstalled"}).status == 200
        health = slack_side.get("/healthz")
        assert health.status == 503 and health.body["slack"].startswith("token refused (app_uninstalled)"), health
    slack.reinstall(NEW_TOKEN)
    return {**env, "SLACK_BOT_TOKEN": NEW_TOKEN}


def _nudges(slack) -> list[str]:
    return [m["text"] for m in slack.posted(CHANNEL) if "week 2" in m["text"].lower()]


def _ticks_then_speaks(env, slack):  # noqa: F811
    """Monday of week 2: its nudge goes out once; Thursday's check-in DMs follow."""
    first = rollout(env, "tick", "--at", MONDAY_WEEK_2)
    assert first.returncode == 0, first.stderr
    assert "wait" not in first.stdout and "all messages delivered" in first.stdout, first.stdout
    assert len(_nudges(slack)) == 1, slack.posted(CHANNEL)
    thursday = rollout(env, "tick", "--at", "2026-11-26T15:30:00+00:00")
    assert thursday.returncode == 0 and "wait" not in thursday.stdout, thursday.stdout
    assert len(_nudges(slack)) == 1  # nothing twice
    assert any("week 2" in m["text"] for m in slack.posted(OWNER)), slack.posted(OWNER)  # and what follows


def _healthy_web(env) -> None:  # noqa: F811
    server, slack_side = _serving(env, "--no-scheduler")  # waits for /healthz to answer 200
    with _stopped_cleanly(server):
        assert slack_side.get("/healthz").body["slack"] == "ok"


def test_the_web_process_restarted_first(env, playbook, slack, store):  # noqa: F811
    env = _uninstalled_then_reinstalled(env, slack)
    _healthy_web(env)
    assert not store.health.any_hold()  # the web process heard Slack accept the token: the hold is gone
    _ticks_then_speaks(env, slack)


def test_the_clock_restarted_first(env, playbook, slack, store):  # noqa: F811
    env = _uninstalled_then_reinstalled(env, slack)
    clock = subprocess.Popen(
        [sys.executable, "-m", "bot", "clock"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen: list[str] = []
    with _stopped_cleanly(clock):
        while not seen or "tick: " not in seen[-1]:  # its first tick runs at once and says so
            line = clock.stdout.readline()
            assert line, "".join(seen)  # the clock ended before its first tick
            seen.append(line)
    assert "wait" not in seen[-1], "".join(seen)
    assert not store.health.any_hold()  # the clock heard Slack accept the token at its start
    _healthy_web(env)


def test_a_tick_run_before_either(env, playbook, slack, store):  # noqa: F811
    env = _uninstalled_then_reinstalled(env, slack)
    _ticks_then_speaks(env, slack)  # the old token's hold does not hold a process with the new one
    _healthy_web(env)
    assert not store.health.any_hold()
