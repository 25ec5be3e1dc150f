"""One idempotent tick: every piece of cadence work due at an instant.

`Cadence.tick(at)` reads the state from the database (usecases/tick_reads.py), then runs
the clock's jobs, in the order of usecases/clock/registry.py: each asks
cadence.schedule what of its work is due, fills in the messages, and records each unit of
work under its idempotency key with its messages in the outbox (storage/cadence_log.py).
Work recorded before, by an earlier tick or a concurrent one in another process, is
dropped by the database's unique key: a tick run twice, or two at once, does everything
once. Delivery is slack_api/dispatch.py's.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime

from slack_sdk import WebClient

from cadence import judgement
from slack_api.members import TeamDirectory
from storage.store import Store
from templates import load_all
from usecases import tick_reads
from usecases.clock.job import Tick
from usecases.clock.registry import JOBS
from usecases.digest import Digest
from usecases.shared.collector import collector_paused
from usecases.sources import SourceClock
from usecases.tick_reads import TickReport
from usecases.usage_clock import UsageClock


class Cadence:
    def __init__(
        self,
        store: Store,
        client: WebClient,
        directory: TeamDirectory,
        org_timezone: str,
        clock: Callable[[], datetime],
        charts: bool = True,
        admins: frozenset[str] = frozenset(),
        environ: Mapping[str, str] | None = None,
        currency: str = "USD",
        hourly_rate: float | None = None,
    ):
        """`clock` is the real time, for the record; `tick(at)` plans for the instant `at`. On a store built as a
        dry run (`Store(engine, dry_run=True)`) it plans and renders everything, asks the database what it would
        accept, and keeps nothing (every write is rolled back). Week closes of a catch-up are each judged on the
        modes of now, since the earlier ones were not kept."""
        self.clock = clock
        self.store = store
        self.dry_run = store.dry_run
        self.digest = Digest(store, charts=charts, currency=currency, hourly_rate=hourly_rate)
        self.client = client
        self.directory = directory
        self.org_timezone = org_timezone
        self.admins = admins  # told when a digest has no curators channel to go to
        # numbers pulled from sources: a pass of its own beside the tick, never inside it (usecases/sources.py)
        self.sources = SourceClock(store, clock, environ)
        # the AI tools' usage records: a pass of its own too, hourly (usecases/usage_clock.py)
        self.usage = UsageClock(store, client, directory, clock, environ if environ is not None else os.environ)

    def warm(self) -> None:
        """Load now what a week close uses, for a process that keeps running (the clock, a
        server's clock): every template, so that one that does not compile stops it at start
        rather than on Monday, and the statistics of the close's intervals, so that no close
        pays scipy's import. A one-shot tick (`rollout tick` from cron) loads what it uses
        when it uses it: 0.6 s of its start, when nothing is due."""
        load_all()
        judgement.warm()

    def tick(self, at: datetime) -> TickReport:
        with collector_paused():  # a tick makes objects by the hundred thousand (usecases/shared/collector.py)
            return self._tick(at)

    def _tick(self, at: datetime) -> TickReport:
        # Slack refuses the token: closes and the digest are still made (their messages wait in the outbox), nudges and
        # DMs not even planned: when Slack takes the token again the usual rule skips the stale ones and sends the rest.
        reads = tick_reads.read(self.store, at)  # a quiet tick's whole cost (usecases/tick_reads.py)
        report = TickReport(held=reads.lost)
        tick = Tick(
            at,
            reads,
            report,
            self.store,
            self.client,
            self.directory,
            self.org_timezone,
            self.clock,
            self.admins,
            self.digest,
        )
        for job in JOBS:  # in the order of usecases/clock/registry.py
            work = job.due(tick)
            if work is not None:
                job.run(tick, work)
        return report
