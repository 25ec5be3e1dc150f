"""An assistant's tool call (issue 84) beside the reporting API's read of the same data:
`POST /mcp` `tools/call` against `GET /api/v1/...`, one client at a time on kept-alive
connections, through the real app on uvicorn in this process (its lifespan runs the MCP
session manager, as `rollout serve`'s does), on SQLite and, with `--postgresql`, on
PostgreSQL (ROLLOUT_TEST_PG_URL). The two edges take turns, read by read, so both are
measured in the same minutes. No budget: the figure to watch is what the tool adds to
the read (the protocol's envelope, the output's JSON twice), p50 and p99.

The data: support-replies with 8 weeks of reports (KPI, each step's cases, an exception),
sent over the API in their weeks, and a learning a week. Each request names a token of its own in turn
(40 of them), so the API's rate of 20 a second per token never answers for them.

    PYTHONPATH=. .venv/bin/python -m bench.mcp [--postgresql] [--requests N]
"""

from __future__ import annotations

import http.client
import itertools
import json
import socket
import sys
import tempfile
import time as timer
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace

from bench.common import fresh_database, percentiles
from bot.app import create_app
from bot.http_server import InThread
from bot.web import make_asgi
from cadence.definition_load import parse_playbook
from storage.db import make_engine
from storage.store import Store
from tests.conftest import OWNER, SUPPORT_REPLIES, settings_for
from usecases import operator, tokens

TOKENS = 40
WEEKS = 8
READS = {  # tool and arguments, and the API's read of the same data
    "playbook": ({"slug": "support-replies"}, "/api/v1/playbooks/support-replies"),
    "list_playbooks": ({}, "/api/v1/playbooks"),
    "decisions": ({"slug": "support-replies"}, "/api/v1/playbooks/support-replies/decisions"),
    "learnings": ({"query": "policy"}, "/api/v1/learnings?q=policy"),
    "digest": ({}, "/api/v1/digest"),
}


