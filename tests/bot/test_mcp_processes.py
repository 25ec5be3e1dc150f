"""An assistant's tools as processes run them, with the SDK's own client: `rollout mcp`
over stdio (the operator's, every playbook) and /mcp on `rollout serve`, whose lifespan
runs the SDK's session manager and stops it cleanly."""

import json
import os
import queue
import re
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime

import anyio
import httpx2
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from bot.app import utc_now
from slack_api.members import TeamDirectory
from tests.bot.test_processes import ROOT, _serving
from tests.conftest import BOT_TOKEN
from usecases import api_digest, api_readiness, api_reads, tokens
from usecases.shared.services import Services

pytestmark = pytest.mark.slow  # real processes: `bash tests/run -m "not slow"` leaves them out


@pytest.fixture
def env(database_url, slack):
    """The processes' environment, as tests/bot/test_processes.py's: the test database, Slack's stand-in."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "ROLLOUT_"))}
    return {
        **environment,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": slack.url,
        "DATABASE_URL": database_url,
        "ROLLOUT_TIMEZONE": "UTC",
        "PYTHONPATH": str(ROOT),
    }


CALLS = {
    "list_playbooks": ({}, lambda s, t: {"playbooks": api_reads.playbooks(s, t)}),
    "playbook": ({"slug": "support-replies"}, lambda s, t: api_reads.playbook(s, t, "support-replies")),
    "readiness": ({"slug": "support-replies"}, lambda s, t: api_readiness.judged_readiness(s, t, "support-replies")),
    "registry": ({}, lambda s, t: {"versions": api_reads.registry_entries(s, t)}),
    "decisions": ({"slug": "support-replies"}, lambda s, t: api_reads.decisions(s, t, "support-replies")),
    "learnings": ({"query": ""}, lambda s, t: api_reads.learnings(s, t, "")),
    "digest": ({}, lambda s, t: api_digest.digest(s, t)),
}


@pytest.mark.one_database  # the stdio transport; every tool's reads on both: tests/bot/test_mcp.py
def test_rollout_mcp_over_stdio_answers_every_tool_as_the_apis_reads(env, playbook, store):
    server = StdioServerParameters(command=sys.executable, args=["-m", "bot", "mcp"], env=env, cwd=str(ROOT))

    async def session():
        async with Client(server) as client:
            listed = await client.list_tools()
            return listed, {name: await client.call_tool(name, arguments) for name, (arguments, _) in CALLS.items()}

    listed, called = anyio.run(session)
    assert sorted(t.name for t in listed.tools) == sorted(CALLS)
    # the API's reads of the same data, by a token of every playbook, as the process reads them now
    reader = tokens.create(store, "every", None, [], True, "test", utc_now()).token
    token = store.tokens.by_hash(tokens.hash_of(reader))
    services = Services(
        store=store, clock=utc_now, admins=frozenset(), org_timezone="UTC", directory=TeamDirectory(ttl_seconds=0)
    )
    for name, (_, read) in CALLS.items():
        assert not called[name].is_error, (name, called[name].content)
        assert called[name].structured_content == json.loads(json.dumps(read(services, token))), name


@pytest.mark.one_database  # refused before any read
def test_rollout_mcp_over_stdio_answers_arguments_not_an_object_with_a_tool_error(env, playbook):
    """Issue 91, item 6, over stdio: raw JSON-RPC, as an assistant may write it (the SDK's
    client would not send such arguments), after the handshake."""
    from tests.bot.test_mcp import NOT_AN_OBJECT, tool_call

    server = subprocess.Popen(
        [sys.executable, "-m", "bot", "mcp"],
        env=env,
        cwd=str(ROOT),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in server.stdout], daemon=True).start()

    def answer_to(message: dict) -> dict:
        server.stdin.write(json.dumps(message) + "\n")
        server.stdin.flush()
        while True:
            answer = json.loads(lines.get(timeout=60))
            if answer.get("id") == message["id"]:
                return answer

    try:
        hello = {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}
        assert "result" in answer_to({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": hello})
        server.stdin.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n")
        for (name, arguments), sentence in NOT_AN_OBJECT.items():
            answer = answer_to(tool_call(name, arguments, modern=False))
            assert "error" not in answer, (name, arguments, answer)
            assert answer["result"]["isError"] is True
            assert answer["result"]["content"] == [{"type": "text", "text": sentence}]
    finally:
        server.stdin.close()
        server.wait(timeout=30)


@pytest.mark.one_database  # the lifespan; the token's reads on both: tests/bot/test_mcp.py
def test_serve_answers_mcp_for_a_read_token_and_its_lifespan_stops_cleanly(env, playbook, store):
    server, slack_side = _serving(env, "--no-scheduler")
    reader = tokens.create(store, "assistant", None, [], True, "test", datetime.now(UTC)).token

    async def session(token):
        http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30)
        async with Client(streamable_http_client(f"{slack_side.base_url}/mcp", http_client=http)) as client:
            return await client.call_tool("playbook", {"slug": "support-replies"})

    try:
        answered = anyio.run(session, reader)
        assert not answered.is_error and answered.structured_content["slug"] == "support-replies"
        tokens.revoke(store, "assistant", "test", datetime.now(UTC))
        with pytest.raises(Exception):  # noqa: B017 (401: the SDK's client fails, however it says so)
            anyio.run(session, reader)
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
    assert "Traceback" not in output and reader not in output


OPEN_FILES = 128  # the server's limit on open files here: far below what the GETs would hold
GETS = 300  # the count, more than twice the limit


def _open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _answer(client: socket.socket) -> tuple[bytes, bytes]:
    """One answer's head and its body (as long as Content-Length says; none: the head alone)."""
    answer = b""
    while b"\r\n\r\n" not in answer:
        data = client.recv(65536)
        assert data, answer  # closed before its head ended
        answer += data
    head, _, body = answer.partition(b"\r\n\r\n")
    length = re.search(rb"(?im)^content-length: *(\d+)", head)
    while length and len(body) < int(length.group(1)):
        data = client.recv(65536)
        assert data, head + body
        body += data
    return head, body


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="counts a process's open files in /proc")
@pytest.mark.one_database  # the server's files and HTTP; the token's rows on both: tests/bot/test_mcp.py
def test_many_gets_of_mcp_with_one_token_hold_nothing_open_under_a_low_file_limit(env, playbook, store):
    """Issue 91, item 1: each GET /mcp held an SSE stream open for good, so one read token's
    300 GETs (inside the API's rate) took every file a server under a 256-file limit may
    open, and /healthz stopped answering. A hostile client here, as curl would: each GET
    on a connection of its own, closed once its answer is whole (a stream never is)."""
    server, slack_side = _serving(env, "--no-scheduler")
    resource.prlimit(server.pid, resource.RLIMIT_NOFILE, (OPEN_FILES, OPEN_FILES))  # from now on
    reader = tokens.create(store, "assistant", None, [], True, "test", datetime.now(UTC)).token
    host, port = slack_side.base_url.removeprefix("http://").split(":")
    request = (
        f"GET /mcp HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Bearer {reader}\r\n"
        "Accept: text/event-stream\r\n\r\n"
    ).encode()
    try:
        before = _open_files(server.pid)
        for _ in range(GETS):
            with socket.create_connection((host, int(port)), timeout=10) as client:
                client.sendall(request)
                head, body = _answer(client)
                assert head.startswith(b"HTTP/1.1 405 ") and b"\r\nallow: post" in head.lower(), head
                assert json.loads(body) == {"error": "POST only"}
        assert slack_side.get("/healthz").status == 200
        # nothing kept open: the server's open files come back to what they were (each
        # closed connection is let go as the server reads its end, soon after)
        deadline = time.monotonic() + 30
        while _open_files(server.pid) > before and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _open_files(server.pid) <= before
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
    assert "Too many open files" not in output and "Traceback" not in output
