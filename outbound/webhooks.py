"""The webhooks' lane of delivery: POSTs the events storage/webhooks.py holds, signed by
the Standard Webhooks convention, beside the Slack dispatcher and never in its way.

- Its own thread (bot/processes.py), and in it an asyncio event loop for each round: up
  to `workers` lanes post at once, as tasks of that one thread. A receiver that hangs, or
  trickles its answer, holds one of them for at most TIMEOUT_SECONDS (`asyncio.timeout`
  over the whole delivery: connect, send, the complete answer), never a Slack message
  or the clock's tick.
- In order per lane (a webhook and a playbook): a claim takes a lane's oldest deliveries,
  one task posts them one after the other, and stops at the first that fails; the rest
  wait behind it, so a retried event is never overtaken.
- At least once, with the same `webhook-id` every time: a delivery is marked delivered
  after its 2xx; a process killed in between sends it again, and receivers drop repeats.
- Retries: timeouts, refused connections and answers other than 2xx (a redirect
  included: it is not followed) wait 5 s, 5 min, 30 min, 2 h, 5 h, 10 h
  (cadence/webhooks.py), then the delivery has failed (`webhook list`, /metrics).
- HTTP by httpx: one `AsyncClient` a round, with as many connections as workers, kept
  open between posts to a receiver; no redirect is followed; an answer is streamed and
  read to ANSWER_READ_LIMIT at most; https receivers are checked with the system's
  trusted authorities, loaded once (outbound/http.py). No proxy from the
  environment and no .netrc (`trust_env=False`): a post goes where its URL says, with
  what its URL says.
- One thread rather than a thread a worker: eight threads, each with http.client, spent
  most of the lane's CPU passing the interpreter lock at every socket call, and on two
  cores shared with the receiver that made the lane, not the receiver, set the pace
  (bench/webhooks.py; docs/architecture.md, "Kept for speed").
- Statements by the batch, never by the delivery: a claim (four statements, one commit)
  hands out up to LANES_PER_CLAIM lanes of PER_LANE deliveries, and one UPDATE by id
  records every lane answered whole since the last record. Both run in the lane's two
  threads of its own (never behind a name lookup), so their commits overlap the posts.
  A round whose claim or record fails stops posting, records what was answered and
  raises; what it could not record is sent again, same id. The bench's 10,000
  deliveries take about 40 to 60 statements (bench/webhooks.py).
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import partial
from itertools import groupby
from typing import Any, TypeVar

import httpx
from standardwebhooks.webhooks import Webhook as Signer

from outbound.http import innermost, read_raw, system_tls
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

T = TypeVar("T")


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
        tls: ssl.SSLContext | None = None,
    ):
        self.webhooks = webhooks
        self.clock = clock  # schedules retries: the bot's time, which tests move
        self.wall = wall  # stamps the signature: the receiver checks it against its own clock
        self.workers = workers
        self.timeout = timeout
        self.sleep = sleep
        self.per_lane = per_lane
        self._tls = tls  # for https receivers: None is the system's trusted authorities, loaded once
        self.worker = worker_name("webhooks", f"{id(self):x}")
        self._signers: dict[str, Signer] = {}  # by secret: each decoded once
        self._database: ThreadPoolExecutor | None = None  # claims and records: see _in_thread

    # ---- loops ----

    def run_once(self, stop: threading.Event | None = None, only: str | None = None) -> int:
        """Claim the lanes that are due (`only`: that lane) and post them, `workers` lanes
        at a time, until none is due; how many deliveries were claimed. Once `stop` is set
        it claims no more and returns when the lanes in hand are done and recorded."""
        loop = asyncio.new_event_loop()  # not asyncio.run, which would wait on a name lookup that hangs
        try:
            return loop.run_until_complete(self._round(stop, only))
        finally:
            loop.close()

    async def _in_thread(self, work: Callable[..., T], *args: Any) -> T:
        """A database call, in the lane's own threads: never behind a name lookup (those
        take the loop's default threads) nor holding up the loop."""
        if self._database is None:
            self._database = ThreadPoolExecutor(2, thread_name_prefix="webhooks-database")
        return await asyncio.get_running_loop().run_in_executor(self._database, partial(work, *args))

    async def _round(self, stop: threading.Event | None, only: str | None) -> int:
        """The workers are kept fed: the next claim is made while a lane for each worker
        still waits its turn, so its statements overlap the posts. The lanes answered
        whole are recorded all at once, one record at a time: a slow commit holds neither
        a post nor the next claim, and the slower the commits, the more each records. A
        claim is made again only when it may find something the last did not: it found
        lanes, or lanes with more waiting were recorded since, or nothing is in hand (a
        lane given back short, or events new since, wait for that). A claim or a record
        that fails ends the round: the lanes in hand post nothing more, record what they
        posted, and the error is raised (the lane's loop logs it and tries again)."""
        state = _Round(self, stop, only)
        try:
            while True:
                state.record_if_due()
                state.claim_if_worthwhile()
                waiting = state.waiting()
                if not waiting:
                    return state.total  # told to stop, and what was in hand is recorded
                done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
                state.take_recorded(done)
                state.take_answered(done)
                if state.take_claimed(done):
                    return state.total
        except BaseException:
            await state.fail()
            raise
        finally:
            await state.close()

    def _client(self) -> httpx.AsyncClient:
        """A round's client: a connection a worker at most, kept between posts to one
        receiver; redirects answered, not followed. Its timeouts only back up the
        deadline of the whole delivery (`_post`)."""
        return httpx.AsyncClient(
            verify=self._tls or system_tls(),
            follow_redirects=False,
            trust_env=False,
            limits=httpx.Limits(max_connections=self.workers, max_keepalive_connections=self.workers),
            timeout=httpx.Timeout(self.timeout),
            headers={"User-Agent": USER_AGENT},
        )

    def _record(self, answered: list[Claimed]) -> list[Claimed]:
        """Mark the deliveries of the lanes answered whole delivered: one statement, one
        transaction for all of them. Until then each lane's oldest keeps its lease, so no
        claim hands its deliveries out again."""
        if answered:
            self.webhooks.delivered(answered, self.clock())
        return answered

    def close(self) -> None:
        super().close()
        if self._database is not None:
            self._database.shutdown(wait=False)
            self._database = None

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

    async def _run_lane(
        self, lane: list[Claimed], posting: asyncio.Semaphore, client: httpx.AsyncClient, halt: asyncio.Event
    ) -> list[Claimed]:
        """Post the lane's deliveries in order; stop at the first that fails. Only this
        task posts the lane while the lease on its oldest delivery (the first) holds.
        Returns the lane when every one was answered 2xx, for the round to record with
        other lanes'; a lane stopped short is recorded and released here (and [] returned).
        A delivery the lane cannot even try (a bug, not the receiver) counts as a failed
        attempt, so that it is retried on the schedule and fails in the end, never held."""
        async with posting:
            done = 0  # how many of the lane were answered 2xx
            for claimed in lane:
                if halt.is_set() or self.clock() + timedelta(seconds=self.timeout * 2) > claimed.lease_until:
                    break  # the round failed, or the lease would run out: the rest goes back
                try:
                    error = claimed.unreadable or await self._post(claimed, client)
                except Exception as err:
                    log.exception("webhooks: delivery %s (%s) could not be tried", claimed.event_id, claimed.lane)
                    error = f"could not be tried: {type(err).__name__}"
                if error is None:
                    done += 1
                    continue
                await self._in_thread(self._not_delivered, lane[:done], claimed, error)
                return []
            if done == len(lane):
                return lane
            await self._in_thread(self._stopped_short, lane, done)
            return []

    def _not_delivered(self, answered: list[Claimed], claimed: Claimed, error: str) -> None:
        self.webhooks.delivered(answered, self.clock())
        status = self.webhooks.not_delivered(claimed, self.clock(), error)
        level = logging.WARNING if status == "failed" else logging.INFO
        log.log(level, "webhook delivery %s (%s): %s; %s", claimed.event_id, claimed.lane, error, status)

    def _stopped_short(self, lane: list[Claimed], done: int) -> None:
        self.webhooks.delivered(lane[:done], self.clock())
        self.webhooks.release(lane)  # the lease on the lane's oldest goes

    async def _post(self, claimed: Claimed, client: httpx.AsyncClient) -> str | None:
        """POST one delivery; None if answered 2xx, else what went wrong (never the body).
        The answer is streamed and read to ANSWER_READ_LIMIT at most: a longer one is not
        waited for, and its connection is not kept."""
        assert claimed.secret is not None, "a delivery whose secret was unreadable is not posted"
        stamp = int(self.wall())
        signer = self._signers.get(claimed.secret)
        if signer is None:
            signer = self._signers[claimed.secret] = Signer(claimed.secret)
        headers = {
            "Content-Type": "application/json",
            "webhook-id": claimed.event_id,
            "webhook-timestamp": str(stamp),
            "webhook-signature": signer.sign(claimed.event_id, datetime.fromtimestamp(stamp, UTC), claimed.body),
        }
        try:
            request = client.build_request("POST", claimed.url, content=claimed.body.encode(), headers=headers)
        except (httpx.InvalidURL, ValueError) as err:  # idna's IDNAError is a ValueError: a host IDNA refuses
            return f"the URL cannot be posted to: {type(err).__name__}: {err}"[:200]
        try:
            async with asyncio.timeout(self.timeout):  # the whole: connect, send, the complete answer
                response = await client.send(request, stream=True)
                try:  # past the limit not worth the wait: closed unread, the connection is not kept
                    await read_raw(response, ANSWER_READ_LIMIT)
                finally:
                    await response.aclose()
        except (TimeoutError, httpx.TimeoutException):
            return f"no answer within {self.timeout:g} s"
        except (httpx.TransportError, OSError) as err:
            cause = innermost(err)  # `ConnectionRefusedError: …`, a certificate refused
            return f"{type(cause).__name__}: {cause}"[:200]
        return None if 200 <= response.status_code < 300 else f"HTTP {response.status_code}"


