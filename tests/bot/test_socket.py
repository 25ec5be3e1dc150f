"""`rollout socket` as the process a team runs first: connected to the stand-in's
Socket Mode server on loopback, answering a slash command, and sending the cadence's
work on schedule from its in-process clock and dispatcher."""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from cadence.definition_load import parse_playbook
from tests.committed import loaded
from tests.conftest import BOT_TOKEN, CHANNEL, MEMBER, OWNER, SUPPORT_REPLIES
from usecases.shared.life import begin_cycle

pytestmark = pytest.mark.slow  # real processes: `bash tests/run -m "not slow"` leaves them out

ROOT = Path(__file__).resolve().parents[2]
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@pytest.fixture
def env(database_url, slack):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "ROLLOUT_"))}
    environment.update(
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_APP_TOKEN=slack.app_token,
        SLACK_API_URL=slack.url,
        DATABASE_URL=database_url,
        ROLLOUT_TIMEZONE="UTC",
        PYTHONPATH=str(ROOT),
        # The HTTP surface beside the Slack connection, on a port the kernel picks: a test that
        # talks to it starts the process on a port of its own (tests/ports.py).
        PORT="0",
    )
    return environment


def _playbook_nudged_a_minute_ago(store) -> None:
    """support-replies in UTC, its Monday nudge moved to two minutes ago (the process
    reads the real clock), in week 2 of a cycle that began last Monday."""
    now = datetime.now(UTC)
    slot = now - timedelta(minutes=2)
    definition = {**SUPPORT_REPLIES, "timezone": "UTC", "nudge_at": f"{DAYS[slot.weekday()]} {slot:%H:%M}"}
    loaded(store, [parse_playbook(definition)], "UTC", actor="test", at=now)
    state = store.playbooks.state("support-replies")
    begin_cycle(store, state.playbook.id, 1, now.date() - timedelta(days=now.weekday() + 7), OWNER, now)


