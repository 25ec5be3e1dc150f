"""The webhooks' lane of delivery: POSTs the events storage/webhooks.py holds, signed by
the Standard Webhooks convention, beside the Slack dispatcher and never in its way.

- Its own thread (bot/processes.py) and its own workers: a receiver that hangs, or
  trickles its answer, holds one of them for at most TIMEOUT_SECONDS (a deadline for the
  whole delivery, kept by `_Deadlines`), never a Slack message or the clock's tick.
- In order per lane (a webhook and a playbook): a claim takes a lane's oldest deliveries,
  one worker posts them one after the other, and stops at the first that fails; the rest
  wait behind it, so a retried event is never overtaken.
- At least once, with the same `webhook-id` every time: a delivery is marked delivered
  after its 2xx; a process killed in between sends it again, and receivers drop repeats.
- Retries: timeouts, refused connections and answers other than 2xx (a redirect
  included: it is not followed) wait 5 s, 5 min, 30 min, 2 h, 5 h, 10 h
  (cadence/webhooks.py), then the delivery has failed (`webhook list`, /metrics).
- HTTP with http.client: the standard library's, which never follows a redirect and
  keeps a connection open between posts (one per worker and receiver).
- Statements by the batch, never by the delivery: a claim (four statements, one commit)
  hands out up to LANES_PER_CLAIM lanes of PER_LANE deliveries, and one UPDATE by id
  records every lane answered whole since the last record. The bench's 10,000
  deliveries take about 40 to 60 statements (bench/webhooks.py).
"""

from __future__ import annotations

import http.client
import logging
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from itertools import groupby
from urllib.parse import urlsplit

from standardwebhooks.webhooks import Webhook as Signer

from outbound.lane import Lane, worker_name
from storage.webhooks import Claimed, Webhooks

log = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10.0
WORKERS = 8  # lanes posted to at once
LANES_PER_CLAIM = 64
PER_LANE = 50  # deliveries of one lane per claim: a kill -9 sends at most these again
LEASE = timedelta(minutes=5)
ANSWER_READ_LIMIT = 64 * 1024  # what is read of an answer's body; a longer one closes the connection
USER_AGENT = "rollout-cadence-bot-webhooks"
WATCH_SECONDS = 0.1  # how often the whole-delivery deadline is checked


