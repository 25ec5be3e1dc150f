"""Who may come in besides Slack: the reporting API's tokens and idempotency keys, the
web view's one-time links and sessions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import JSON, BigInteger, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import instant, json_value


class ApiToken(SQLModel, table=True):
    """A token of the reporting API (`rollout token create`). Only its SHA-256 is kept: the
    token itself is shown once. Scoped to playbooks (None: every one) and report kinds,
    and to reading; revoked at once by `rollout token revoke`."""

    __tablename__ = "api_token"
    __table_args__ = (
        UniqueConstraint("name", name="uq_api_token_name"),
        UniqueConstraint("token_hash", name="uq_api_token_hash"),
    )

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    name: str = Field(max_length=24)  # reports it makes say "token:<name>" (reported_by holds 32)
    token_hash: str = Field(max_length=64)
    playbooks: Optional[list[Any]] = Field(sa_column=Column(JSON, nullable=True))  # slugs; None: all
    kinds: list[Any] = json_value()
    can_read: bool = False
    created_by: str = Field(max_length=64)
    created_at: datetime = instant()
    last_used_at: Optional[datetime] = instant(nullable=True)
    revoked_at: Optional[datetime] = instant(nullable=True)


class ApiReportKey(SQLModel, table=True):
    """The idempotency keys a token sent with its reports: a report whose key the token
    used before is a duplicate, stored once and answered as the first time, if it is the
    same report (`report_hash`, the SHA-256 of the fields it was sent with; None for a key
    stored before it was kept, which any report matches). `key` is the token's id and its
    key (`<id>:<key>`), one unique column for the insert that decides."""

    __tablename__ = "api_report_key"

    key: str = Field(primary_key=True, max_length=220)
    token_id: int = Field(foreign_key="api_token.id")
    week_start: date
    counts_for: str = Field(max_length=200)
    created_at: datetime = instant()
    report_hash: Optional[str] = Field(default=None, max_length=64)


class ApiRate(SQLModel, table=True):
    """The reporting API's rate per token, shared by every process on the database: how
    many requests the token made in its latest second (`at_second`, seconds since the epoch
    by the bot's clock). One row a token, counted and moved to a new second by one
    UPSERT (storage/api_tokens.py, ApiTokens.count_request): an old second is overwritten,
    never kept."""

    __tablename__ = "api_rate"

    token_id: int = Field(primary_key=True, foreign_key="api_token.id")
    at_second: int = Field(sa_column=Column(BigInteger, nullable=False))
    requests: int


class WebLogin(SQLModel, table=True):
    """A one-time link to the web view (`/rollout web`): only its SHA-256 is kept, it is
    good for ten minutes, and once."""

    __tablename__ = "web_login"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(max_length=32)
    expires_at: datetime = instant()
    used_at: Optional[datetime] = instant(nullable=True)


class WebSession(SQLModel, table=True):
    """A session of the web view, from sign-in to sign-out: the cookie carries its id,
    signed; only the id's SHA-256 is kept. Sign-out deletes the row, so the cookie, and
    any copy of it, is refused from then on, as does its person's deactivation in Slack
    (`user_change`, usecases/people.py); a row past `expires_at` (12 hours after
    sign-in) is refused too, and deleted at the next sign-in."""

    __tablename__ = "web_session"

    session_hash: str = Field(primary_key=True, max_length=64)
    user_id: str = Field(max_length=32)
    expires_at: datetime = instant()
