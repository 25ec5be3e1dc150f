"""A real install, as an operator makes it: the real processes with the variables the
docs tell them to set, against the Slack stand-in (issue 39's install items)."""

import http.client
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.bot.test_processes import _procfile_web, _serving, _stopped_cleanly, env  # noqa: F401 - `env` is a fixture used here
from tests.conftest import CHANNEL, MEMBER

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow  # real processes


def _get(base_url: str, path: str) -> http.client.HTTPResponse:
    """One GET, redirects not followed."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


@pytest.mark.parametrize("start", [_serving, _procfile_web], ids=["serve", "procfile-web"])
def test_sign_in_with_slack_set_in_the_environment_keeps_commands_working(env, playbook, slack, start):  # noqa: F811
    """SLACK_CLIENT_ID and SLACK_CLIENT_SECRET in the process environment, as docs/setup.md
    says for Sign in with Slack: Bolt must not take them as an OAuth install and drop the
    bot token; the sign-in page still sends people to Slack's authorize page."""
    env = {
        **env,
        "SLACK_CLIENT_ID": "1234567890.0987654321",
        "SLACK_CLIENT_SECRET": "client-secret",
        "ROLLOUT_WEB_URL": "http://rollout.example.com",
    }
    server, slack_side = start(env)
    with _stopped_cleanly(server) as stopped:
        reply = slack_side.command("help", MEMBER, CHANNEL)
        assert reply.status == 200 and "/rollout kpi" in str(reply.body), reply
        assert "Recorded" in slack_side.command("kpi support-replies 20", MEMBER, CHANNEL).text
        page = slack_side.get("/web/signin")
        assert page.status == 200 and "/web/oidc/start" in page.body
        start = _get(slack_side.base_url, "/web/oidc/start")
        assert start.status in (302, 303)
        location = start.getheader("Location") or ""
        assert urlsplit(location).path == "/openid/connect/authorize"
        assert "client_id=1234567890.0987654321" in location
    assert "installation" not in stopped.output.lower(), stopped.output


def test_a_process_that_verifies_the_token_at_start_lifts_the_hold_a_refusal_left(env, store, slack):  # noqa: F811
    """The app was reinstalled after its token was revoked: a web process started with the
    new token (auth.test ok) answers healthy at once, even without a clock to probe Slack."""
    from datetime import UTC, datetime

    store.health.lose_slack_access("token_revoked", datetime(2026, 11, 1, tzinfo=UTC))
    server, slack_side = _serving(env, "--no-scheduler")
    with _stopped_cleanly(server):
        health = slack_side.get("/healthz")
        assert health.status == 200 and health.body["slack"] == "ok", health
    assert store.health.slack_access_lost() is None


def test_healthz_with_slack_unreachable_says_the_token_is_not_verified(env, store):  # noqa: F811
    from tests.ports import refusing_port

    with refusing_port() as nowhere:  # held for the test: no server can take it meanwhile
        server, slack_side = _serving({**env, "SLACK_API_URL": f"http://127.0.0.1:{nowhere}/api/"}, "--no-scheduler")
        with _stopped_cleanly(server) as stopped:
            health = slack_side.get("/healthz")
            assert health.status == 200, health  # Slack's outage does not take the process out of rotation
            assert health.body["slack"].startswith("not verified (unreachable since 20"), health
    unreachable = [line for line in stopped.output.splitlines() if "reach" in line.lower()]
    assert len(unreachable) == 1 and " ERROR " not in unreachable[0], stopped.output  # said once, as a warning


def test_the_clock_says_nothing_at_info_every_minute(env, playbook, slack):  # noqa: F811
    """A quiet log: the scheduler's per-minute lines are for debugging only."""
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "clock"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = []
    with _stopped_cleanly(server) as stopped:
        # the first tick runs at once and says so: the scheduler has run its job by then
        while not seen or "tick: " not in seen[-1]:
            line = server.stdout.readline()
            assert line, "".join(seen)  # the clock ended before its first tick
            seen.append(line)
    assert "apscheduler" not in "".join(seen) + stopped.output, "".join(seen) + stopped.output


def test_a_clock_stopped_while_it_starts_exits_cleanly(env, playbook, slack):  # noqa: F811
    """A platform may stop a process before it is ready: SIGTERM once the clock has checked
    its token, while it still loads the rest (the statistics and the templates take
    seconds), ends it with 0 and no traceback (the clock then never begins)."""
    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "clock"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    with _stopped_cleanly(server):
        first = server.stdout.readline()
        if first.startswith("Database: "):  # which database it opened, said first (issue 96)
            first = server.stdout.readline()
        assert "connected to Slack" in first, first
