"""Where a request's time goes: the real ASGI application (bot.web), in this process,
one caller at a time, so the figure is CPU per request without queueing or a load
generator sharing the cores. Then the same requests under cProfile.

    .venv/bin/python -m bench.profile [--db sqlite|postgresql] [--text "kpi bench-kpi {value}.5"]
                                      [--requests 2000] [--top 25] [--user UBENCHOWN1] [--prefill 5000]
                                      [--statements]

The floor is timed the same way (one INSERT and COMMIT per request behind the same
Bolt app), so the two figures compare like for like. Under cProfile, Bolt's dispatch runs
in the event loop's thread (`inline`), where the profiler sees it. `--statements` times nothing: it
lists the SQL one request sends after the warm-up, with the connections it checks out
and the transactions it begins, figures a loaded machine does not change.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import event
from starlette.types import ASGIApp

from bench.ack import CHANNEL, MEMBERS, OWNER, SECRET, TOKEN, bench_playbook
from bench.common import FAILED, fresh_database
from bench.floor_app import floor_app, served
from bot import web
from bot.app import create_app
from bot.demo.standin.server import SlackStandIn
from bot.demo.standin.workspace import APP_ID, TEAM_ID
from bot.settings import Settings
from bot.web import make_asgi
from storage.db import make_engine
from storage.store import Store


def request(text: str, user: str, verifier: SignatureVerifier) -> tuple[bytes, dict[str, str]]:
    body = urlencode(
        {
            "command": "/rollout",
            "text": text,
            "user_id": user,
            "channel_id": CHANNEL,
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "trigger_id": f"{uuid.uuid4().int % 10**12}.1.x",
            "response_url": "https://hooks.slack.com/commands/x",
        }
    ).encode()
    stamp = str(int(time.time()))
    return body, {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": verifier.generate_signature(timestamp=stamp, body=body.decode()),
    }


def drive(app: ASGIApp, text: str, user: str | None, requests: int) -> float:
    """Seconds per request, one caller, straight into the ASGI app (httpx's ASGITransport);
    the request bodies are built before the clock starts."""
    verifier = SignatureVerifier(SECRET)
    bodies = [
        request(text.format(value=10 + n % 40), user or MEMBERS[n % len(MEMBERS)], verifier) for n in range(requests)
    ]

    async def send_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://bench") as client:
            return [await client.post("/slack/events", content=body, headers=headers) for body, headers in bodies]

    began = time.perf_counter()
    answers = asyncio.run(send_all())
    elapsed = time.perf_counter() - began
    bad = [f"{a.status_code}" for a in answers if a.status_code != 200]
    bad += ["200 with the bot's failure answer"] * sum(FAILED in a.content for a in answers)
    if bad:
        raise SystemExit(f"{len(bad)} requests failed, e.g. {bad[0]}")
    return elapsed / requests


@contextmanager
def inline() -> Iterator[None]:
    """Bolt's dispatch run in the event loop's thread, not the thread pool's: cProfile sees
    only the thread it was enabled in, and one caller at a time needs no pool."""

    async def at_once(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    pooled = web.run_in_threadpool
    web.run_in_threadpool = at_once  # type: ignore[assignment]
    try:
        yield
    finally:
        web.run_in_threadpool = pooled


@contextmanager
def profiled(profiler: cProfile.Profile) -> Iterator[None]:
    profiler.enable()
    try:
        yield
    finally:
        profiler.disable()


def statements(app: ASGIApp, engine, text: str, user: str | None) -> None:
    """One request's SQL, printed: each statement in the order sent, then how many, with
    the connections checked out (each a ping first: storage.db.make_engine) and the
    transactions begun and committed. Counts, not times: the same on a loaded machine."""
    sent: list[str] = []
    checkouts, begins, commits = [0], [0], [0]

    def statement(_conn, _cursor, sql, *_rest) -> None:
        sent.append(" ".join(sql.split()))

    listeners = [
        (engine, "before_cursor_execute", statement),
        (engine.pool, "checkout", lambda *_: checkouts.__setitem__(0, checkouts[0] + 1)),
        (engine, "begin", lambda *_: begins.__setitem__(0, begins[0] + 1)),
        (engine, "commit", lambda *_: commits.__setitem__(0, commits[0] + 1)),
    ]
    for target, name, listener in listeners:
        event.listen(target, name, listener)
    try:
        drive(app, text, user, 1)
    finally:
        for target, name, listener in listeners:
            event.remove(target, name, listener)
    for n, sql in enumerate(sent, 1):
        print(f"{n:3d}. {sql[:400]}")
    print(f"{text!r}: {len(sent)} statements, {checkouts[0]} connections checked out, ", end="")
    print(f"{begins[0]} transactions begun, {commits[0]} committed")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="sqlite")
    parser.add_argument("--text", default="kpi bench-kpi {value}.5")
    parser.add_argument("--user", default=None)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="tottime")
    parser.add_argument(
        "--prefill", type=int, default=0, help="KPI reports and check-ins sent first, as a busy week would have."
    )
    parser.add_argument("--statements", action="store_true", help="List one request's SQL; time nothing.")
    args = parser.parse_args()

    slack = SlackStandIn(token=TOKEN).start()
    slack.add_channel(CHANNEL, [OWNER, *MEMBERS])
    workdir = Path(tempfile.mkdtemp(prefix="rollout-profile-"))
    try:
        with fresh_database(args.db, workdir) as url:
            store = Store(make_engine(url))
            bench_playbook(store)
            settings = Settings(
                slack_bot_token=TOKEN,
                slack_signing_secret=SECRET,
                slack_api_url=slack.url,
                database_url=url,
                rollout_timezone="UTC",
            )
            app = make_asgi(create_app(settings, store), store)
            for text in ("kpi bench-kpi {value}.5", "attest bench-kpi yes"):
                drive(app, text, None, args.prefill) if args.prefill else None
            drive(app, args.text, args.user, 200)  # warm-up: imports, caches, the pool
            if args.statements:
                statements(app, store.engine, args.text, args.user)
                store.engine.dispose()
                return
            floor = served(floor_app(url, SECRET, slack.url))
            drive(floor, args.text, args.user, 200)
            # The best of three rounds each, alternating: the least disturbed by the machine.
            rounds = [
                (drive(app, args.text, args.user, args.requests), drive(floor, args.text, args.user, args.requests))
                for _ in range(3)
            ]
            per_request, per_floor = min(r[0] for r in rounds), min(r[1] for r in rounds)
            profiler = cProfile.Profile()
            with inline(), profiled(profiler):
                drive(app, args.text, args.user, args.requests)
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
            print(out.getvalue())
            print(f"{args.text!r} on {args.db}: {per_request * 1000:.2f} ms per request, one caller")
            print(f"durable floor on {args.db}:  {per_floor * 1000:.2f} ms per request, one caller")
            print(f"ratio: {per_request / per_floor:.2f}x the floor's time per request")
            store.engine.dispose()
    finally:
        slack.stop()


if __name__ == "__main__":
    main()
