"""An assistant's tools as processes run them, with the SDK's own client: `rollout mcp`
over stdio (the operator's, every playbook) and /mcp on `rollout serve`, whose lifespan
runs the SDK's session manager and stops it cleanly."""

import json
import os
import signal
import sys
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
from usecases import api_digest, api_reads, tokens
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
    "readiness": ({"slug": "support-replies"}, lambda s, t: api_reads.judged_readiness(s, t, "support-replies")),
    "registry": ({}, lambda s, t: {"versions": api_reads.registry_entries(s, t)}),
    "decisions": ({"slug": "support-replies"}, lambda s, t: api_reads.decisions(s, t, "support-replies")),
    "learnings": ({"query": ""}, lambda s, t: api_reads.learnings(s, t, "")),
    "digest": ({}, lambda s, t: api_digest.digest(s, t)),
}


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