def _wait(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_socket_mode_answers_commands_and_runs_the_clock(env, store, slack):
    _playbook_nudged_a_minute_ago(store)
    assert _wait(lambda: slack.socket_mode.connected == 0, 10)  # an earlier test's app has gone
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "socket"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert slack.socket_mode.wait_for_connection(30), "rollout socket never connected"
        reply = slack.socket_mode.command("kpi support-replies 20", MEMBER, CHANNEL)
        assert reply is not None and reply.get("response_type") == "ephemeral"
        assert "Recorded First-response time = 20 min" in str(reply)
        assert "/rollout kpi" in str(slack.socket_mode.command("help", MEMBER, CHANNEL))
        nudged = _wait(lambda: any("week 2 of cycle 1" in m["text"] for m in slack.posted(CHANNEL)), 30)
        assert nudged, slack.posted(CHANNEL)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert "cadence clock and dispatcher running in this process" in output
    assert "Traceback" not in output
    assert store.health.heartbeat("clock") is not None


def test_socket_mode_without_the_scheduler_sends_nothing_on_its_own(env, store, slack):
    _playbook_nudged_a_minute_ago(store)
    assert _wait(lambda: slack.socket_mode.connected == 0, 10)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "socket", "--no-scheduler"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert slack.socket_mode.wait_for_connection(30)
        assert "Recorded" in str(slack.socket_mode.command("kpi support-replies 20", MEMBER, CHANNEL))
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    assert slack.calls_to("chat.postMessage") == []


def test_a_wrong_app_token_is_named_without_a_traceback(env, slack):
    result = subprocess.run(
        [sys.executable, "-m", "bot", "socket"],
        env={**env, "SLACK_APP_TOKEN": "xapp-wrong"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "Slack refused SLACK_APP_TOKEN (invalid_auth)" in result.stderr and "App-Level Tokens" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def _http(env, method: str, path: str) -> tuple[int, str, Any]:
    """One request to the process's HTTP port, redirects not followed."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", int(env["PORT"]), timeout=10)
    try:
        connection.request(method, path, body=b"" if method == "POST" else None)
        response = connection.getresponse()
        return response.status, response.read().decode(), response.headers  # names in any case
    finally:
        connection.close()


def _http_up(env, seconds: float = 30) -> bool:
    def answers() -> bool:
        try:
            return _http(env, "GET", "/healthz")[0] == 200
        except OSError:
            return False

    return _wait(answers, seconds)


def _mcp_playbook(env, store) -> dict[str, Any]:
    """The `playbook` tool called at /mcp with the SDK's own client, for a read token."""
    import anyio
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    from usecases import tokens

    reader = tokens.create(store, "assistant", None, [], True, "test", datetime.now(UTC)).token

    async def session() -> Any:
        http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {reader}"}, timeout=30)
        url = f"http://127.0.0.1:{env['PORT']}/mcp"
        async with Client(streamable_http_client(url, http_client=http)) as client:
            return await client.call_tool("playbook", {"slug": "support-replies"})

    answered = anyio.run(session)
    assert not answered.is_error, answered.content
    return answered.structured_content


def test_socket_mode_serves_the_web_view_api_health_metrics_and_mcp_but_not_slack_events(env, store, slack):
    """The README's easy trial has the whole product: everything `serve` answers over HTTP
    (an assistant's tools at /mcp included) but /slack/events, whose requests come over
    the Socket Mode connection."""
    _playbook_nudged_a_minute_ago(store)
    assert _wait(lambda: slack.socket_mode.connected == 0, 10)
    from tests.ports import serve_on_a_free_port

    def start(port: int) -> subprocess.Popen[bytes]:
        env["PORT"] = str(port)
        return subprocess.Popen(
            [sys.executable, "-m", "bot", "socket"], env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )

    process, _ = serve_on_a_free_port(start, lambda port: _http_up(env, seconds=0.5))
    try:
        assert slack.socket_mode.wait_for_connection(30), "rollout socket never connected"
        status, body, _ = _http(env, "GET", "/healthz")
        assert status == 200 and '"database": "ok"' in body
        assert "rollout_requests_total" in _http(env, "GET", "/metrics")[1]
        status, body, _ = _http(env, "GET", "/web/signin")
        assert status == 200 and "Sign in" in body
        status, body, _ = _http(env, "GET", "/api/v1/openapi.json")
        assert status == 200 and '"openapi"' in body
        assert _http(env, "GET", "/api/v1/playbooks")[0] == 401  # the API, asking for a token
        assert _http(env, "POST", "/mcp")[0] == 401  # an assistant's tools, asking for one too
        assert _mcp_playbook(env, store)["slug"] == "support-replies"
        assert _http(env, "POST", "/slack/events")[0] == 404
        status, _, headers = _http(env, "GET", "/")
        assert status == 303 and headers["Location"] == "/web/"
        assert "Recorded" in str(slack.socket_mode.command("kpi support-replies 20", MEMBER, CHANNEL))
        assert _wait(lambda: any("week 2 of cycle 1" in m["text"] for m in slack.posted(CHANNEL)), 30)
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    said = output.decode(errors="replace")
    assert "Traceback" not in said, said[max(0, said.find("Traceback") - 1500) :]  # pytest would cut the middle out


def test_socket_mode_without_http_listens_on_no_port(env, store, slack):
    from tests.ports import refusing_port

    assert _wait(lambda: slack.socket_mode.connected == 0, 10)
    with refusing_port() as port:  # held: a process that tried to listen on it would fail
        env["PORT"] = str(port)
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "socket", "--no-http", "--no-scheduler"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            assert slack.socket_mode.wait_for_connection(30)
            assert "/rollout kpi" in str(slack.socket_mode.command("help", MEMBER, CHANNEL))
            assert not _http_up(env, seconds=1)
        finally:
            process.send_signal(signal.SIGTERM)
            output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
