"""Acknowledgement: `/rollout kpi` over HTTP with signature verification, 32 concurrent
clients, through `rollout serve` and the Procfile's `web` (uvicorn), beside the durable
floor on the same stack; and the same load on a bare Bolt app that only calls ack() (the
same stack too). Also the peak RSS of each server."""

from __future__ import annotations

import http.client
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from slack_sdk.signature import SignatureVerifier

from bench import week_form
from bench.common import FAILED, ROOT, fresh_database, percentiles
from bot.demo.standin.server import SlackStandIn
from cadence.calendar import local_date, monday_of
from cadence.definition_load import parse_playbook
from storage.db import make_engine
from storage.store import Store
from usecases.shared.life import begin_cycle

SECRET, TOKEN = "bench-secret", "xoxb-bench"


def bot_env(url: str, slack_url: str) -> dict[str, str]:
    """The environment a bot process of the benches runs with: this checkout, the database
    at `url`, the stand-in Slack at `slack_url`."""
    return {
        **os.environ,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": slack_url,
        "DATABASE_URL": url,
        "ROLLOUT_TIMEZONE": "UTC",
        "PYTHONPATH": str(ROOT),
    }


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
    form: Callable[[week_form.Post, int, int], str] | None = None,
) -> dict:
    """`requests` signed /rollout commands (`text`, by default a KPI report) from `clients`
    threads with kept-alive connections; `user` sends them all as one person. `form`: the
    body of the n-th request by client `index` instead, `form(post, index, n)`, a form's
    submission (bench/week_form.py), which may first send what it needs through `post`
    (untimed: opening the form)."""
    verifier = SignatureVerifier(SECRET)
    latencies: list[float] = []
    failures = [0]
    failed: list[str] = []  # the first few answers that failed, as they came: a count alone says no why
    counter = iter(range(requests))
    lock = threading.Lock()

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        sender = user or MEMBERS[index % len(MEMBERS)]

        def send(body: str) -> tuple[int, bytes]:
            stamp = str(int(time.time()))
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": stamp,
                "X-Slack-Signature": verifier.generate_signature(timestamp=stamp, body=body),
            }
            connection.request("POST", "/slack/events", body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()

        def post(body: str) -> bytes:
            status, data = send(body)
            if status != 200:
                raise RuntimeError(f"{status}: {data[:300]!r}")
            return data

        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            body = (
                form(post, index, n)
                if form is not None
                else week_form.command(text.format(value=10 + n % 40), sender, CHANNEL)
            )
            started = time.perf_counter()
            status, data = send(body)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if status != 200 or FAILED in data or (expect is not None and expect not in data):
                    failures[0] += 1
                    if len(failed) < 5:
                        failed.append(f"{status}: {data[:300].decode(errors='replace')}")

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
        "failed": failed,
        "samples": latencies,
        "wall": wall,
    }


def merged(bursts: list[dict]) -> dict:
    """One figure from a server's bursts of load: percentiles of every request, throughput
    over the time spent loading it."""
    samples = [latency for burst in bursts for latency in burst["samples"]]
    return {
        **percentiles(samples),
        "throughput": len(samples) / sum(burst["wall"] for burst in bursts),
        "requests": len(samples),
        "failures": sum(burst["failures"] for burst in bursts),
        "failed": [answer for burst in bursts for answer in burst.get("failed", [])][:5],
    }


def bench_playbook(store: Store) -> None:
    """The playbook every acknowledgement benchmark reports on, its first cycle running."""
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
    with store.unit_of_work() as uow:
        uow.playbooks.load([spec], "UTC", "bench", now)
        uow.commit()
    state = store.playbooks.state("bench-kpi")
    assert state is not None
    week_start = monday_of(local_date(now, "UTC"))
    begin_cycle(store, state.playbook.id, 1, week_start, OWNER, now)


def peak_rss_mib(pid: int) -> float:
    """The highest peak resident memory of a process and its children (uvicorn's workers)."""
    peaks = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines() if ":" in line)
        except OSError:
            continue
        if int(fields.get("Pid", "0")) == pid or int(fields.get("PPid", "0")) == pid:
            peaks.append(int(fields.get("VmHWM", "0 kB").split()[0]) / 1024)
    return max(peaks, default=float("nan"))


# The servers measured, each as a command line (PORT is filled in). `serve` is the
# one-process `rollout serve` (the clock in it in real use); `web-N` is the Procfile's web
# process (`rollout web`) with N workers. The floor is the durable floor on the same stack: uvicorn, with
# the settings every server here has (bot/http_server.py).
def _uvicorn(factory: str, workers: int) -> list[str]:
    from bot.http_server import OPTIONS

    return [
        str(ROOT / ".venv" / "bin" / "uvicorn"),
        factory,
        "--factory",
        "--workers",
        str(workers),
        "--host",
        "127.0.0.1",
        "--port",
        "PORT",
        "--http",
        OPTIONS["http"],
        "--h11-max-incomplete-event-size",
        str(OPTIONS["h11_max_incomplete_event_size"]),
        "--timeout-keep-alive",
        str(OPTIONS["timeout_keep_alive"]),
        "--no-access-log",
    ]