def build(store: Store, now: datetime) -> list[str]:
    """support-replies with WEEKS weeks of reports, a learning a week: the read tokens."""
    first = _first_monday(now)
    with store.unit_of_work() as uow:
        uow.playbooks.load([parse_playbook(SUPPORT_REPLIES)], "UTC", actor="bench", at=now)
        uow.commit()
    state = store.playbooks.state("support-replies")
    assert state is not None
    operator.start_cycle(
        store, "support-replies", first, datetime.combine(first, time(9), UTC)
    )  # as `rollout cycle start`
    for week in range(WEEKS):  # a learning a week
        text = f"Week {week + 1}: drafts that quote the refund policy need fewer edits"
        with store.unit_of_work() as uow:
            uow.learnings.add(state.playbook.id, 1 + week // 4, text, OWNER, now - timedelta(days=7 * (WEEKS - week)))
            uow.commit()
    return [
        tokens.create(store, f"bench-{i}", None, list(tokens.REPORT_KINDS), True, "bench", now).token
        for i in range(TOKENS)
    ]


class Clock:
    """The bot's clock: set to an instant, or (None) the real one, whose seconds the
    API's rate counts in."""

    def __init__(self) -> None:
        self.at: datetime | None = None

    def __call__(self) -> datetime:
        return self.at or datetime.now(UTC)

    def set(self, at: datetime | None) -> None:
        self.at = at


def report(port: int, bearer: str, clock: Clock, now: datetime) -> None:
    """WEEKS weeks of reports over the API, each sent in its own week (the bot's clock
    moved there: a week past its close takes none), then the clock the real one again."""
    first = _first_monday(now)
    for week in range(WEEKS):
        clock.set(datetime.combine(first + timedelta(days=7 * week + 2), time(10), UTC))
        reports = [
            {"playbook": "support-replies", "kind": "kpi", "value": 40 - 3 * week},
            *(
                {"playbook": "support-replies", "kind": "cases", "step": s, "value": 40 + week}
                for s in ("draft", "send")
            ),
            {"playbook": "support-replies", "kind": "exception", "step": "send", "reason": "a refund over the limit"},
        ]
        status, _ = _request(port, "POST", "/api/v1/reports", bearer, json.dumps({"reports": reports}).encode())
        assert status == 201, status
    clock.set(None)


def _first_monday(now: datetime) -> date:
    first = (now - timedelta(days=7 * WEEKS)).date()
    return first - timedelta(days=first.weekday())


def _request(port: int, method: str, path: str, bearer: str, body: bytes | None = None, connection=None):
    own = connection is None
    connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {bearer}"}
    if body is not None:
        headers |= {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
        headers |= {"MCP-Protocol-Version": "2025-11-25"} if path == "/mcp" else {}
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    answer = response.read()
    if own:
        connection.close()
    return response.status, answer


def _connected(port: int) -> http.client.HTTPConnection:
    """A kept-alive connection with TCP_NODELAY set, as asyncio sets it on the server's
    side: http.client writes a POST's head and body apart, and without it the body waits
    for the head's delayed ACK (some 40 ms) and measures TCP, not the bot."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.connect()
    assert connection.sock is not None
    connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return connection


def run(kind: str, workdir: Path, requests: int = 400) -> dict:
    now = datetime.now(UTC)
    clock = Clock()
    with fresh_database(kind, workdir) as url:
        store = Store(make_engine(url))
        bearers = build(store, now)
        app = create_app(settings_for(url, SimpleNamespace(url="http://127.0.0.1:9")), store, clock=clock)
        server = InThread(make_asgi(app, store, clock)).start()
        port = server.port
        try:
            report(port, bearers[0], clock, now)
            turn = itertools.cycle(bearers)
            api_connection, mcp_connection = _connected(port), _connected(port)
            figures: dict = {}
            for tool, (arguments, path) in READS.items():
                call = {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "tools/call",
                    "params": {"name": tool, "arguments": arguments},
                }
                body = json.dumps(call).encode()
                # the same data: the tool's structured content is the API's answer
                api_status, api_answer = _request(port, "GET", path, next(turn), connection=api_connection)
                mcp_status, mcp_answer = _request(port, "POST", "/mcp", next(turn), body, connection=mcp_connection)
                result = json.loads(mcp_answer)["result"]
                assert api_status == mcp_status == 200 and result["structuredContent"] == json.loads(api_answer), tool
                api, mcp = [], []
                for _ in range(requests):
                    started = timer.perf_counter()
                    status, answer = _request(port, "GET", path, next(turn), connection=api_connection)
                    assert status == 200, (tool, status, answer[:200])
                    api.append(timer.perf_counter() - started)
                    started = timer.perf_counter()
                    status, answer = _request(port, "POST", "/mcp", next(turn), body, connection=mcp_connection)
                    assert status == 200, (tool, status, answer[:200])
                    mcp.append(timer.perf_counter() - started)
                figures[tool] = {"api": percentiles(api), "mcp": percentiles(mcp), "bytes": len(api_answer)}
        finally:
            server.stop()
            store.engine.dispose()
    return figures


def main() -> None:
    kinds = ["sqlite", "postgresql"] if "--postgresql" in sys.argv else ["sqlite"]
    requests = int(sys.argv[sys.argv.index("--requests") + 1]) if "--requests" in sys.argv else 400
    print(f"{requests} requests each, one client at a time; milliseconds")
    print(f"{'database':<11} {'read':<15} {'API p50':>8} {'API p99':>8} {'MCP p50':>8} {'MCP p99':>8} {'bytes':>7}")
    with tempfile.TemporaryDirectory() as workdir:
        for kind in kinds:
            for tool, f in run(kind, Path(workdir), requests).items():
                api, mcp = f["api"], f["mcp"]
                print(
                    f"{kind:<11} {tool:<15} {api['p50']:>8.1f} {api['p99']:>8.1f} {mcp['p50']:>8.1f} {mcp['p99']:>8.1f}"
                    f" {f['bytes']:>7,}"
                )


if __name__ == "__main__":
    main()
