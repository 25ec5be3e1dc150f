"""Fan-out: 10,000 members in 200 team channels get their Thursday DM. The time to
compute and enqueue, then delivery through a stand-in that enforces one message per
second per channel and a workspace-wide rate, and answers 2% of calls 429 or 503."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from pathlib import Path

from slack_sdk import WebClient

from bench.common import QueryCounter, fresh_database
from bot.app import utc_now
from bot.demo.standin.faults import Limits
from bot.demo.standin.server import SlackStandIn
from cadence.definition_load import parse_playbook
from slack_api.dispatch import Dispatcher
from slack_api.members import TeamDirectory
from slack_api.pacing import Pacer
from storage.db import make_engine
from storage.store import Store
from usecases.shared.life import begin_cycle
from usecases.tick import Cadence

TOKEN = "xoxb-fanout"


def run(
    kind: str,
    workdir: Path,
    members: int = 10_000,
    channels: int = 200,
    workspace_rate: float = 100.0,
    failure_rate: float = 0.02,
) -> dict:
    slack = SlackStandIn(token=TOKEN).start()
    per_channel = members // channels
    for c in range(channels):
        ids = [f"UFAN{c:03d}{m:04d}" for m in range(per_channel)]
        for user in ids:
            slack.add_user(user, tz="UTC")
        slack.add_channel(f"CFAN{c:06d}", ids)
    try:
        with fresh_database(kind, workdir) as url:
            engine = make_engine(url)
            store = Store(engine)
            monday = date(2026, 11, 16)
            specs = [
                parse_playbook(
                    {
                        "playbook": f"fan-{c:03d}",
                        "title": f"Team {c}",
                        "function": f"F{c % 5}",
                        "channel": f"CFAN{c:06d}",
                        "owner": f"UFAN{c:03d}0000",
                        "timezone": "UTC",
                        "rubric_threshold": 0.9,
                        "exception_cap": 0.1,
                        "kpi": {"name": "x", "direction": "down", "baseline": 2, "target": 1},
                        "steps": [{"name": "work", "mode": "collaborative"}],
                    }
                )
                for c in range(channels)
            ]
            now = utc_now()
            with store.unit_of_work() as uow:
                uow.playbooks.load(specs, "UTC", "bench", now)
                uow.commit()
            for state in store.playbooks.states():
                begin_cycle(store, state.playbook.id, 1, monday, "bench", now)
            client = WebClient(token=TOKEN, base_url=slack.url, timeout=10, retry_handlers=[])
            cadence = Cadence(store, client, TeamDirectory(), "UTC", utc_now, charts=False)
            cadence.warm()  # as a running clock is, at its start (bot/processes.py)
            at = datetime(2026, 11, 19, 15, 0, tzinfo=UTC)  # Thursday 15:00 for everyone
            started = time.perf_counter()
            with QueryCounter(engine) as queries:
                report = cadence.tick(at)
            enqueue_seconds = time.perf_counter() - started
            dms = report.counts[("checkin", "done")]

            slack.limits = Limits(
                per_channel_seconds=1.0, workspace_per_second=workspace_rate, failure_rate=failure_rate
            )
            outbox = store.outbox
            dispatcher = Dispatcher(
                outbox,
                client,
                clock=utc_now,
                concurrency=4,
                batch=200,
                pacer=Pacer(per_channel_seconds=1.0, workspace_per_second=workspace_rate),
            )
            started = time.perf_counter()
            pending = dispatcher.drain(max_wait=900)
            delivery_seconds = time.perf_counter() - started
            expected = {m.key for m in outbox.all() if m.key.startswith("checkin:")}
            posted = [
                m["metadata"]["event_payload"]["key"]
                for m in slack.posted()
                if (m.get("metadata") or {}).get("event_payload", {}).get("key", "").startswith("checkin:")
            ]
            lower_bound = dms / workspace_rate  # every DM is its own channel: the workspace rate binds
            engine.dispose()
            return {
                "members": members,
                "channels": channels,
                "dms": dms,
                "enqueue_seconds": enqueue_seconds,
                "enqueue_queries": queries.count,
                "delivery_seconds": delivery_seconds,
                "lower_bound_seconds": lower_bound,
                "ratio": delivery_seconds / lower_bound,
                "duplicates": len(posted) - len(set(posted)),
                "lost": len(expected - set(posted)),
                "still_pending": pending,
                "rate_limited_by_standin": slack.limited,
                "calls": len(slack.calls_to("chat.postMessage")),
                "workspace_rate": workspace_rate,
            }
    finally:
        slack.stop()