class WebhookLane(Lane):
    """The webhooks' lane: the loop is outbound/lane.py's; a round posts what is due."""

    name = "webhooks"
    drain_wait = 0.0

    def __init__(
        self,
        webhooks: Webhooks,
        clock: Callable[[], datetime],
        workers: int = WORKERS,
        timeout: float = TIMEOUT_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
        wall: Callable[[], float] = time.time,
        per_lane: int = PER_LANE,
    ):
        self.webhooks = webhooks
        self.clock = clock  # schedules retries: the bot's time, which tests move
        self.wall = wall  # stamps the signature: the receiver checks it against its own clock
        self.workers = workers
        self.timeout = timeout
        self.sleep = sleep
        self.per_lane = per_lane
        self.worker = worker_name("webhooks", f"{id(self):x}")
        self._local = threading.local()
        self._signers: dict[str, Signer] = {}
        self._deadlines = _Deadlines()
        self._recording: ThreadPoolExecutor | None = None

    # ---- loops ----

    def run_once(self, stop: threading.Event | None = None, only: str | None = None) -> int:
        """Claim the lanes that are due (`only`: that lane) and post them, `workers` lanes
        at a time, until none is due. The workers are kept fed: the next claim is made
        while a lane for each worker still waits its turn, so its statements overlap the
        posts. The lanes answered whole are recorded by a thread of their own, all that
        have finished since its last record in one UPDATE and one commit: a slow commit
        holds neither a worker nor the next claim, and the slower the commits, the more
        each records. A claim is made again only when it may find something the last did
        not: it found lanes, or lanes were recorded since, or nothing is in hand. Once
        `stop` is set it claims no more and returns when the lanes in hand are done and
        recorded. Returns how many deliveries were claimed."""
        total = 0
        running: set[Future[list[Claimed]]] = set()
        recording: set[Future[list[Claimed]]] = set()  # at most one record at a time
        answered: list[Claimed] = []  # finished, not yet recorded: their lanes stay leased
        fresh = True  # whether a claim may find lanes the last one did not
        low = self.workers * 2  # in hand, running or waiting for a worker, before the next claim
        while True:
            if answered and not recording and (len(answered) >= self.workers * self.per_lane or len(running) <= low):
                recording.add(self._recorder().submit(self._record, answered))
                answered = []
            if not running or (fresh and len(running) <= low):
                stopping = stop is not None and stop.is_set()
                claimed = (
                    []
                    if stopping
                    else self.webhooks.claim(self.worker, self.clock(), LEASE, LANES_PER_CLAIM, self.per_lane, only)
                )
                total += len(claimed)
                fresh = bool(claimed)
                for _, items in groupby(claimed, lambda c: c.lane):  # claimed in (lane, id) order
                    lane = list(items)
                    if self.workers == 1:
                        self._record(self._run_lane(lane))
                    else:
                        running.add(self.pool(self.workers).submit(self._run_lane, lane))
                if not running and not recording:
                    if not claimed:
                        return total
                    continue  # workers == 1: posted and recorded already
            finished, _ = wait(running | recording, return_when=FIRST_COMPLETED)
            for future in finished:
                if future in recording:
                    recording.discard(future)
                    future.result()  # a record that failed raises here, as a claim that fails does
                    fresh = True
                else:
                    running.discard(future)
                    answered += future.result()

    def _record(self, answered: list[Claimed]) -> list[Claimed]:
        """Mark the deliveries of the lanes answered whole delivered: one statement, one
        transaction for all of them. Until then each lane's oldest keeps its lease, so no
        claim hands its deliveries out again."""
        if answered:
            self.webhooks.delivered(answered, self.clock())
        return answered

    def _recorder(self) -> ThreadPoolExecutor:
        if self._recording is None:
            self._recording = ThreadPoolExecutor(1, thread_name_prefix="webhooks-record")
        return self._recording

    def close(self) -> None:
        super().close()
        if self._recording is not None:
            self._recording.shutdown(wait=False)
            self._recording = None

    # ---- what the loop (outbound/lane.py) asks ----

    def next_due(self) -> datetime | None:
        return self.webhooks.next_due(self.clock())

    def pending_count(self) -> int:
        return self.webhooks.pending_count()

    def leases_held(self, prefix: str) -> set[str]:
        return self.webhooks.leases_held(self.clock(), prefix)

    def dead_holder(self, holder: str) -> tuple[int, str] | None:
        """A claim is named after its lane (`host:pid:webhooks:lane-id:claim`): the lane's
        every claim is freed."""
        parts = holder.split(":")
        if len(parts) < 4 or parts[2] != "webhooks" or not parts[1].isdigit():
            return None
        return int(parts[1]), ":".join(parts[:4])

    def release_holder(self, holder: str) -> int:
        return self.webhooks.release_worker(holder)

    # ---- one lane ----

    def _run_lane(self, lane: list[Claimed]) -> list[Claimed]:
        """Post the lane's deliveries in order; stop at the first that fails. Only this
        worker posts the lane while the lease on its oldest delivery (the first) holds.
        Returns the lane when every one was answered 2xx, for run_once to record with
        other lanes'; a lane stopped short is recorded and released here (and [] returned)."""
        done = 0  # how many of the lane were answered 2xx
        try:
            for claimed in lane:
                if self.clock() + timedelta(seconds=self.timeout * 2) > claimed.lease_until:
                    break  # the lease would run out: what was answered is recorded, the rest goes back
                error = claimed.unreadable or self._post(claimed)
                if error is None:
                    done += 1
                    continue
                self.webhooks.delivered(lane[:done], self.clock())
                status = self.webhooks.not_delivered(claimed, self.clock(), error)
                level = logging.WARNING if status == "failed" else logging.INFO
                log.log(level, "webhook delivery %s (%s): %s; %s", claimed.event_id, claimed.lane, error, status)
                return []
        except Exception:
            log.exception("webhooks: lane %s stopped; its lease runs out and it is retried", lane[0].lane)
            self.webhooks.delivered(lane[:done], self.clock())
            return []
        if done == len(lane):
            return lane
        self.webhooks.delivered(lane[:done], self.clock())
        self.webhooks.release(lane)  # stopped short: the lease on the lane's oldest goes
        return []

    def _post(self, claimed: Claimed) -> str | None:
        """POST one delivery; None if answered 2xx, else what went wrong (never the body)."""
        assert claimed.secret is not None, "a delivery whose secret was unreadable is not posted"
        parts = urlsplit(claimed.url)
        stamp = int(self.wall())
        signer = self._signers.get(claimed.secret)
        if signer is None:
            signer = self._signers[claimed.secret] = Signer(claimed.secret)
        signature = signer.sign(claimed.event_id, datetime.fromtimestamp(stamp, UTC), claimed.body)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "webhook-id": claimed.event_id,
            "webhook-timestamp": str(stamp),
            "webhook-signature": signature,
        }
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        origin = (parts.scheme, parts.hostname or "", parts.port)
        deadline = time.monotonic() + self.timeout  # for the whole: connect, send, the complete answer
        key = threading.get_ident()
        try:
            connection = self._connection(origin)
            self._deadlines.hold(key, connection.sock, deadline)
            connection.request("POST", target, body=claimed.body.encode(), headers=headers)
            answer = connection.getresponse()
            answer.read(ANSWER_READ_LIMIT)
            if self._deadlines.let_go(key):
                raise TimeoutError  # cut at the deadline: whatever was read is not an answer
            if not answer.isclosed():
                self._drop(origin)  # a long answer, or one that keeps coming: not worth the wait
            status = answer.status
        except (OSError, http.client.HTTPException) as err:
            cut = self._deadlines.let_go(key)
            self._drop(origin)
            if cut or isinstance(err, TimeoutError) or time.monotonic() >= deadline:
                return f"no answer within {self.timeout:g} s"
            return f"{type(err).__name__}: {err}"[:200]
        if answer.will_close:
            self._drop(origin)
        return None if 200 <= status < 300 else f"HTTP {status}"

    def _connection(self, origin: tuple[str, str, int | None]) -> http.client.HTTPConnection:
        connections: dict[tuple[str, str, int | None], http.client.HTTPConnection] = self._local.__dict__.setdefault(
            "connections", {}
        )
        connection = connections.get(origin)
        if connection is None:
            scheme, host, port = origin
            kind = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
            connection = connections[origin] = kind(host, port, timeout=self.timeout)
            connection.connect()
            # http.client writes the headers and the body apart: without this, the body
            # waits for the headers' ACK (Nagle). urllib3 and most clients set it too.
            connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection

    def _drop(self, origin: tuple[str, str, int | None]) -> None:
        connection = self._local.__dict__.get("connections", {}).pop(origin, None)
        if connection is not None:
            connection.close()


