"""Webhooks in the database: the receivers, and the webhooks' outbox.

Events are written by `announce` (storage/webhook_events.py), inside the unit of work of the decision they tell of
(storage/governance.py's apply_change, an adoption, a playbook's load): a decision rolled
back tells no one, a decision committed is never lost. One row a webhook an event, in
the order of their ids; the lane (outbound/webhooks.py) takes each lane's oldest first.

Its own table, not Slack's `outbox`: the two lanes are claimed, retried and counted
apart, so a dead receiver's thousands of waiting events never sit in the Slack
dispatcher's claims or its figures, and neither lane's schedule bends the other's.

The signing secret is kept encrypted with Fernet (the `cryptography` package: an
authenticated, versioned format, the kept library's recipe rather than one of ours) when
ROLLOUT_SECRET_KEY is set; without it, as given (storage/webhook_secrets.py). It never
leaves this module but to sign.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, case, delete, func, literal_column, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from cadence import webhooks as events
from storage.bulk import insert_all
from storage.db import Bind, engine_of, joined, reading, unit_of_work
from storage.models.webhooks import Webhook, WebhookDelivery
from storage.types import one_of
from storage.webhook_events import DELIVERY, PENDING, WEBHOOK, delivery_row, free_lanes, new_event_id
from storage.webhook_secrets import SecretBox, SecretUnreadable

_UNFINISHED = DELIVERY.c.status.in_([literal_column("'pending'"), literal_column("'failed'")])
# Webhooks.delivered: by key, those still pending, said so that no partial index answers
# it (see there): not delivered yet, and not failed (a failure is final).
_MARK_DELIVERED = (
    update(DELIVERY)
    .where(
        DELIVERY.c.delivered_at.is_(None),
        DELIVERY.c.status != literal_column("'failed'"),
        one_of(DELIVERY.c.id, "ids"),
    )
    .values(
        status="delivered",
        delivered_at=bindparam("now"),
        attempts=DELIVERY.c.attempts + 1,
        lease_until=None,
        claimed_by=None,
        error=None,
    )
)


class NameTaken(Exception):
    """A webhook by that name exists."""


@dataclass(frozen=True)
class Listed:
    """A webhook as `rollout webhook list` shows it (never its secret)."""

    webhook: Webhook
    last_delivery: datetime | None
    pending: int
    failed: int


@dataclass(frozen=True)
class Claimed:
    """A delivery this worker holds, with where it goes and the secret to sign it with
    (None, with `unreadable` saying why, if it cannot be read), and whether its lane has
    more waiting than the claim took (so that recording it may free more to claim)."""

    id: int
    webhook_id: int
    lane: str
    event_id: str
    body: str
    attempts: int
    lease_until: datetime
    holder: str  # the claim's name, in claimed_by
    url: str
    secret: str | None
    unreadable: str | None = None
    more_behind: bool = False  # whether more of its lane wait behind this claim's


class Webhooks:
    def __init__(self, bind: Bind, secret_key: str | None = None):
        self.bind, self.engine = bind, engine_of(bind)
        self.box = SecretBox(secret_key)
        self._claims = 0  # numbers this process's claims

    # ---- the receivers ----

    def add(
        self,
        name: str,
        url: str,
        wanted: list[str],
        playbooks: list[str] | None,
        secret: str,
        by: str,
        at: datetime,
    ) -> Webhook:
        """A new webhook; NameTaken, and nothing written, if the name is."""
        row = Webhook(
            name=name,
            url=url,
            events=wanted,
            playbooks=playbooks,
            secret=self.box.seal(secret),
            created_by=by,
            created_at=at,
        )
        try:
            with joined(self.bind) as s:
                s.add(row)
                s.flush()
                s.expunge(row)
        except IntegrityError:
            raise NameTaken(name) from None
        return row

    def find(self, name: str) -> Webhook | None:
        with reading(self.bind) as s:
            return s.execute(select(Webhook).where(col(Webhook.name) == name)).scalars().first()

    def names(self) -> list[str]:
        with reading(self.bind) as s:
            return list(s.execute(select(col(Webhook.name)).order_by(col(Webhook.name))).scalars())

    def listed(self) -> list[Listed]:
        """Every webhook with its last delivery and its deliveries waiting and failed: two reads."""
        with reading(self.bind) as s:
            hooks = list(s.execute(select(Webhook).order_by(col(Webhook.name))).scalars())
            figures = {
                row[0]: row[1:]
                for row in s.execute(
                    select(
                        DELIVERY.c.webhook_id,
                        func.max(DELIVERY.c.delivered_at),
                        func.count().filter(PENDING),
                        func.count().filter(DELIVERY.c.status == "failed"),
                    ).group_by(DELIVERY.c.webhook_id)
                ).all()
            }
        return [Listed(h, *(figures.get(h.id) or (None, 0, 0))) for h in hooks]

    def remove(self, name: str) -> bool:
        """The webhook and its deliveries, waiting or not, in one unit of work: nothing is
        sent to it from the next claim on. False if there is no such webhook."""
        with joined(self.bind) as s:
            hook_id = s.execute(select(WEBHOOK.c.id).where(WEBHOOK.c.name == name)).scalar()
            if hook_id is None:
                return False
            s.execute(delete(DELIVERY).where(DELIVERY.c.webhook_id == hook_id))
            s.execute(delete(WEBHOOK).where(WEBHOOK.c.id == hook_id))
        return True

    def enqueue_test(self, webhook: Webhook, at: datetime) -> str:
        """A `test` event to this webhook alone; its event id."""
        event = events.Event(events.TEST, None, {"webhook": webhook.name})
        event_id = new_event_id()
        body = json.dumps(events.body(events.TEST, at, None, event.data), separators=(",", ":"))
        row = delivery_row(event_id, webhook.id, event, body, at)
        row["lane"] = f"{webhook.id}:test:{event_id[-12:]}"  # behind no other event, not even an earlier test
        with joined(self.bind) as s:
            insert_all(s, DELIVERY, [row])
        return event_id

    # ---- the lane's claims ----

    def claim(
        self, worker: str, now: datetime, lease: timedelta, lanes: int, per_lane: int, only: str | None = None
    ) -> list[Claimed]:
        """The oldest waiting deliveries of up to `lanes` lanes whose oldest is due and
        free, up to `per_lane` of each, in order. A lane is held by the lease on its
        oldest delivery alone, taken under the claim's own name (`worker` and a number):
        no other worker claims a lane whose oldest is leased, and the rows behind it are
        read, not written, so a claim costs a few rows' writes however many it hands
        out. Safe with many workers: the UPDATE re-checks the lease. `only`: that lane alone.
        Each says whether its lane has more waiting than `per_lane` (one row more is read)."""
        heads = (
            select(DELIVERY.c.lane, func.min(DELIVERY.c.id).label("head"))
            .where(PENDING, *([DELIVERY.c.lane == only] if only is not None else []))
            .group_by(DELIVERY.c.lane)
            .subquery()
        )
        due_heads = (
            select(heads.c.head)
            .join(DELIVERY, DELIVERY.c.id == heads.c.head)
            .where(DELIVERY.c.available_at <= now, free_lanes(now))
            .order_by(heads.c.head)
            .limit(lanes)
        )
        self._claims += 1
        holder, until = f"{worker}:{self._claims}", now + lease
        with unit_of_work(self.bind) as s:  # own commit: the worker's claim, seen by the other workers once committed
            chosen = list(s.execute(due_heads).scalars())
            if not chosen:
                return []
            taken = list(
                s.execute(
                    update(DELIVERY)
                    .where(DELIVERY.c.id.in_(chosen), free_lanes(now))
                    .values(lease_until=until, claimed_by=holder)
                    .returning(DELIVERY.c.lane)
                ).scalars()
            )
            if not taken:
                return []
            ranked = (
                select(
                    DELIVERY.c.id,
                    DELIVERY.c.webhook_id,
                    DELIVERY.c.lane,
                    DELIVERY.c.event_id,
                    DELIVERY.c.body,
                    DELIVERY.c.attempts,
                    func.row_number().over(partition_by=DELIVERY.c.lane, order_by=DELIVERY.c.id).label("rank"),
                )
                .where(PENDING, DELIVERY.c.lane.in_(taken))
                .subquery()
            )
            # One row more than handed out: whether anything waits behind.
            rows = s.execute(
                select(ranked).where(ranked.c.rank <= per_lane + 1).order_by(ranked.c.lane, ranked.c.id)
            ).all()
            behind = {r.lane for r in rows if r.rank > per_lane}
            rows = [r for r in rows if r.rank <= per_lane]
            hook_ids = sorted({r.webhook_id for r in rows})
            hooks = {
                hook_id: (url, secret)
                for hook_id, url, secret in s.execute(
                    select(WEBHOOK.c.id, WEBHOOK.c.url, WEBHOOK.c.secret).where(WEBHOOK.c.id.in_(hook_ids))
                )
            }
        opened: dict[int, tuple[str | None, str | None]] = {}
        for hook_id, (_, stored) in hooks.items():
            try:
                opened[hook_id] = (self.box.open(stored), None)
            except SecretUnreadable as err:
                opened[hook_id] = (None, str(err))
        return [
            Claimed(
                r.id,
                r.webhook_id,
                r.lane,
                r.event_id,
                r.body,
                r.attempts,
                until,
                holder,
                hooks[r.webhook_id][0],
                *opened[r.webhook_id],
                r.lane in behind,
            )
            for r in rows
        ]

    def delivered(self, answered: Iterable[Claimed], now: datetime) -> int:
        """These deliveries were answered 2xx: one UPDATE for all of them, of whatever
        lanes, by id (the lease on each lane's oldest keeps other workers off). By id, not
        `id <=` a lane's last: an event committed late under a lower id (PostgreSQL hands
        ids out before commit) was not claimed, and is not marked. The pending ones, said
        as "not delivered yet and not failed": the condition the pending index answers
        would let PostgreSQL, whose statistics see few pending rows between bursts, read
        every pending delivery for each batch instead of its rows by key (10,000
        deliveries: 0.64 s of its time in these UPDATEs, half that by key)."""
        ids = [c.id for c in answered]
        if not ids:
            return 0
        with unit_of_work(self.bind) as s:  # own commit: a delivery's outcome, kept whatever the next one does
            return s.connection().execute(_MARK_DELIVERED, {"ids": ids, "now": now}).rowcount

    def not_delivered(self, claimed: Claimed, now: datetime, error: str) -> str:
        """An attempt failed: try again on the schedule (cadence/webhooks.py), or, after the
        last, mark it failed. The webhook keeps the error for `webhook list`. Returns the
        new status."""
        attempts = claimed.attempts + 1
        wait = events.retry_after(attempts)
        values: dict[str, Any] = dict(attempts=attempts, lease_until=None, claimed_by=None, error=error)
        if wait is None:
            values.update(status="failed")
        else:
            values.update(available_at=now + wait)
        with unit_of_work(self.bind) as s:  # own commit: a delivery's outcome, kept whatever the next one does
            s.execute(update(DELIVERY).where(DELIVERY.c.id == claimed.id, PENDING).values(**values))
            s.execute(
                update(WEBHOOK).where(WEBHOOK.c.id == claimed.webhook_id).values(last_error=error, last_error_at=now)
            )
        return "failed" if wait is None else "pending"

    def release(self, lane: list[Claimed]) -> None:
        """Give the lane back unsent: free the lease on its oldest (the first of `lane`)."""
        with unit_of_work(self.bind) as s:  # own commit: the lane given back to the other workers at once
            s.execute(
                update(DELIVERY)
                .where(
                    PENDING,
                    DELIVERY.c.lane == lane[0].lane,
                    DELIVERY.c.claimed_by == lane[0].holder,
                )
                .values(lease_until=None, claimed_by=None)
            )

    def leases_held(self, now: datetime, prefix: str) -> set[str]:
        """The workers named `prefix...` holding leases now."""
        with reading(self.bind) as s:
            return set(
                s.execute(
                    select(DELIVERY.c.claimed_by)
                    .distinct()
                    .where(
                        PENDING,
                        DELIVERY.c.lease_until > now,
                        DELIVERY.c.claimed_by.startswith(prefix),
                    )
                ).scalars()
            )

    def release_worker(self, worker: str) -> int:
        """Free every lease a (dead) worker's claims hold."""
        with unit_of_work(self.bind) as s:  # own commit: a dead worker's leases freed for the others at once
            return s.exec(
                update(DELIVERY)
                .where(DELIVERY.c.claimed_by.startswith(worker + ":"), PENDING)
                .values(lease_until=None, claimed_by=None)
            ).rowcount

    def next_due(self, now: datetime) -> datetime | None:
        """When a lane can next be claimed: the soonest of the lanes' oldest deliveries to
        come due or, if leased, to come free (None: nothing waits). The rows behind an
        oldest wait for it, whatever their own time."""
        heads = select(func.min(DELIVERY.c.id).label("head")).where(PENDING).group_by(DELIVERY.c.lane).subquery()
        leased = and_(DELIVERY.c.lease_until.is_not(None), DELIVERY.c.lease_until >= now)
        when = case((leased, DELIVERY.c.lease_until), else_=DELIVERY.c.available_at)
        with reading(self.bind) as s:
            return s.execute(select(func.min(when)).join(heads, heads.c.head == DELIVERY.c.id)).scalar()

    def pending_count(self) -> int:
        with reading(self.bind) as s:
            return int(s.execute(select(func.count()).where(PENDING)).scalar() or 0)

    def status_of(self, event_id: str) -> WebhookDelivery | None:
        with reading(self.bind) as s:
            return s.execute(select(WebhookDelivery).where(col(WebhookDelivery.event_id) == event_id)).scalars().first()

    def deliveries(self) -> list[WebhookDelivery]:
        with reading(self.bind) as s:
            return list(s.execute(select(WebhookDelivery).order_by(col(WebhookDelivery.id))).scalars())

    def health(self) -> dict[str, tuple[int, int]]:
        """Per webhook name: deliveries waiting, and deliveries failed for good. One read,
        of those rows only (ix_webhook_delivery_webhook), not of every delivery made."""
        with reading(self.bind) as s:
            rows = s.execute(
                select(
                    WEBHOOK.c.name,
                    func.count(DELIVERY.c.id).filter(PENDING),
                    func.count(DELIVERY.c.id).filter(DELIVERY.c.status == "failed"),
                )
                .select_from(WEBHOOK)
                .outerjoin(
                    DELIVERY,
                    and_(DELIVERY.c.webhook_id == WEBHOOK.c.id, _UNFINISHED),
                )
                .group_by(WEBHOOK.c.name)
            ).all()
        return {name: (int(pending), int(failed)) for name, pending, failed in rows}
