"""What the processes keep so that each thing is done once and each process sees the
others: cadence work, the outbox, requests seen, heartbeats, membership changes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel

from storage.models.base import instant, json_value, long_text


class CadenceJob(SQLModel, table=True):
    """One unit of cadence work, done or skipped, under its idempotency key.

    The unique key is what makes the tick idempotent: a second tick (or a second
    clock process) inserting the same key inserts nothing, and so enqueues nothing.
    """

    __tablename__ = "cadence_job"
    __table_args__ = (
        Index("ix_cadence_job_cursor", "playbook_id", "kind", "week_start"),
        CheckConstraint("status IN ('done', 'skipped')", name="status"),
    )

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=16)
    playbook_id: Optional[int] = Field(default=None, foreign_key="playbook.id")
    week_start: Optional[date] = None
    user_id: Optional[str] = Field(default=None, max_length=32)
    due_at: datetime = instant()
    status: str = Field(max_length=8)
    recorded_at: datetime = instant()
    note: Optional[str] = long_text(nullable=True)


class ReadinessNotice(SQLModel, table=True):
    """A playbook owed one notice of what the readiness rules changed in issue 81 now find
    missing (migration 0063): the clock sends it once and deletes the row with its record."""

    __tablename__ = "readiness_notice"

    playbook_id: int = Field(primary_key=True, foreign_key="playbook.id", sa_column_kwargs={"autoincrement": False})


class OutboxMessage(SQLModel, table=True):
    """A message the bot sends on its own, written in the same transaction as the state
    change that caused it and delivered later by the dispatcher (slack_api/dispatch.py)."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_due", "status", "available_at", "id"),
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),
    )

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    key: str = Field(max_length=220, unique=True)
    method: str = Field(max_length=40)  # chat.postMessage | chat.update | views.publish
    channel: str = Field(max_length=32)  # a channel id, or a user id for a DM
    payload: dict[str, Any] = json_value()
    status: str = Field(default="pending", max_length=8)
    attempts: int = 0
    created_at: datetime = instant()
    available_at: datetime = instant()
    lease_until: Optional[datetime] = instant(nullable=True)
    claimed_by: Optional[str] = Field(default=None, max_length=64)
    in_flight_since: Optional[datetime] = instant(nullable=True)  # a send whose outcome is not known yet
    sent_at: Optional[datetime] = instant(nullable=True)
    slack_channel: Optional[str] = Field(default=None, max_length=32)
    slack_ts: Optional[str] = Field(default=None, max_length=32)
    error: Optional[str] = long_text(nullable=True)


class SeenRequest(SQLModel, table=True):
    """Requests already handled, by signature (replays), by event id (Slack's retries)
    and by a form's view (`view:…`, its id and hash: a second click on *Create*).
    Kept a day: Slack refuses signatures older than five minutes anyway."""

    __tablename__ = "seen_request"

    key: str = Field(primary_key=True, max_length=120)
    seen_at: datetime = instant()


class FormTime(SQLModel, table=True):
    """A form the bot opened for a person (views.open's view id, by the person it opened
    for), the playbook it is for if its view names one (cadence/setup_effort.py,
    playbook_of; None: about no playbook, or opened before migration 0068) and when its
    last submission came, if one did: what an adopter's active setup time is measured
    from (usecases/shared/setup_effort.py). The playbook is bookkeeping of what the view
    said, not a reference: no foreign key, so keeping a form's time never waits on, or
    fails for, the playbook's row."""

    __tablename__ = "form_time"
    __table_args__ = (Index("ix_form_time_playbook_opened", "playbook_id", "opened_at"),)

    view_id: str = Field(primary_key=True, max_length=32)
    user_id: str = Field(max_length=32)
    callback_id: str = Field(default="", max_length=64)
    playbook_id: Optional[int] = None
    opened_at: datetime = instant()
    submitted_at: Optional[datetime] = instant(nullable=True)


class SetupSaid(SQLModel, table=True):
    """What an adopting playbook's champion (else owner) said of its setup, asked once at
    its first check-in answered (cadence/setup_said.py): the minutes it took all in and
    whether a meeting was needed to understand it; one answer a playbook (its key)."""

    __tablename__ = "setup_said"
    __table_args__ = (CheckConstraint("minutes BETWEEN 1 AND 2400", name="minutes"),)

    playbook_id: int = Field(foreign_key="playbook.id", primary_key=True)
    minutes: int
    meeting: bool
    said_by: str = Field(max_length=32)
    said_at: datetime = instant()


class Heartbeat(SQLModel, table=True):
    """When each long-running part (the clock) last finished its work: a liveness signal
    that any process can read, so /metrics and /healthz of the web process see the clock."""

    __tablename__ = "heartbeat"

    name: str = Field(primary_key=True, max_length=32)
    at: datetime = instant()


class MembershipChange(SQLModel, table=True):
    """How often Slack has told any process that a channel's membership changed (someone
    joined or left): each process keeps a team list only while this number stands, so a
    change seen by one process reaches every other at once (slack_api/members.py)."""

    __tablename__ = "membership_change"

    channel_id: str = Field(primary_key=True, max_length=32)
    version: int = Field(default=0)
    changed_at: datetime = instant()
