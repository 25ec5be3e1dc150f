"""Webhooks: the systems told of decisions (`rollout webhook add`), and each event's
delivery to each of them, written in the same transaction as the decision it tells of
and sent by the webhooks' own lane of delivery (outbound/webhooks.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Optional

from sqlalchemy import JSON, CheckConstraint, Column, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.models.base import instant, json_value, long_text, partial


class Webhook(SQLModel, table=True):
    """A receiver of events. `secret` signs them: Fernet-encrypted with ROLLOUT_SECRET_KEY
    when that is set ("fernet:..."), else as given ("plain:..."); shown once, never
    exported or logged. `playbooks`: slugs, None for every playbook."""

    __tablename__ = "webhook"
    __table_args__ = (UniqueConstraint("name", name="uq_webhook_name"),)

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    name: str = Field(max_length=40)
    url: str = long_text()
    events: list[Any] = json_value()
    playbooks: Optional[list[Any]] = Field(sa_column=Column(JSON, nullable=True))
    secret: str = long_text()
    created_by: str = Field(max_length=64)
    created_at: datetime = instant()
    last_error: Optional[str] = long_text(nullable=True)
    last_error_at: Optional[datetime] = instant(nullable=True)


PENDING = text("status = 'pending'")
UNFINISHED = text("status IN ('pending', 'failed')")


class WebhookDelivery(SQLModel, table=True):
    """One event to one webhook. `event_id` is its `webhook-id`, the same on every attempt
    (and to every webhook); `body` the exact JSON sent, so every attempt sends the same
    bytes. `lane`: the webhook and the playbook, whose events go in the order of `id`."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("event_id", "webhook_id", name="uq_webhook_delivery_event"),
        # Over the deliveries not yet made (migration 0037): the lane's claims and `webhook
        # list` read only those, and a delivery marked delivered leaves both indexes.
        partial("ix_webhook_delivery_lane", "lane", "id", where=PENDING),
        partial("ix_webhook_delivery_webhook", "webhook_id", "status", where=UNFINISHED),
        CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="status"),
    )

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    event_id: str = Field(max_length=40)
    webhook_id: int = Field(foreign_key="webhook.id")
    lane: str = Field(max_length=40)
    type: str = Field(max_length=24)
    body: str = long_text()
    status: str = Field(default="pending", max_length=10)
    attempts: int = 0
    created_at: datetime = instant()
    available_at: datetime = instant()
    lease_until: Optional[datetime] = instant(nullable=True)
    claimed_by: Optional[str] = Field(default=None, max_length=64)
    delivered_at: Optional[datetime] = instant(nullable=True)
    error: Optional[str] = long_text(nullable=True)
