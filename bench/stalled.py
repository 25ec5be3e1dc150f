"""Stalled clients: fifty clients that send a request's head and a little of its body, then
nothing, connected to `rollout serve`. How long /healthz and a signed `/rollout kpi` take
beside them, probed until the last is cut off (Slack waits 3 s for an answer), and how long
after sending each stalled client is answered 408 and disconnected (bot/web.py gives a
body READ_SECONDS after its head). tests/bot/test_processes.py holds that the server
answers rightly and cuts them off; how soon is measured here, where a slow minute of the
machine makes a figure worse instead of failing a test (issue 68)."""

from __future__ import annotations

import http.client
import socket
import threading
import time
from pathlib import Path

from bench.ack import (
    CHANNEL,
    MEMBERS,
    OWNER,
    TOKEN,
    _server,
    _wait_healthy,
    bench_playbook,
    bot_env,
    load,
    servers,
)
from bench.common import fresh_database, percentiles
from bot.demo.standin.server import SlackStandIn
from storage.db import make_engine
from storage.store import Store

STALLED = 50
STALLED_REQUEST = (  # headers, and 3 bytes of a 1000-byte body
    b"POST /slack/events HTTP/1.1\r\nHost: bot\r\nContent-Type: application/x-www-form-urlencoded\r\n"
    b"Content-Length: 1000\r\n\r\nx=1"
)
HANG_SECONDS = 60  # a stalled client still connected this long is counted as never cut off


def run(kind: str, workdir: Path) -> dict:
    slack = SlackStandIn(token=TOKEN).start()
    slack.add_channel(CHANNEL, [OWNER, *MEMBERS])
    try:
        with fresh_database(kind, workdir) as url:
            store = Store(make_engine(url))
            bench_playbook(store)
            store.engine.dispose()
            env = bot_env(url, slack.url)
            with _server(servers()["serve"], env) as (port, _pid):
                _wait_healthy(port, "/healthz")
                load(port, 64, 8, None)  # warm-up: caches, pools, imports
                return stalled(port)
    finally:
        slack.stop()


def stalled(port: int, count: int = STALLED) -> dict:
    """`count` stalled clients at once, each in a thread of its own waiting for the server's
    answer and its end; meanwhile, and once more after the last, a probe every 0.2 s."""
    ends: list[tuple[float, bytes]] = []
    lock = threading.Lock()

    def stall() -> None:
        client = socket.create_connection(("127.0.0.1", port), timeout=HANG_SECONDS)
        began = time.perf_counter()
        client.sendall(STALLED_REQUEST)
        sent.release()
        answer = b""
        try:
            while data := client.recv(65536):
                answer += data
        except OSError:  # a reset, or no end within HANG_SECONDS
            pass
        finally:
            client.close()
        with lock:
            ends.append((time.perf_counter() - began, answer[9:12]))

    sent = threading.Semaphore(0)  # one release a client that has sent all it will send
    threads = [threading.Thread(target=stall) for _ in range(count)]
    for t in threads:
        t.start()
    for _ in range(count):  # they are all in, each as far as it will go
        sent.acquire(timeout=HANG_SECONDS)
    probes: list[float] = []
    failures = 0
    while True:
        last = not any(t.is_alive() for t in threads)
        began = time.perf_counter()
        health = http.client.HTTPConnection("127.0.0.1", port, timeout=HANG_SECONDS)
        health.request("GET", "/healthz")
        healthy = health.getresponse()
        healthy.read()
        kpi = load(port, 1, 1, b"Recorded")
        probes.append(time.perf_counter() - began)
        failures += int(healthy.status != 200) + kpi["failures"]
        if last:
            break
        time.sleep(0.2)
    for t in threads:
        t.join()
    cut_off = [seconds for seconds, _status in ends]
    return {
        "stalled": count,
        "answers": {**percentiles(probes), "probes": len(probes), "failures": failures},  # ms
        "cut_off_max_seconds": max(cut_off),
        "cut_off_p50_seconds": sorted(cut_off)[len(cut_off) // 2],
        "refused_408": sum(1 for _seconds, status in ends if status == b"408"),
    }
