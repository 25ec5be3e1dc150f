"""The reporting API on `rollout serve`: a batch of 1,000 reports in one request, and
single reports from 32 clients against `/rollout kpi` on the same server, in turn, so
both are measured in the same minutes. Each client has a token of its own: the API
allows a token 20 requests a second (usecases/api_reports.py), and a benchmark of the rate limit
is not the benchmark of the API."""

from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.ack import (
    CHANNEL,
    MEMBERS,
    OWNER,
    ROUNDS,
    TOKEN,
    _server,
    _wait_healthy,
    bench_playbook,
    bot_env,
    load,
    servers,
)
from bench.ack import merged as merged_bursts
from bench.common import fresh_database, percentiles
from bot.demo.standin.server import SlackStandIn
from storage.db import make_engine
from storage.store import Store
from usecases import tokens

BATCH = 1000
BATCHES = 5


def run(kind: str, workdir: Path, requests: int = 2500, clients: int = 32) -> dict:
    slack = SlackStandIn(token=TOKEN).start()
    slack.add_channel(CHANNEL, [OWNER, *MEMBERS])
    with fresh_database(kind, workdir) as url:
        store = Store(make_engine(url))
        bench_playbook(store)
        now = datetime.now(UTC)
        bearers = [tokens.create(store, f"bench-{i}", None, ["kpi"], False, "bench", now).token for i in range(clients)]
        store.engine.dispose()
        env = bot_env(url, slack.url)
        try:
            with _server(servers()["serve"], env) as (port, _pid):
                _wait_healthy(port, "/healthz")
                load(port, 400, clients, None)  # warm-up, both ways
                _reports(port, 400, bearers)
                batches = [_batch(port, bearers[0], n) for n in range(BATCHES)]
                kpi_bursts, api_bursts = [], []
                for _round in range(ROUNDS):
                    kpi_bursts.append(load(port, requests // ROUNDS, clients, b"Recorded"))
                    api_bursts.append(_reports(port, requests // ROUNDS, bearers))
        finally:
            slack.stop()
    return {
        "batch_seconds": statistics.median(batches),
        "batch_runs": sorted(batches),
        "kpi": merged_bursts(kpi_bursts),
        "api": merged_bursts(api_bursts),
    }


def _batch(port: int, bearer: str, n: int) -> float:
    """Seconds to store a batch of BATCH KPI reports, each with its own key."""
    body = json.dumps(
        {"reports": [{"playbook": "bench-kpi", "kind": "kpi", "value": i, "key": f"b{n}-{i}"} for i in range(BATCH)]}
    )
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"}
    started = time.perf_counter()
    connection.request("POST", "/api/v1/reports", body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    if response.status != 201:
        raise RuntimeError(f"a batch was answered {response.status}")
    return elapsed


def _reports(port: int, requests: int, bearers: list[str]) -> dict:
    """`requests` single KPI reports from one client per token, kept-alive connections."""
    latencies: list[float] = []
    failures = [0]
    counter = iter(range(requests))
    lock = threading.Lock()

    def client(bearer: str) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Authorization": f"Bearer {bearer}", "Content-Type": "application/json"}
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            body = json.dumps({"playbook": "bench-kpi", "kind": "kpi", "value": 10 + n % 40})
            started = time.perf_counter()
            connection.request("POST", "/api/v1/reports", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            elapsed = time.perf_counter() - started
            if response.status == 429:  # this client's token at its limit: wait as told, and count the wait
                time.sleep(float(response.getheader("Retry-After") or 1))
            with lock:
                latencies.append(elapsed)
                if response.status not in (201, 429):
                    failures[0] += 1

    threads = [threading.Thread(target=client, args=(bearer,)) for bearer in bearers]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    return {
        **percentiles(latencies),
        "throughput": len(latencies) / wall,
        "requests": len(latencies),
        "failures": failures[0],
        "samples": latencies,
        "wall": wall,
    }
