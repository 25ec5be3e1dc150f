"""Attested and used (cadence/usage.py): what the AI tools' own records of who used them
leave behind once counted. Counts only: a team's week of a tool (UsageWeek), each usage
source's pull (UsagePull) and the mapping file's logins (UsageLogin, a tool's name for a
Slack person: who a person is, never what they used). No table here holds a person's
usage: the records a pull brings are matched, counted per team and dropped in the pull's
unit of work (storage/usage.py), so neither a row, the export nor a log can show them."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

from storage.models.base import instant, long_text


class UsageWeek(SQLModel, table=True):
    """A team's (a playbook's channel's) week of one tool, as cadence.usage.TeamWeek counts
    it: its people, how many of them used the tool, their active days summed and their
    seats. A pull that covers the week again writes its counts in place of these."""

    __tablename__ = "usage_week"
    __table_args__ = (
        CheckConstraint("active >= 0 AND active <= people", name="active"),
        CheckConstraint("active_days >= active AND active_days <= 7 * active", name="active_days"),
        CheckConstraint("seats >= 0 AND seats <= people", name="seats"),
    )

    channel_id: str = Field(max_length=32, primary_key=True)
    tool: str = Field(max_length=64, primary_key=True)
    week: date = Field(primary_key=True)  # its Monday
    people: int
    active: int
    active_days: int
    seats: int
    pulled_at: datetime = instant()


class UsagePull(SQLModel, table=True):
    """A usage source's pulls: the last day it pulled whole (the next pull starts after
    it), and while it fails, its last error and since when, and whether its owner and the
    curators were told (once a run of failures: a source down for a week is one notice)."""

    __tablename__ = "usage_pull"

    source: str = Field(max_length=64, primary_key=True)
    last_day: Optional[date] = None  # None: never pulled whole
    last_error: Optional[str] = long_text(nullable=True)
    failing_since: Optional[datetime] = instant(nullable=True)  # None: its last pull succeeded
    told: bool = False
    updated_at: datetime = instant()


class UsageLogin(SQLModel, table=True):
    """A row of the mapping file (`rollout usage map FILE`): a tool's login and the Slack
    person it is, for a tool whose records give no email Slack knows. A login is not usage."""

    __tablename__ = "usage_login"

    tool: str = Field(max_length=64, primary_key=True)
    login: str = Field(max_length=255, primary_key=True)
    user_id: str = Field(max_length=32)


class UsageSeat(SQLModel, table=True):
    """A tool's seats in a week (cadence.licenses.SeatWeek): the org's (`function` empty)
    or a function's, and how many of their holders used the tool that week. Counts only,
    never whose seat. NULL seats: the tool lists none (seats unknown, never 0)."""

    __tablename__ = "usage_seat"
    __table_args__ = (
        CheckConstraint("(seats IS NULL) = (active IS NULL)", name="known"),
        CheckConstraint("active >= 0 AND active <= seats", name="active"),
    )

    tool: str = Field(max_length=64, primary_key=True)
    week: date = Field(primary_key=True)  # its Monday
    function: str = Field(max_length=80, primary_key=True)  # "" for the org's seats
    seats: Optional[int] = None
    active: Optional[int] = None
    pulled_at: datetime = instant()


class UsageLostDay(SQLModel, table=True):
    """A day a usage source can never pull whole (sources/usage Pulled.lost: a report of
    last activity dates, whole only for its refresh date, skipped it): a week holding one
    is never counted "without usage". A source's name and a date: nothing of anyone."""

    __tablename__ = "usage_lost_day"

    source: str = Field(max_length=64, primary_key=True)
    day: date = Field(primary_key=True)
