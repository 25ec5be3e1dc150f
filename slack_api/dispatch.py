"""The outbox dispatcher: delivers queued messages to Slack within its limits.

- Pacing: at most one message per second per channel (Slack's chat.postMessage
  limit) and a workspace-wide rate; a 429 holds its channel for Retry-After, and
  holds everything when several channels are limited at once (a workspace limit).
- Failures: 5xx, timeouts and connection errors back off exponentially and retry
  for up to a day; errors that will not change on retry (channel_not_found,
  not_in_channel, account_inactive, invalid_blocks, ...) fail the message at once,
  with Slack's error recorded.
- Restarts: a message is leased while a dispatcher works on it, so a killed
  dispatcher's messages go to the next one when the lease runs out. Nothing is lost.
- A token Slack refuses (the app uninstalled, the token revoked, the workspace gone):
  delivery is held, for every process, instead of retrying each message. The messages
  wait in the outbox; the dispatcher asks `auth.test` every few minutes and delivers
  them once Slack accepts the token again (or at a restart with a new one).

Sending twice: the only window is between Slack accepting a message and our commit
that says so. We close it rather than accept it. Before the Slack call the message is
marked in flight (committed), and every chat.postMessage carries the outbox key in
its message metadata. A message found in flight by a later attempt, whether this
process saw a timeout or another process died mid-call, is first looked up in the
channel's recent history by that key; only if Slack does not have it is it sent again.
chat.update and views.publish are idempotent and are simply repeated.
"""

from __future__ import annotations

import base64
import logging
import random
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, NoReturn, Protocol

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web import SlackResponse

from outbound.lane import Lane, worker_name
from slack_api.answers import (
    CHANNEL_LOST,
    FALLBACK,
    PERMANENT_ERRORS,
    PERSON_GONE,
    TOKEN_REFUSED,
    fallback_of,
    retry_after,
    slack_error,
)
from slack_api.pacing import Pacer
from storage.models.bookkeeping import OutboxMessage
from storage.outbox import Outbox

log = logging.getLogger(__name__)

METADATA_EVENT = "rollout_outbox"
# While held, auth.test is asked whether the token works again: FIRST_PROBE_SECONDS after
# the refusal, then twice as long each time, up to PROBE_SECONDS apart.
FIRST_PROBE_SECONDS = 5
PROBE_SECONDS = 300


class SlackAccess(Protocol):
    """Where every process reads and records whether Slack accepts the bot's token
    (storage/health.py)."""

    def slack_access_lost(self) -> tuple[str, datetime] | None: ...

    def lose_slack_access(self, reason: str, at: datetime) -> bool: ...

    def regain_slack_access(self) -> bool: ...


GIVE_UP_AFTER = timedelta(hours=24)
MAX_BACKOFF_SECONDS = 300
# After a send whose outcome is unknown, wait at least this long before looking the
# message up and sending again, so a request Slack was still processing shows in history.
UNKNOWN_OUTCOME_WAIT_SECONDS = 5


class _RateLimited(Exception):
    def __init__(self, seconds: float):
        self.seconds = seconds


