"""A webhook's events, written by `announce` inside the unit of work of the decision they
tell of (storage/governance.py's apply_change, an adoption, a playbook's load): one
delivery row a webhook an event, in its lane (a webhook and a playbook), and which lanes
are free to claim. The receivers and the claims on their deliveries are
storage/webhooks.py's."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, literal_column, or_, select
from sqlalchemy.engine import Connection
from sqlmodel import Session

from cadence import webhooks as events
from cadence.decisions import Decision
from storage.bulk import insert_all
from storage.models import table_of
from storage.models.playbooks import Playbook, Step
from storage.models.webhooks import Webhook, WebhookDelivery
from storage.types import one_of

WEBHOOK, DELIVERY = table_of(Webhook), table_of(WebhookDelivery)
# Literals, not parameters, so that a prepared statement's generic plan may still read
# the partial indexes over these rows (migration 0037): a delivered row leaves them
# (storage/webhooks.py's _UNFINISHED too).
PENDING = DELIVERY.c.status == literal_column("'pending'")
PLAYBOOK, STEP = table_of(Playbook), table_of(Step)


def new_event_id() -> str:
    return "msg_" + uuid.uuid4().hex


def lane_of(webhook_id: int, playbook_id: int | None) -> str:
    """Events of one playbook to one webhook go in order: the lane names the pair."""
    return f"{webhook_id}:{playbook_id if playbook_id is not None else '-'}"


def announce(s: Session, decided: Iterable[Decision], at: datetime, more: Iterable[events.Event] = ()) -> int:
    """Write, in the caller's unit of work, an event to each webhook that wants it: one for
    each decision that is an event (mode changes, proposals, publications, adoptions,
    replications) and each of `more` (a week's close). Without webhooks, one read of an
    empty table, and only when there is something to tell. Returns the rows written."""
    told = [d for d in decided if d.kind in events.KINDS_TOLD and d.playbook_id is not None]
    extra = list(more)
    if not told and not extra:
        return 0
    connection = s.connection()
    hooks = connection.execute(select(WEBHOOK.c.id, WEBHOOK.c.events, WEBHOOK.c.playbooks)).all()
    if not hooks:
        return 0
    pids = sorted({d.playbook_id for d in told if d.playbook_id} | {e.playbook_id for e in extra if e.playbook_id})
    slugs = _names(connection, PLAYBOOK.c.id, PLAYBOOK.c.slug, pids)
    step_ids = sorted({d.step_id for d in told if d.step_id is not None})
    steps = _names(connection, STEP.c.id, STEP.c.name, step_ids) if step_ids else {}
    rows = []
    for event in extra + [_decision_event(d, steps) for d in told]:
        slug = slugs.get(event.playbook_id) if event.playbook_id is not None else None
        rows += _deliveries(event, slug, hooks, at)
    insert_all(s, DELIVERY, rows)
    return len(rows)


def _names(connection: Connection, id_column: Any, name_column: Any, ids: list[int]) -> dict[int, str]:
    """Each id's name (a playbook's slug, a step's name), read in one query."""
    return dict(connection.execute(select(id_column, name_column).where(one_of(id_column, "ids")), {"ids": ids}).all())


def _decision_event(d: Decision, steps: dict[int, str]) -> events.Event:
    """The event a decision tells of; `steps`: the names of the steps decisions are on."""
    step = steps.get(d.step_id) if d.step_id is not None else None
    return events.Event(events.event_type(d.kind) or "", d.playbook_id, events.decision_data(d, step))


def _deliveries(event: events.Event, slug: str | None, hooks: Sequence[Any], at: datetime) -> list[dict[str, Any]]:
    """One row for each webhook that wants the event (of the playbook `slug`), all under
    one event id; none if no webhook wants it."""
    wanting = [
        hook_id
        for hook_id, wanted, playbooks in hooks
        if event.type in wanted and (playbooks is None or slug in playbooks)
    ]
    if not wanting:
        return []
    body = json.dumps(events.body(event.type, at, slug, event.content()), separators=(",", ":"), default=str)
    event_id = new_event_id()
    return [delivery_row(event_id, hook_id, event, body, at) for hook_id in wanting]


def delivery_row(event_id: str, webhook_id: int, event: events.Event, body: str, at: datetime) -> dict[str, Any]:
    return dict(
        event_id=event_id,
        webhook_id=webhook_id,
        lane=lane_of(webhook_id, event.playbook_id),
        type=event.type,
        body=body,
        status="pending",
        attempts=0,
        created_at=at,
        available_at=at,
        lease_until=None,
        claimed_by=None,
        delivered_at=None,
        error=None,
    )


def free_lanes(now: datetime) -> Any:
    return and_(
        PENDING,
        or_(DELIVERY.c.lease_until.is_(None), DELIVERY.c.lease_until < now),
    )
