"""The outbox: messages waiting to be delivered to Slack, and the dispatcher's claims on them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
from sqlmodel import Session, col

from cadence.change import Message
from storage.bulk import insert_new
from storage.db import Bind, engine_of, joined, reading, unit_of_work
from storage.models import table_of
from storage.models.bookkeeping import OutboxMessage

OUTBOX = table_of(OutboxMessage)


def enqueue_in(session: Session, messages: list[Message], at: datetime) -> set[str]:
    """Add messages within the caller's transaction; keys already present are left alone."""
    rows = [
        dict(
            key=m.key,
            method=m.method,
            channel=m.channel,
            payload=m.payload,
            status="pending",
            attempts=0,
            created_at=at,
            available_at=at,
        )
        for m in messages
    ]
    return insert_new(session, OUTBOX, rows)


@dataclass(frozen=True)
class OutboxHealth:
    pending: int
    failed: int
    oldest_pending: datetime | None  # when the oldest pending message was enqueued


class Outbox:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def enqueue(self, messages: list[Message], at: datetime) -> set[str]:
        with joined(self.bind) as s:
            return enqueue_in(s, messages, at)

    def claim(self, worker: str, now: datetime, lease: timedelta, limit: int) -> list[OutboxMessage]:
        """Lease up to `limit` due messages, at most one per channel (Slack allows about
        one message per second per channel, so a second one would only wait).

        Safe with many dispatchers: the UPDATE re-checks that the lease is free, and on
        PostgreSQL a row another dispatcher is claiming at the same moment is re-read
        after its commit, so the re-check fails and only one of them gets it.
        """
        free = and_(
            col(OutboxMessage.status) == "pending",
            col(OutboxMessage.available_at) <= now,
            or_(col(OutboxMessage.lease_until).is_(None), col(OutboxMessage.lease_until) < now),
        )
        ranked = (
            select(
                col(OutboxMessage.id),
                col(OutboxMessage.available_at),
                func.row_number()
                .over(
                    partition_by=col(OutboxMessage.channel),
                    order_by=(col(OutboxMessage.available_at), col(OutboxMessage.id)),
                )
                .label("rank"),
            )
            .where(free)
            .subquery()
        )
        with unit_of_work(self.bind) as s:  # own commit: the worker's claim, seen by the other workers once committed
            ids = list(
                s.execute(
                    select(ranked.c.id)
                    .where(ranked.c.rank == 1)
                    .order_by(ranked.c.available_at, ranked.c.id)
                    .limit(limit)
                ).scalars()
            )
            if not ids:
                return []
            claimed = (
                s.execute(
                    update(OutboxMessage)
                    .where(col(OutboxMessage.id).in_(ids), free)
                    .values(lease_until=now + lease, claimed_by=worker)
                    .returning(OutboxMessage)
                    .execution_options(synchronize_session=False)
                )
                .scalars()
                .all()
            )
            return sorted(claimed, key=lambda m: (m.available_at, m.id))

    def leases_held(self, now: datetime, prefix: str) -> set[str]:
        """The workers named `prefix...` holding leases on pending messages now."""
        with reading(self.bind) as s:
            return set(
                s.execute(
                    select(col(OutboxMessage.claimed_by))
                    .distinct()
                    .where(
                        col(OutboxMessage.status) == "pending",
                        col(OutboxMessage.lease_until) > now,
                        col(OutboxMessage.claimed_by).startswith(prefix),
                    )
                ).scalars()
            )

    def release_worker(self, worker: str) -> int:
        """Free every lease a (dead) worker holds, so its messages need not wait for the lease to run out."""
        with unit_of_work(self.bind) as s:  # own commit: a dead worker's leases freed for the others at once
            return s.exec(
                update(OutboxMessage)
                .where(col(OutboxMessage.claimed_by) == worker, col(OutboxMessage.status) == "pending")
                .values(lease_until=None, claimed_by=None)
                .execution_options(synchronize_session=False)
            ).rowcount

    def _update(
        self, message_id: int, worker: str, then: tuple[Message, datetime] | None = None, **values: Any
    ) -> bool:
        """Change a message this worker holds the lease on; False if the lease was lost.
        `then`: a message enqueued in the same transaction, if the change was made."""
        with unit_of_work(self.bind) as s:  # own commit: a delivery's outcome, kept whatever the next one does
            result = s.exec(
                update(OutboxMessage)
                .where(
                    col(OutboxMessage.id) == message_id,
                    col(OutboxMessage.claimed_by) == worker,
                    col(OutboxMessage.status) == "pending",
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if result.rowcount == 1 and then is not None:
                enqueue_in(s, [then[0]], then[1])
            return result.rowcount == 1

    def mark_in_flight(self, message_id: int, worker: str, now: datetime, attempts: int) -> bool:
        """Committed before the Slack call: if the process dies during the call, the next
        dispatcher knows the outcome is unknown and checks Slack before sending again."""
        return self._update(message_id, worker, in_flight_since=now, attempts=attempts)

    def mark_sent(
        self, message_id: int, worker: str, now: datetime, slack_channel: str | None, slack_ts: str | None
    ) -> bool:
        return self._update(
            message_id,
            worker,
            status="sent",
            sent_at=now,
            slack_channel=slack_channel,
            slack_ts=slack_ts,
            in_flight_since=None,
            lease_until=None,
            error=None,
        )

    def retry_later(self, message_id: int, worker: str, at: datetime, error: str, delivered_unknown: bool) -> bool:
        values: dict[str, Any] = dict(available_at=at, lease_until=None, claimed_by=None, error=error)
        if not delivered_unknown:
            values["in_flight_since"] = None
        return self._update(message_id, worker, **values)

    def mark_failed(
        self, message_id: int, worker: str, now: datetime, error: str, fallback: Message | None = None
    ) -> bool:
        """Slack refused it for good; its `fallback`, if given, is enqueued with the failure."""
        return self._update(
            message_id,
            worker,
            then=(fallback, now) if fallback is not None else None,
            status="failed",
            error=error,
            in_flight_since=None,
            lease_until=None,
            sent_at=None,
        )

    def release(self, message_id: int, worker: str) -> bool:
        return self._update(message_id, worker, lease_until=None, claimed_by=None)

    def next_due(self) -> datetime | None:
        """When the earliest pending message becomes due (None: nothing pending)."""
        with reading(self.bind) as s:
            return s.execute(
                select(func.min(col(OutboxMessage.available_at))).where(col(OutboxMessage.status) == "pending")
            ).scalar()

    def pending_count(self) -> int:
        with reading(self.bind) as s:
            return int(s.execute(select(func.count()).where(col(OutboxMessage.status) == "pending")).scalar() or 0)

    def find(self, key: str) -> OutboxMessage | None:
        with reading(self.bind) as s:
            return s.execute(select(OutboxMessage).where(col(OutboxMessage.key) == key)).scalars().first()

    def all(self) -> list[OutboxMessage]:
        with reading(self.bind) as s:
            return list(s.execute(select(OutboxMessage).order_by(col(OutboxMessage.id))).scalars())

    def fail_undeliverable(self, channel: str, error: str, now: datetime, since: datetime) -> list[OutboxMessage]:
        """A channel is lost: its waiting messages fail now (nothing retries in a loop), and
        these, with those that already failed since `since` for the same reason, are returned
        so that they can be named. One transaction."""
        with joined(self.bind) as s:
            s.execute(
                update(OutboxMessage)
                .where(col(OutboxMessage.channel) == channel, col(OutboxMessage.status) == "pending")
                .values(status="failed", error=f"{error} (the channel was lost)", lease_until=None, claimed_by=None)
                .execution_options(synchronize_session=False)
            )
            return list(
                s.execute(
                    select(OutboxMessage)
                    .where(
                        col(OutboxMessage.channel) == channel,
                        col(OutboxMessage.status) == "failed",
                        col(OutboxMessage.created_at) >= since,
                    )
                    .order_by(col(OutboxMessage.id))
                ).scalars()
            )

    def health(self) -> OutboxHealth:
        """The figures an operator watches, in one query: messages waiting, messages Slack
        refused for good, and how long the oldest waiting one has waited."""
        with reading(self.bind) as s:
            row = s.execute(
                select(
                    func.count().filter(col(OutboxMessage.status) == "pending"),
                    func.count().filter(col(OutboxMessage.status) == "failed"),
                    func.min(col(OutboxMessage.created_at)).filter(col(OutboxMessage.status) == "pending"),
                )
            ).one()
        return OutboxHealth(int(row[0]), int(row[1]), row[2])