class Dispatcher(Lane):
    """The Slack outbox's lane: the loop is outbound/lane.py's; a round is one claimed batch."""

    name = "dispatch"

    def __init__(
        self,
        outbox: Outbox,
        client: WebClient,
        clock: Callable[[], datetime],
        sleep: Callable[[float], None] = time.sleep,
        pacer: Pacer | None = None,
        worker: str | None = None,
        batch: int = 50,
        lease: timedelta = timedelta(minutes=2),
        give_up_after: timedelta = GIVE_UP_AFTER,
        concurrency: int = 1,
        on_channel_lost: Callable[[str, str], object] | None = None,
        access: SlackAccess | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        on_person_gone: Callable[[str, str], object] | None = None,
    ):
        self.outbox = outbox
        self.client = client
        self.clock = clock
        self.sleep = sleep
        self.pacer = pacer or Pacer()
        self.worker = worker or worker_name(threading.get_ident())
        self.batch = batch
        self.lease = lease
        self.give_up_after = give_up_after
        self.concurrency = concurrency
        # Slack says a channel is gone or closed to us (archived, not found, the bot removed):
        # told once per failed message; the playbooks there are paused (usecases/shared/life.py).
        self.on_channel_lost = on_channel_lost
        self.access = access  # None: no hold (a token refused is retried as other auth trouble)
        # Slack says the person a DM is for is gone (user_not_found, account_inactive with a
        # token that works): told once per failed message (usecases/people.py).
        self.on_person_gone = on_person_gone
        self.monotonic = monotonic
        self._next_probe = 0.0
        self._probe_wait = FIRST_PROBE_SECONDS  # the next wait between two probes

    # ---- loops ----

    def run_once(self, stop: threading.Event | None = None) -> int:
        """Claim one batch (at most one message per channel) and deliver it, `concurrency`
        messages at a time, each in its paced slot. Returns how many were claimed: none
        while Slack refuses the token."""
        if self.held():
            return 0
        claimed = self.outbox.claim(self.worker, self.clock(), self.lease, self.batch)
        if self.concurrency == 1:
            for message in claimed:
                self._paced(message)
        else:
            list(self.pool(self.concurrency).map(self._paced, claimed))
        return len(claimed)

    def _paced(self, message: OutboxMessage) -> None:
        wait = self.pacer.reserve(message.channel, self.clock().timestamp())
        lease_until = message.lease_until
        assert lease_until is not None, "a claimed message has a lease"
        if self.clock() + timedelta(seconds=wait) > lease_until - timedelta(seconds=15):
            self.outbox.release(message.id, self.worker)  # would outlive the lease: the next batch takes it
            return
        if wait:
            self.sleep(wait)
        try:
            self._deliver(message)
        except _RateLimited as limited:
            self.pacer.limited(message.channel, limited.seconds, self.clock().timestamp())
        except Exception:
            log.exception("outbox %s: delivery failed; the lease runs out and it is retried", message.key)

    def held(self) -> bool:
        """Whether delivery is held because Slack refuses the token. While held, auth.test
        is asked on a backoff (FIRST_PROBE_SECONDS, doubling to PROBE_SECONDS); when it
        answers ok, delivery goes on."""
        if self.access is None or self.access.slack_access_lost() is None:
            return False
        if self.monotonic() < self._next_probe:
            return True
        self._next_probe = self.monotonic() + self._probe_wait
        self._probe_wait = min(self._probe_wait * 2, PROBE_SECONDS)
        if self._token_refused() is not None:
            return True
        self._probe_wait = FIRST_PROBE_SECONDS
        if self.access.regain_slack_access():
            log.warning("Slack accepts the bot's token again: delivering the outbox")
        return False

    def _token_refused(self) -> str | None:
        """Slack's error if it refuses the bot's token (auth.test); None if it accepts it or
        cannot say now (a timeout, a 5xx: not a refusal)."""
        try:
            self.client.auth_test()
        except SlackApiError as err:
            error = str(err.response.get("error") or "")
            return error if error in TOKEN_REFUSED else None
        except (OSError, TimeoutError, SlackClientError):
            return None
        return None

    # ---- what the loop (outbound/lane.py) asks ----

    def next_due(self) -> datetime | None:
        return self.outbox.next_due()

    def pending_count(self) -> int:
        return self.outbox.pending_count()

    def leases_held(self, prefix: str) -> set[str]:
        return self.outbox.leases_held(self.clock(), prefix)

    def release_holder(self, holder: str) -> int:
        return self.outbox.release_worker(holder)

    # ---- one message ----

    def _resolve_references(self, message: OutboxMessage) -> bool:
        """Fill in `ts`/`channel` (from `ts_of`) and `thread_ts` (from `thread_of`): the
        outbox keys of messages sent earlier. False if a referenced message is not sent yet."""
        for field_name, key in (
            ("ts_of", message.payload.get("ts_of")),
            ("thread_of", message.payload.get("thread_of")),
        ):
            if key is None:
                continue
            referenced = self.outbox.find(key)
            if referenced is None or referenced.status == "failed":
                self.outbox.mark_failed(
                    message.id, self.worker, self.clock(), f"the message it refers to ({key}) was never delivered"
                )
                return False
            if referenced.status != "sent":
                self.outbox.retry_later(
                    message.id,
                    self.worker,
                    self.clock() + timedelta(seconds=2),
                    f"waiting for {key} to be sent",
                    delivered_unknown=False,
                )
                return False
            payload = {k: v for k, v in message.payload.items() if k != field_name}
            if field_name == "ts_of":
                payload.update(channel=referenced.slack_channel, ts=referenced.slack_ts)
            else:
                payload.update(thread_ts=referenced.slack_ts)
            message.payload = payload
        return True

    def _deliver(self, message: OutboxMessage) -> None:
        if ("ts_of" in message.payload or "thread_of" in message.payload) and not self._resolve_references(message):
            return
        if self._earlier_attempt_settled(message):
            return
        if not self.outbox.mark_in_flight(message.id, self.worker, self.clock(), message.attempts + 1):
            return  # the lease went to another dispatcher
        response: SlackResponse | dict[str, Any]
        try:
            response = self._call(message)
        except SlackApiError as err:
            self._failed(message, err)
            return
        except (OSError, TimeoutError, SlackClientError) as err:  # timeouts, refused or reset connections
            self._retry(message, slack_error(err), delivered_unknown=True)
            return
        self.outbox.mark_sent(message.id, self.worker, self.clock(), response.get("channel"), response.get("ts"))

    def _earlier_attempt_settled(self, message: OutboxMessage) -> bool:
        """A message posted whose earlier attempt was in flight, looked up: True where that
        settles it (Slack has it: marked sent; the look-up failed: retried later), False to send it."""
        if message.in_flight_since is None or message.method != "chat.postMessage":
            return False
        try:
            found = self._find_delivered(message)
        except (SlackApiError, OSError) as err:
            self._retry(message, f"checking an earlier attempt: {slack_error(err)}", delivered_unknown=True)
            return True
        if found is not None:
            log.info("outbox %s: an earlier attempt was delivered (%s); not sending again", message.key, found[1])
            self.outbox.mark_sent(message.id, self.worker, self.clock(), *found)
            return True
        return False

    def _call(self, message: OutboxMessage) -> SlackResponse | dict[str, Any]:
        """The message sent: a file uploaded, or its method called."""
        if message.method == "files.uploadV2":
            return self._upload(message)
        return self.client.api_call(message.method, json=self._arguments(message))

    def _upload(self, message: OutboxMessage) -> dict[str, Any]:
        """Slack's current upload flow (getUploadURLExternal, the upload, completeUploadExternal),
        as slack_sdk's files_upload_v2 performs it. Not looked up after a crash: a file
        shared twice is the price of a crash mid-upload, and is rare."""
        payload = message.payload
        response = self.client.files_upload_v2(
            channel=message.channel,
            thread_ts=payload.get("thread_ts"),
            filename=payload["filename"],
            title=payload.get("title"),
            alt_txt=payload.get("alt_txt"),
            content=base64.b64decode(payload["content_b64"]),
        )
        return {"channel": message.channel, "ts": None, "files": response.get("files")}

    @staticmethod
    def _arguments(message: OutboxMessage) -> dict[str, Any]:
        arguments = dict(message.payload)
        arguments.pop(FALLBACK, None)  # the bot's, not Slack's
        if message.method == "chat.postMessage":
            arguments["channel"] = message.channel  # a reply in a thread goes to its parent's channel: the same
            arguments["metadata"] = {"event_type": METADATA_EVENT, "event_payload": {"key": message.key}}
        elif message.method == "views.publish":
            arguments["user_id"] = message.channel
        else:
            arguments.setdefault("channel", message.channel)
        return arguments

    def _failed(self, message: OutboxMessage, err: SlackApiError) -> None:
        status = err.response.status_code
        error = str(err.response.get("error") or f"http_{status}")
        if status == 429 or error == "ratelimited":
            self._rate_limited(message, err)
        if error in TOKEN_REFUSED and self._held_for_the_token(message, error):
            return
        if status < 500 and error in PERMANENT_ERRORS:
            self._refused_for_good(message, error)
            return
        # 5xx, Slack's own internal errors, auth trouble an admin can fix: try again later.
        self._retry(message, error, delivered_unknown=status >= 500)

    def _rate_limited(self, message: OutboxMessage, err: SlackApiError) -> NoReturn:
        """Slack's 429: the message waits its Retry-After, and so does the drain."""
        seconds = retry_after(err)
        self.outbox.retry_later(
            message.id,
            self.worker,
            self.clock() + timedelta(seconds=seconds),
            f"ratelimited (Retry-After {seconds:g} s)",
            delivered_unknown=False,
        )
        raise _RateLimited(seconds)

    def _held_for_the_token(self, message: OutboxMessage, error: str) -> bool:
        """True when Slack refuses the token, not this message: it waits with the rest,
        the access is marked lost (logged once) and probing starts."""
        if self.access is None:
            return False
        refused = self._token_refused()
        if refused is None:
            return False
        self.outbox.retry_later(message.id, self.worker, self.clock(), error, delivered_unknown=False)
        if self.access.lose_slack_access(refused, self.clock()):
            log.error(
                "Slack refuses the bot's token (%s): delivery is held, the messages wait in the outbox, and "
                "/healthz answers 503 until it works again (reinstall the app, or a new SLACK_BOT_TOKEN)",
                refused,
            )
        self._next_probe = self.monotonic() + FIRST_PROBE_SECONDS
        self._probe_wait = FIRST_PROBE_SECONDS * 2
        return True

    def _refused_for_good(self, message: OutboxMessage, error: str) -> None:
        fallback = fallback_of(message, error)
        if fallback is not None:
            # a message with somewhere else to go (an escalation: usecases/escalation.py) goes
            # there, saying why, in the transaction that fails it here: nothing lost, nothing twice
            log.warning("outbox %s: Slack refused it (%s); sent to its fallback instead", message.key, error)
            self.outbox.mark_failed(message.id, self.worker, self.clock(), error, fallback)
            return
        log.warning("outbox %s: Slack refused it for good: %s", message.key, error)
        self.outbox.mark_failed(message.id, self.worker, self.clock(), error)
        if error in CHANNEL_LOST and message.channel[:1] in ("C", "G") and self.on_channel_lost is not None:
            try:
                self.on_channel_lost(message.channel, error)
            except Exception:
                log.exception("could not act on the loss of %s", message.channel)
        if error in PERSON_GONE and message.channel[:1] in ("U", "W") and self.on_person_gone is not None:
            try:
                self.on_person_gone(message.channel, error)
            except Exception:
                log.exception("could not act on %s having left", message.channel)

    def _retry(self, message: OutboxMessage, error: str, delivered_unknown: bool) -> None:
        now = self.clock()
        if now - message.created_at > self.give_up_after:
            log.error("outbox %s: giving up after %d attempts: %s", message.key, message.attempts + 1, error)
            hours = self.give_up_after.total_seconds() / 3600
            self.outbox.mark_failed(message.id, self.worker, now, f"gave up after {hours:g} h of retries: {error}")
            return
        delay = min(2 ** max(message.attempts, 0), MAX_BACKOFF_SECONDS) * random.uniform(1.0, 1.25)
        if delivered_unknown:
            delay = max(delay, UNKNOWN_OUTCOME_WAIT_SECONDS)
        log.info("outbox %s: %s; retrying in %.0f s", message.key, error, delay)
        self.outbox.retry_later(message.id, self.worker, now + timedelta(seconds=delay), error, delivered_unknown)

    def _find_delivered(self, message: OutboxMessage) -> tuple[str, str] | None:
        """(channel, ts) of this message if Slack already has it, found by its metadata key."""
        channel = message.slack_channel or message.channel
        if channel[:1] in ("U", "W"):
            channel = self.client.conversations_open(users=channel)["channel"]["id"]
        assert message.in_flight_since is not None, "only a send in flight is looked up"
        oldest = message.in_flight_since - timedelta(minutes=1)
        try:
            history = self.client.conversations_history(
                channel=channel, oldest=f"{oldest.timestamp():.6f}", include_all_metadata=True, limit=200
            )
        except SlackApiError as err:
            if err.response.get("error") != "missing_scope":
                raise
            # The manifest leaves out the *:history scopes (docs/setup.md, "Scopes"): without
            # them an attempt whose answer was lost is sent again, and may arrive twice.
            log.warning(
                "outbox %s: an earlier attempt's answer was lost and the app has no history scope to look for it "
                "(channels:history, groups:history, im:history); sending it again, so it may arrive twice",
                message.key,
            )
            return None
        found: list[dict[str, Any]] = history.get("messages", [])
        return next(((channel, item["ts"]) for item in found if _keyed(item, message.key)), None)


def _keyed(item: dict[str, Any], key: str) -> bool:
    """A message of the history that the outbox sent as `key` (its metadata says so)."""
    metadata = item.get("metadata") or {}
    return bool(
        metadata.get("event_type") == METADATA_EVENT and (metadata.get("event_payload") or {}).get("key") == key
    )
