"""The long-running parts: the clock (a tick a minute), the sources' pass (a minute too,
usecases/sources.py), the outbox dispatcher and the webhooks' lane (outbound/webhooks.py),
each in its own thread, so that a receiver that hangs delays neither Slack's messages
nor a tick, and a source that hangs delays no close, nudge or digest.

`rollout clock` runs both alone; `rollout serve` runs them in its one worker process
unless told `--no-scheduler`. Any number of either can run against PostgreSQL: ticks are
idempotent through their keys and dispatchers lease messages (see usecases/tick.py and
slack_api/dispatch.py), so a second clock is redundancy, not duplication.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger

from outbound.webhooks import WebhookLane
from slack_api.dispatch import Dispatcher
from usecases.tick import Cadence

log = logging.getLogger(__name__)

TICK_GRACE_SECONDS = 20  # at stop, how long a tick in hand may take to finish


class Clockwork:
    def __init__(
        self,
        cadence: Cadence,
        dispatcher: Dispatcher,
        clock: Callable[[], datetime],
        heartbeat: Callable[[datetime], None] | None = None,
        webhooks: WebhookLane | None = None,
    ):
        self.cadence = cadence
        self.heartbeat = heartbeat  # records each finished tick: the clock's liveness signal
        self.dispatcher = dispatcher
        self.webhooks = webhooks
        self.clock = clock
        self._stop = threading.Event()
        self._ticking = threading.Lock()  # held while a tick runs, so that stop can wait for it
        self._fetching = threading.Lock()  # held while a sources' pass runs, likewise
        self._pulling = threading.Lock()  # held while a usage pass runs, likewise
        self._dispatcher_thread: threading.Thread | None = None
        self._webhooks_thread: threading.Thread | None = None
        self.scheduler: BaseScheduler | None = None

    def tick(self) -> None:
        with self._ticking:
            self._tick()

    def _tick(self) -> None:
        try:
            report = self.cadence.tick(self.clock())
        except Exception:
            log.exception("tick failed; the next one catches up")
            return
        if report.counts:
            log.info("tick: %s", report.summary())
        if self.heartbeat is not None:
            try:
                self.heartbeat(self.clock())
            except Exception:
                log.warning("could not record the clock's heartbeat", exc_info=True)

    def fetch_sources(self) -> None:
        """The sourced numbers due now, beside the tick (its own job and thread): none
        starts after the pass's deadline or once the clock is stopping."""
        with self._fetching:
            try:
                fetched = self.cadence.sources.run_due(self.clock(), self._stop)
            except Exception:
                log.exception("fetching sourced numbers failed; the next pass asks again")
                return
            if fetched.summary():
                log.info("sources: %s", fetched.summary())

    def pull_usage(self) -> None:
        """The AI tools' usage records due now, beside the tick (a job and thread of its own):
        once a day a source, each hour while it fails."""
        with self._pulling:
            try:
                passed = self.cadence.usage.run_due(self.clock())
            except Exception:
                log.exception("pulling usage records failed; the next pass asks again")
                return
            for p in passed:
                if p.error:
                    log.warning("usage: %s failed: %s", p.source, p.error)
                elif p.days:
                    log.info(
                        "usage: %s pulled %d days, %d teams counted, %d unmatched",
                        p.source,
                        len(p.days),
                        p.teams,
                        p.unmatched,
                    )

    def _schedule(self, scheduler: BaseScheduler, first: datetime | None = None) -> BaseScheduler:
        # Every minute on the minute (and at `first`, if given). The tick is idempotent and
        # catches up by itself, so runs missed while the process was busy or asleep are
        # coalesced into one and never replayed (coalesce), a slow tick is never overlapped
        # by the next (max_instances=1), and a run more than 50 s late is dropped for the next one.
        # The sources' pass likewise, at once and then on the same minute, in a thread of
        # its own: its deadline (usecases/sources.py) ends it within the minute, and if one
        # ever overran, the next pass would be skipped, never a tick.
        for job, name, at in ((self.tick, "tick", first), (self.fetch_sources, "sources", first or datetime.now(UTC))):
            scheduler.add_job(
                job,
                CronTrigger(second=0, timezone="UTC"),
                id=name,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=50,
                replace_existing=True,
                **({"next_run_time": at} if at is not None else {}),
            )
        # The usage pass each hour at 17 past (and at once): a source due is pulled, one
        # that is not costs two reads. Its pulls may wait out a rate limit, so it is a job
        # and thread of its own, and one that overran skips the next hour's, never a tick.
        scheduler.add_job(
            self.pull_usage,
            CronTrigger(minute=17, second=0, timezone="UTC"),
            id="usage",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=600,
            replace_existing=True,
            next_run_time=first or datetime.now(UTC),
        )
        self.scheduler = scheduler
        return scheduler

    def start_dispatcher(self) -> None:
        self._dispatcher_thread = threading.Thread(
            target=self.dispatcher.run_forever, args=(self._stop,), name="dispatcher", daemon=True
        )
        self._dispatcher_thread.start()
        if self.webhooks is not None:
            self._webhooks_thread = threading.Thread(
                target=self.webhooks.run_forever, args=(self._stop,), name="webhooks", daemon=True
            )
            self._webhooks_thread.start()

    def start_in_background(self, wait_for_catch_up: bool = True) -> None:
        """For `rollout serve` and `rollout socket`: the clock and the dispatcher beside the
        server. The first tick catches up at once instead of at the next minute: before this
        returns, or, without `wait_for_catch_up`, in the scheduler's thread (a server's
        worker must not keep its master waiting while a long catch-up runs)."""
        self.cadence.warm()
        self.start_dispatcher()
        first = None if wait_for_catch_up else datetime.now(UTC)
        self._schedule(BackgroundScheduler(timezone="UTC"), first=first).start()
        if wait_for_catch_up:
            self.tick()

    def run(self, stopping: threading.Event | None = None) -> None:
        """For `rollout clock`: blocks until interrupted. `stopping`: set by a SIGTERM that
        came while the process was still starting (bot/cli.py), so the clock never begins."""
        stopping = stopping or threading.Event()
        self.cadence.warm()
        self.start_dispatcher()
        scheduler = self._schedule(BlockingScheduler(timezone="UTC"))

        # Platforms stop processes with SIGTERM: finish the message in hand, then exit 0. The
        # handler runs in the scheduler's own thread, between two of its steps: shut down there,
        # the scheduler emptied its job store under its own loop, which then failed to update
        # the job it was handing out ("No job by the id of sources", exit 1; a test caught it
        # once in a run). From a thread of its own, shutdown waits for the loop's lock.
        def terminated(*_: object) -> None:
            stopping.set()
            if scheduler.running:
                threading.Thread(target=scheduler.shutdown, kwargs={"wait": False}, name="sigterm").start()

        signal.signal(signal.SIGTERM, terminated)
        try:
            if not stopping.is_set():
                self.tick()
            if not stopping.is_set():
                scheduler.start()
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.stop()

    def stop(self) -> None:
        """No new tick or fetch; the tick in hand finishes, then the pass of fetches in hand
        (each within TICK_GRACE_SECONDS: units of work commit whole or not at all either way),
        then the message in hand."""
        self._stop.set()
        if self.scheduler is not None and self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self._ticking.acquire(timeout=TICK_GRACE_SECONDS):
            self._ticking.release()
        else:
            log.warning("stopping with a tick still running; the next clock catches up on what it did not commit")
        # No fetch starts now; those in hand end by their own timeout.
        if self._fetching.acquire(timeout=TICK_GRACE_SECONDS):
            self._fetching.release()
        else:
            log.warning("stopping with fetches still running; the next clock asks for what they did not store")
        if self._pulling.acquire(timeout=TICK_GRACE_SECONDS):  # a usage pass commits a source whole or not
            self._pulling.release()
        if self._dispatcher_thread is not None:
            self._dispatcher_thread.join(timeout=30)
        if self._webhooks_thread is not None:
            self._webhooks_thread.join(timeout=30)
