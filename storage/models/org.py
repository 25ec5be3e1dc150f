"""The organisation: its curators, settings, people's away days and holidays."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import instant, long_text

NAME_LENGTH = 100  # Slack's names are shorter (80 characters); longer ones are cut to this


class RoleGrant(SQLModel, table=True):
    """Curators. Admins are not stored: they come from ROLLOUT_ADMINS."""

    __tablename__ = "role_grant"
    __table_args__ = (
        UniqueConstraint("user_id", "role", name="uq_role_grant_user_role"),
        CheckConstraint("role IN ('curator')", name="role"),
    )

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    user_id: str = Field(max_length=32)
    role: str = Field(max_length=16)
    granted_by: str = Field(max_length=32)
    granted_at: datetime = instant()


class Setting(SQLModel, table=True):
    __tablename__ = "setting"

    key: str = Field(primary_key=True, max_length=64)
    value: str = long_text()  # a channel, a date; or a file kept whole (usage_sources: the usage file as JSON)
    updated_by: str = Field(max_length=32)
    updated_at: datetime = instant()


class Person(SQLModel, table=True):
    """What the bot keeps of a person beyond what Slack says at each request: the days
    they said they are away (`/rollout away`: no check-in DM, reminder or owner DM then),
    since when Slack calls their account deactivated (nothing is sent to them then), and
    their names as Slack last gave them (the clock asks, `user_change` tells), so that
    pages show names without asking Slack."""

    __tablename__ = "person"
    __table_args__ = (CheckConstraint("away_from <= away_until", name="away_in_order"),)

    user_id: str = Field(primary_key=True, max_length=32)
    away_from: Optional[date] = None
    away_until: Optional[date] = None  # the last day away; both or neither are set
    deactivated_at: Optional[datetime] = instant(nullable=True)
    updated_at: datetime = instant()
    display_name: Optional[str] = Field(default=None, max_length=NAME_LENGTH)  # Slack's profile.display_name
    real_name: Optional[str] = Field(default=None, max_length=NAME_LENGTH)  # profile.real_name
    named_at: Optional[datetime] = instant(nullable=True)  # when Slack last said them (None: never asked)


class ChannelName(SQLModel, table=True):
    """A channel's name as Slack last gave it (the clock asks, `channel_rename` tells)."""

    __tablename__ = "channel_name"

    channel_id: str = Field(primary_key=True, max_length=32)
    name: Optional[str] = Field(default=None, max_length=NAME_LENGTH)  # None: Slack would not say
    named_at: datetime = instant()


class Holiday(SQLModel, table=True):
    """A day off for the whole org (`/rollout holiday add`): nothing person-facing goes out
    on it; the Monday nudge and the Thursday check-in move to the next working day."""

    __tablename__ = "holiday"

    day: date = Field(primary_key=True)
    name: str = Field(default="", max_length=80)
    added_by: str = Field(max_length=32)
    added_at: datetime = instant()