class _Round:
    """What one round of WebhookLane._round holds, and each step of its loop."""

    def __init__(self, lane: WebhookLane, stop: threading.Event | None, only: str | None):
        self.lane, self.stop, self.only = lane, stop, only
        self.total = 0
        self.posting = asyncio.Semaphore(lane.workers)
        self.halt = asyncio.Event()  # set when the round fails: lanes post nothing more
        self.client = lane._client()
        self.running: set[asyncio.Task[list[Claimed]]] = set()
        self.recording: asyncio.Future[list[Claimed]] | None = None  # at most one record at a time
        self.claiming: asyncio.Future[list[Claimed]] | None = None
        self.answered: list[Claimed] = []  # finished, not yet recorded: their lanes stay leased
        self.fresh = True  # whether a claim may find lanes the last one did not
        self.freed = False  # lanes with more waiting recorded while a claim was out: it may not have seen them
        self.last_look = False  # whether the claim in hand was made with nothing else in hand
        self.low = lane.workers * 2  # in hand, posting or waiting for a worker, before the next claim

    def record_if_due(self) -> None:
        """Record the lanes answered, unless a record is out: once as many deliveries wait as
        the workers post in full lanes, or the workers are running low."""
        lane = self.lane
        if not self.answered or self.recording is not None:
            return
        if len(self.answered) >= lane.workers * lane.per_lane or len(self.running) <= self.low:
            self.recording = asyncio.ensure_future(lane._in_thread(lane._record, self.answered))
            self.answered = []

    def claim_if_worthwhile(self) -> None:
        """Claim, unless a claim is out or the round is told to stop: when nothing is in
        hand, or when the workers are running low and a claim may find something new."""
        in_hand = bool(self.running) or self.recording is not None
        stopping = self.stop is not None and self.stop.is_set()
        if self.claiming is not None or stopping:
            return
        if not in_hand or (self.fresh and len(self.running) <= self.low):
            lane = self.lane
            self.last_look = not in_hand  # if it finds nothing, nothing is due: the round is over
            claim = (lane.worker, lane.clock(), LEASE, LANES_PER_CLAIM, lane.per_lane, self.only)
            self.claiming = asyncio.ensure_future(lane._in_thread(lane.webhooks.claim, *claim))

    def waiting(self) -> set[asyncio.Future[list[Claimed]]]:
        return self.running | {f for f in (self.recording, self.claiming) if f is not None}

    def take_recorded(self, done: set[asyncio.Future[list[Claimed]]]) -> None:
        """A record that failed raises here, as a claim that fails does. Only a lane with
        more waiting than its claim took has more to claim now."""
        if self.recording is None or self.recording not in done:
            return
        more = any(c.more_behind for c in self.recording.result())
        self.recording = None
        if self.claiming is None:
            self.fresh = self.fresh or more
        else:
            self.freed = self.freed or more

    def take_answered(self, done: set[asyncio.Future[list[Claimed]]]) -> None:
        for task in done & self.running:
            self.running.discard(task)
            self.answered += task.result()

    def take_claimed(self, done: set[asyncio.Future[list[Claimed]]]) -> bool:
        """Start a task for each lane claimed; whether the round is over (a last look found
        nothing)."""
        if self.claiming is None or self.claiming not in done:
            return False
        claimed = self.claiming.result()
        self.claiming = None
        self.total += len(claimed)
        self.fresh, self.freed = bool(claimed) or self.freed, False
        for _, items in groupby(claimed, lambda c: c.lane):  # claimed in (lane, id) order
            lane = self.lane._run_lane(list(items), self.posting, self.client, self.halt)
            self.running.add(asyncio.create_task(lane))
        return not claimed and self.last_look

    async def fail(self) -> None:
        """The lanes in hand finish the post in hand, record it and stop."""
        self.halt.set()
        finished = await asyncio.gather(*self.running, return_exceptions=True)
        self.answered += [c for lane in finished if isinstance(lane, list) for c in lane]
        try:
            await self.lane._in_thread(self.lane._record, self.answered)
        except Exception:
            log.exception("webhooks: could not record %d deliveries made; they are sent again", len(self.answered))

    async def close(self) -> None:
        await asyncio.gather(*(f for f in (self.recording, self.claiming) if f is not None), return_exceptions=True)
        await self.client.aclose()
