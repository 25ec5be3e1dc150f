"""Strict boundaries' counts (cadence/boundaries.py): each week's out-of-scope count of a
step, the cases routed to people because they fall outside its declared boundaries.
Append-only: the latest row of a (step, week) counts, as a report's does."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel

from storage.models.base import instant


class OutOfScopeCount(SQLModel, table=True):
    """`/rollout cases <playbook> <step> <count> out:N`: who said how many of the step's cases
    in the week were out of scope, and when."""

    __tablename__ = "out_of_scope_count"
    __table_args__ = (
        CheckConstraint("count >= 0", name="nonnegative"),
        Index("ix_out_of_scope_count_week", "playbook_id", "week_start", "id"),
    )

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    playbook_id: int = Field(foreign_key="playbook.id")
    step_id: int = Field(foreign_key="step.id")
    week_start: date
    count: int
    reported_by: str = Field(max_length=32)
    reported_at: datetime = instant()