class _Deadlines:
    """The whole-delivery deadline. A socket's timeout bounds each operation alone, so a
    receiver that trickles its answer a byte a second would hold a worker for ever; this
    watch shuts the socket of a delivery past its deadline, which ends the worker's wait
    at once (the read sees the connection end). One thread, alive only while deliveries
    are posted, looks every WATCH_SECONDS: a delivery is cut at most that late."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: dict[int, tuple[float, socket.socket | None]] = {}  # worker thread -> (deadline, its socket)
        self._cut: set[int] = set()
        self._watching = False

    def hold(self, key: int, sock: socket.socket | None, deadline: float) -> None:
        with self._lock:
            self._held[key] = (deadline, sock)
            self._cut.discard(key)
            if not self._watching:
                self._watching = True
                threading.Thread(target=self._watch, name="webhooks-deadlines", daemon=True).start()

    def let_go(self, key: int) -> bool:
        """Done with this delivery; True if it was cut at its deadline."""
        with self._lock:
            self._held.pop(key, None)
            if key in self._cut:
                self._cut.discard(key)
                return True
            return False

    def _watch(self) -> None:
        while True:
            time.sleep(WATCH_SECONDS)
            now = time.monotonic()
            with self._lock:
                if not self._held:
                    self._watching = False
                    return
                late = [(key, sock) for key, (deadline, sock) in self._held.items() if now >= deadline]
                for key, sock in late:
                    del self._held[key]
                    self._cut.add(key)
                    if sock is not None:
                        with suppress(OSError):  # closed already
                            sock.shutdown(socket.SHUT_RDWR)
