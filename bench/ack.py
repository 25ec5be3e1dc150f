"""Acknowledgement: `/rollout kpi` over HTTP with signature verification, 32 concurrent
clients, through `rollout serve` (waitress); and the same load on a bare Bolt app that
only calls ack() behind the same server stack. Also the peak RSS of `rollout serve`."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bench.common import ROOT, fresh_database, percentiles
from bot.standin import SlackStandIn
from cadence.calendar import local_date, monday_of
from cadence.definition import parse_playbook
from storage.db import make_engine
from storage.store import Store

SECRET, TOKEN = "bench-secret", "xoxb-bench"
CHANNEL, OWNER = "CBENCH0001", "UBENCHOWN1"
MEMBERS = [f"UBENCH{i:04d}" for i in range(32)]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(port: int, path: str, timeout: float = 30) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET" if path == "/healthz" else "POST", path)
            c.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered on port {port}")


def load(
    port: int,
    requests: int,
    clients: int,
    expect: bytes | None,
    text: str = "kpi bench-kpi {value}.5",
    user: str | None = None,
) -> dict:
    """`requests` signed /rollout commands (`text`, by default a KPI report) from `clients`
    threads with kept-alive connections; `user` sends them all as one person."""
    verifier = SignatureVerifier(SECRET)
    latencies: list[float] = []
    failures = [0]
    counter = iter(range(requests))
    lock = threading.Lock()

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        sender = user or MEMBERS[index % len(MEMBERS)]
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            body = urlencode(
                {
                    "command": "/rollout",
                    "text": text.format(value=10 + n % 40),
                    "user_id": sender,
                    "channel_id": CHANNEL,
                    "team_id": "T0ROLLOUT",
                    "api_app_id": "A0BENCH",
                    "trigger_id": f"{uuid.uuid4().int % 10**12}.1.x",
                    "response_url": "https://hooks.slack.com/commands/x",
                }
            )
            stamp = str(int(time.time()))
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": verifier.generate_signature(timestamp=stamp, body=body),
            }
            started = time.perf_counter()
            connection.request("POST", "/slack/events", body=body, headers=headers)
            response = connection.getresponse()
            data = response.read()
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if response.status != 200 or (expect is not None and expect not in data):
                    failures[0] += 1

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
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
    }


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(
    kind: str,
    workdir: Path,
    requests: int = 5000,
    clients: int = 32,
    threads: int = 8,
    workers: tuple[int, ...] = (1, 2),
) -> dict:
    """`rollout serve` with each number of `workers`, then the bare app (one process)."""
    slack = SlackStandIn(token=TOKEN).start()
    slack.add_channel(CHANNEL, [OWNER, *MEMBERS])
    with fresh_database(kind, workdir) as url:
        store = Store(make_engine(url))
        spec = parse_playbook(
            {
                "playbook": "bench-kpi",
                "title": "Bench",
                "function": "Bench",
                "channel": CHANNEL,
                "owner": OWNER,
                "timezone": "UTC",
                "rubric_threshold": 0.9,
                "exception_cap": 0.1,
                "kpi": {"name": "Minutes", "unit": "min", "direction": "down", "baseline": 40, "target": 15},
                "guardrail": {"name": "CSAT", "min": 4.0},
                "steps": [{"name": "draft", "mode": "collaborative"}],
            }
        )
        now = datetime.now(UTC)
        store.load_playbooks([spec], "UTC", "bench", now)
        store.start_cycle(
            store.playbook_state("bench-kpi").playbook.id, 1, monday_of(local_date(now, "UTC")), OWNER, now
        )
        store.engine.dispose()
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.url,
            "DATABASE_URL": url,
            "ROLLOUT_TIMEZONE": "UTC",
            "PYTHONPATH": str(ROOT),
        }
        apps = {}
        for count in workers:
            port = _free_port()
            serve = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bot",
                    "serve",
                    "--port",
                    str(port),
                    "--host",
                    "127.0.0.1",
                    "--no-scheduler",
                    "--threads",
                    str(threads),
                    "--workers",
                    str(count),
                ],
                env=env,
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                _wait_healthy(port, "/healthz")
                load(port, 200 * count, clients, b"Recorded")  # warm-up: caches, pools, imports, every process
                apps[count] = load(port, requests, clients, b"Recorded")
                apps[count]["peak_rss_mib"] = peak_rss_mib(serve.pid)  # the first process (the others fork it)
                if count == 1:
                    subcommands = {
                        name: load(port, requests // 5, clients, None, text, user)
                        for name, (text, user) in SUBCOMMANDS.items()
                    }
            finally:
                serve.terminate()
                serve.wait(timeout=30)
        floor = _reference(["floor_app.py", url], slack.url, requests, clients, threads)
    port = _free_port()
    bare = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / "bare_app.py"), str(port), SECRET, str(threads), slack.url],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_healthy(port, "/slack/events")
        load(port, 200, clients, None)
        baseline = load(port, requests, clients, None)
    finally:
        bare.terminate()
        bare.wait(timeout=30)
        slack.stop()
    return {
        "app": apps[workers[0]],
        "apps": {str(k): v for k, v in apps.items()},
        "bare": baseline,
        "floor": floor,
        "subcommands": subcommands,
    }


# Every subcommand with a cheap path of its own, as its usual caller sends it.
SUBCOMMANDS = {
    "help": ("help", None),
    "status": ("status bench-kpi", None),
    "kpi": ("kpi bench-kpi {value}.5", None),
    "attest": ("attest bench-kpi yes smooth week", None),
    "guardrail": ("guardrail bench-kpi 4.{value}", None),
    "exception": ("exception bench-kpi draft a case went wrong", OWNER),
    "cases": ("cases bench-kpi draft {value}", OWNER),
    "rubric": ("rubric bench-kpi draft 0.9", OWNER),
    "history": ("history bench-kpi", None),
    "undo": ("undo bench-kpi", OWNER),
}


def _reference(args: list[str], slack_url: str, requests: int, clients: int, threads: int) -> dict:
    """A reference server from bench/ (argv: port, secret, threads, Web API URL, then `args[1:]`)."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "bench" / args[0]), str(port), SECRET, str(threads), slack_url, *args[1:]],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_healthy(port, "/slack/events")
        load(port, 200, clients, None)
        return load(port, requests, clients, b"Recorded")
    finally:
        server.terminate()
        server.wait(timeout=30)
