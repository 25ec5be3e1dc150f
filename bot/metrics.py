"""What an operator watches, in the Prometheus text format at GET /metrics.

Counters and the latency histogram live in the process that counts them, each defined
where it is counted (Slack's errors in slack_api/client.py). The outbox's and the
webhooks' figures and the clock's last tick are read from the database at scrape time, so any
web process reports them for the whole installation, clock process included.
With several HTTP processes (uvicorn's workers), set PROMETHEUS_MULTIPROC_DIR to an empty folder
and the counters of all workers are added up (prometheus_client's multiprocess mode).
Every family is listed in docs/operations.md with an example alert rule;
tests/bot/test_operations_doc.py fails on one exposed that the page lacks.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from bot import guide
from storage.store import Store

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LOCAL = ("127.0.0.1", "::1")
NEEDS_TOKEN = "/metrics needs the bearer token ROLLOUT_METRICS_TOKEN sets (Authorization: Bearer …)"
ONLY_LOCAL = (
    "/metrics answers only this machine's own requests: set ROLLOUT_METRICS_TOKEN and scrape it with that "
    f"bearer token ({guide.doc('setup.md')})"
)


def refused(token: str | None, authorization: str, client: str | None, forwarded: bool) -> tuple[int, str] | None:
    """Why a scrape of /metrics is refused (its status and sentence), or None. With
    ROLLOUT_METRICS_TOKEN, `token`: only a request bearing it. Without: only a request
    from this machine's loopback that no proxy `forwarded`, so the figures (how many
    messages wait, what fails) are not every interface's to read."""
    if token:
        scheme, _, given = authorization.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return None
        return 401, NEEDS_TOKEN
    return None if client in LOCAL and not forwarded else (403, ONLY_LOCAL)


CLOCK = "clock"  # the heartbeat name of the cadence clock

REQUESTS = Counter(
    "rollout_requests", "Slack requests handled, by subcommand (or surface) and outcome.", ["subcommand", "outcome"]
)
ACK_SECONDS = Histogram(
    "rollout_ack_seconds",
    "Time from a Slack request's arrival to its acknowledgement.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0),
)


class _DatabaseFigures(Collector):
    def __init__(self, store: Store, clock: Callable[[], datetime]):
        self.store = store
        self.clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        health = self.store.outbox.health()
        now = self.clock()
        yield GaugeMetricFamily(
            "rollout_outbox_pending", "Messages waiting to be delivered to Slack.", value=health.pending
        )
        yield GaugeMetricFamily("rollout_outbox_failed", "Messages Slack refused for good.", value=health.failed)
        age = (now - health.oldest_pending).total_seconds() if health.oldest_pending else 0.0
        yield GaugeMetricFamily(
            "rollout_outbox_oldest_pending_age_seconds",
            "How long the oldest waiting message has waited (0: none waiting).",
            value=age,
        )
        pending = GaugeMetricFamily(
            "rollout_webhook_deliveries_pending", "Webhook deliveries waiting, by webhook.", labels=["webhook"]
        )
        failed = GaugeMetricFamily(
            "rollout_webhook_deliveries_failed",
            "Webhook deliveries given up after a day of retries, by webhook.",
            labels=["webhook"],
        )
        for name, (waiting, given_up) in sorted(self.store.webhooks.health().items()):
            pending.add_metric([name], waiting)
            failed.add_metric([name], given_up)
        yield pending
        yield failed
        last = self.store.health.heartbeat(CLOCK)
        yield GaugeMetricFamily(
            "rollout_last_tick_timestamp_seconds",
            "When the cadence clock last finished a tick (Unix time; 0: never).",
            value=last.timestamp() if last else 0.0,
        )


def exposition(store: Store, clock: Callable[[], datetime]) -> bytes:
    """The whole page: this process's counters (or all workers', in multiprocess mode)
    and the database's figures."""
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
        counters = generate_latest(registry)
    else:
        from prometheus_client import REGISTRY

        counters = generate_latest(REGISTRY)
    database = CollectorRegistry(auto_describe=False)
    database.register(_DatabaseFigures(store, clock))
    return counters + generate_latest(database)