def servers() -> dict[str, list[str]]:
    serve = [sys.executable, "-m", "bot", "serve", "--port", "PORT", "--host", "127.0.0.1", "--no-scheduler"]
    return {"serve": serve, "web-1": _web(1), "web-2": _web(2)}


def _web(workers: int) -> list[str]:
    """The Procfile's `web` (`rollout web`) with `workers` processes."""
    return [sys.executable, "-m", "bot", "web", "--workers", str(workers), "--port", "PORT", "--host", "127.0.0.1"]


def floors() -> dict[str, list[str]]:
    return {"floor-uvicorn": _uvicorn("bench.floor_app:create", 1)}


SUBCOMMANDS_ON = "web-1"  # the per-subcommand table: one serving process, as deployed by the Procfile
# This machine's speed wanders by a fifth and more from one minute to the next. A server
# and its floor measured one after the other could land in different minutes, so every
# server runs at once (idle ones cost nothing) and each takes its load in ROUNDS bursts,
# in turn with the others: the comparison is made in the same minutes.
ROUNDS = 5


def run(kind: str, workdir: Path, requests: int = 5000, clients: int = 32) -> dict:
    """Every server, floor and the bare app, loaded in turn, ROUNDS times; then the
    subcommands on one serving process, each in turn, ROUNDS times."""
    slack = SlackStandIn(token=TOKEN).start()
    slack.add_channel(CHANNEL, [OWNER, *MEMBERS])
    with fresh_database(kind, workdir) as url:
        store = Store(make_engine(url))
        bench_playbook(store)
        owners = week_form.Owners.made(store, slack, OWNER, clients)
        store.engine.dispose()
        env = {
            **bot_env(url, slack.url),
            "FLOOR_SECRET": SECRET,
            "FLOOR_SLACK_URL": slack.url,
            "FLOOR_DATABASE_URL": url,
        }
        bare = [sys.executable, str(ROOT / "bench" / "bare_app.py"), "PORT", SECRET, slack.url]
        # The servers and floors in the order they take their turns.
        order = [
            ("servers", "serve", servers()["serve"], "/healthz", b"Recorded"),
            ("floors", "floor-uvicorn", floors()["floor-uvicorn"], "/slack/events", None),
            ("servers", "web-1", servers()["web-1"], "/healthz", b"Recorded"),
            ("servers", "web-2", servers()["web-2"], "/healthz", b"Recorded"),
            ("bare", "bare", bare, "/slack/events", None),
        ]
        try:
            with ExitStack() as running:
                ports = {}
                for _group, name, command, health, _expect in order:  # one at a time: the floors create a table
                    ports[name] = running.enter_context(_server(command, env))
                    _wait_healthy(ports[name][0], health)
                    load(ports[name][0], 400, clients, None)  # warm-up: caches, pools, imports, every process
                bursts: dict[str, list[dict]] = {name: [] for _g, name, *_ in order}
                for _round in range(ROUNDS):
                    for _group, name, _command, _health, expect in order:
                        bursts[name].append(load(ports[name][0], requests // ROUNDS, clients, expect))
                subcommands = _subcommands(ports[SUBCOMMANDS_ON][0], requests // 5, clients, owners.body)
                results: dict = {"servers": {}, "floors": {}}
                for group, name, *_ in order:
                    figures = merged(bursts[name])
                    if group == "bare":
                        results["bare"] = figures
                        continue
                    if group == "servers":
                        figures["peak_rss_mib"] = peak_rss_mib(ports[name][1])
                    results[group][name] = figures
                results["subcommands"] = subcommands
        finally:
            slack.stop()
    return results


def _subcommands(port: int, requests: int, clients: int, form: Callable[[week_form.Post, int, int], str]) -> dict:
    """Each subcommand in turn, ROUNDS times, `requests` of each in all, and the owners'
    week forms submitted as often, each client its own playbook's (bench/week_form.py). First a warm-up of each: what the
    process keeps under a playbook's revision (status: its verdicts, proposals and
    versions), as one request would in real use."""
    for text, user in SUBCOMMANDS.values():
        load(port, clients, clients, None, text, user)
    load(port, clients, clients, None, user=OWNER, form=form)
    bursts: dict[str, list[dict]] = {sub: [] for sub in [*SUBCOMMANDS, week_form.NAME]}
    for _round in range(ROUNDS):
        for sub, (text, user) in SUBCOMMANDS.items():
            bursts[sub].append(load(port, requests // ROUNDS, clients, None, text, user))
        bursts[week_form.NAME].append(load(port, requests // ROUNDS, clients, b"Week recorded", user=OWNER, form=form))
    return {sub: merged(runs) for sub, runs in bursts.items()}


@contextmanager
def _server(command: list[str], env: dict[str, str]) -> Iterator[tuple[int, int]]:
    """A server started from `command` on a free port (PORT in it); its port and pid."""
    port = _free_port()
    process = subprocess.Popen(
        [part.replace("PORT", str(port)) for part in command],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield port, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


# Every subcommand with a cheap path of its own, as its usual caller sends it. `undo` is
# each member withdrawing their own newest report, as people do; until 28 Nov it was the
# owner's 32 clients undoing one person's reports at once, which no one person can send
# and which measured the retries of undos claiming the same few reports
# (storage/weekly_reports.py, withdraw_latest), not an undo.
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
    "undo": ("undo bench-kpi", None),
}
