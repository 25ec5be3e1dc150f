"""Where a request's time goes: the real WSGI application (bot.web), in this process,
one caller at a time, so the figure is CPU per request without queueing or a load
generator sharing the cores. Then the same requests under cProfile.

    .venv/bin/python -m bench.profile [--db sqlite|postgresql] [--text "kpi bench-kpi {value}.5"]
                                      [--requests 2000] [--top 25] [--user UBENCHOWN1] [--prefill 5000]

The floor is timed the same way (one INSERT and COMMIT per request behind the same
Bolt app), so the two figures compare like for like.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bench.ack import CHANNEL, MEMBERS, OWNER, SECRET, TOKEN, bench_playbook
from bench.common import FAILED, fresh_database
from bench.floor_app import floor_app
from bot.app import create_app
from bot.demo.standin.server import SlackStandIn
from bot.demo.standin.workspace import APP_ID, TEAM_ID
from bot.settings import Settings
from bot.web import make_wsgi
from storage.db import make_engine
from storage.store import Store

WSGI = Callable[[dict[str, Any], Callable[..., Any]], Any]


def environ(text: str, user: str, verifier: SignatureVerifier) -> dict[str, Any]:
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
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/slack/events",
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": stamp,
        "HTTP_X_SLACK_SIGNATURE": verifier.generate_signature(timestamp=stamp, body=body.decode()),
        "wsgi.input": io.BytesIO(body),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
    }


def drive(wsgi: WSGI, text: str, user: str | None, requests: int) -> float:
    """Seconds per request, one caller; the request bodies are built before the clock starts."""
    verifier = SignatureVerifier(SECRET)
    bodies = [
        environ(text.format(value=10 + n % 40), user or MEMBERS[n % len(MEMBERS)], verifier) for n in range(requests)
    ]
    statuses: list[str] = []

    def start_response(status: str, _headers: Any) -> None:
        statuses.append(status)

    began = time.perf_counter()
    failed = sum(FAILED in b"".join(wsgi(env, start_response)) for env in bodies)
    elapsed = time.perf_counter() - began
    bad = [s for s in statuses if not s.startswith("200")] + ["200 with the bot's failure answer"] * failed
    if bad:
        raise SystemExit(f"{len(bad)} requests failed, e.g. {bad[0]}")
    return elapsed / requests


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
            wsgi = make_wsgi(create_app(settings, store), store)
            for text in ("kpi bench-kpi {value}.5", "attest bench-kpi yes"):
                drive(wsgi, text, None, args.prefill) if args.prefill else None
            drive(wsgi, args.text, args.user, 200)  # warm-up: imports, caches, the pool
            floor = floor_app(url, SECRET, slack.url)
            drive(floor, args.text, args.user, 200)
            # The best of three rounds each, alternating: the least disturbed by the machine.
            rounds = [
                (drive(wsgi, args.text, args.user, args.requests), drive(floor, args.text, args.user, args.requests))
                for _ in range(3)
            ]
            per_request, per_floor = min(r[0] for r in rounds), min(r[1] for r in rounds)
            profiler = cProfile.Profile()
            profiler.enable()
            drive(wsgi, args.text, args.user, args.requests)
            profiler.disable()
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
