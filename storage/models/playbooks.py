"""A playbook and its parts: its steps and its cycles."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Optional

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.models.base import instant, json_value, long_text, partial

# A channel runs at most one adoption of an origin playbook that is not retired: the
# database holds it (migration 0015), so of concurrent adopts one wins.
RUNS_AN_ADOPTION = text("adopted_origin_id IS NOT NULL AND status <> 'retired'")


class Playbook(SQLModel, table=True):
    __tablename__ = "playbook"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'active', 'paused', 'retired')", name="status"),
        CheckConstraint("kpi_direction IN ('up', 'down')", name="kpi_direction"),
        partial("uq_playbook_adoption", "channel_id", "adopted_origin_id", where=RUNS_AN_ADOPTION, unique=True),
    )

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    slug: str = Field(max_length=64, unique=True)
    title: str = Field(max_length=200)
    function: str = Field(max_length=80)
    channel_id: str = Field(max_length=32, index=True)
    owner_id: str = Field(max_length=32)
    timezone: str = Field(max_length=64)
    status: str = Field(default="draft", max_length=16)
    status_since: Optional[datetime] = instant(nullable=True)  # when it was paused, resumed or retired
    status_reason: Optional[str] = long_text(nullable=True)  # why, in the words of who did it (or Slack's error)
    kpi_name: str = Field(max_length=80)
    kpi_unit: str = Field(default="", max_length=20)
    kpi_direction: str = Field(max_length=4)
    kpi_baseline: float
    kpi_target: float
    guardrail_name: Optional[str] = Field(default=None, max_length=80)
    guardrail_min: Optional[float] = None
    guardrail_max: Optional[float] = None
    rubric_threshold: float
    exception_cap: float
    rules: dict[str, Any] = json_value()
    inputs: list[Any] = json_value()
    outputs: list[Any] = json_value()
    definition: dict[str, Any] = json_value()  # the definition as last loaded, to tell a changed file from a reload
    # registry_version also points at playbook: the cycle is deliberate, so this side is
    # created by ALTER (use_alter) and table sorting needs no guess.
    adopted_from_id: Optional[int] = Field(
        default=None,
        sa_column=Column(
            Integer,
            ForeignKey("registry_version.id", use_alter=True, name="fk_playbook_adopted_from_id_registry_version"),
            nullable=True,
        ),
    )
    # The playbook the adopted version was published from (registry_version.playbook_id),
    # for uq_playbook_adoption: an adoption of any of its versions counts.
    adopted_origin_id: Optional[int] = None
    # The start of the last week the clock closed (its verdicts are recorded): a report for
    # it or an earlier week is refused by the report's own statement. Weeks close in order.
    # Set in the close's transaction before it reads the week's figures (storage.governance,
    # Governance.close_weeks), and read under a lock on this row (storage/report_writes.py, open_week).
    closed_through: Optional[date] = None
    # The adopting team's champion (`champion <@user>`): gets the kit's checklist by DM.
    champion_id: Optional[str] = Field(default=None, max_length=32)
    # When its `handoff` terms began: the revision that added them (storage/playbook_definitions.py,
    # rewrite). The clock escalates one by one only the items logged since; those logged
    # before are told once, in one summary (usecases/escalation.py). None: since the
    # playbook was made (it had them from the start, or before 0053 kept this).
    handoff_since: Optional[datetime] = instant(nullable=True)
    # When that summary was written with its message (None: not yet, or nothing to summarise yet).
    handoff_backlog_at: Optional[datetime] = instant(nullable=True)
    # An adopter's KPI baseline as its baseline week measured it (the week's mean), set by
    # that week's close (usecases/shared/baseline.py); None: declared, not measured.
    baseline_measured: Optional[float] = None
    created_at: datetime = instant()
    updated_at: datetime = instant()


class Step(SQLModel, table=True):
    __tablename__ = "step"
    __table_args__ = (
        UniqueConstraint("playbook_id", "name", name="uq_step_playbook_name"),
        CheckConstraint("mode IN ('human-led', 'collaborative', 'ai-led')", name="mode"),
    )

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    playbook_id: int = Field(foreign_key="playbook.id", index=True)
    name: str = Field(max_length=40)
    position: int
    mode: str = Field(max_length=16)
    pinned: bool = False
    frozen: bool = False
    retired_at: Optional[datetime] = instant(nullable=True)  # removed from the definition; history stays
    # An ai-led step running in its handoff's fallback mode while escalated items wait
    # (cadence/escalation.py, fallback_mode): the mode and since when; `mode` stays ai-led.
    fallback_mode: Optional[str] = Field(default=None, max_length=16)
    fallback_since: Optional[datetime] = instant(nullable=True)


class Cycle(SQLModel, table=True):
    __tablename__ = "cycle"
    __table_args__ = (UniqueConstraint("playbook_id", "number", name="uq_cycle_playbook_number"),)

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    playbook_id: int = Field(foreign_key="playbook.id", index=True)
    number: int
    starts_on: date
    started_by: str = Field(max_length=32)
    created_at: datetime = instant()
    # A pause or retirement ends this run of cycles after this week (its Monday): the
    # cycle it was in is interrupted, and later weeks belong to no cycle until a resume.
    ends_after: Optional[date] = None
    # An adopter's first cycle: the Monday of the baseline week before it, in which the team
    # reports its KPI as it works today (usecases/shared/adoption.py); None: no baseline week.
    baseline_week: Optional[date] = None


class ChecklistMark(SQLModel, table=True):
    """An item of the champion's checklist (the kit's training and checks) marked done, or
    undone, by whom and when: append-only, the latest mark of an item is its state."""

    __tablename__ = "checklist_mark"
    __table_args__ = (CheckConstraint("kind IN ('training', 'check')", name="kind"),)

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    playbook_id: int = Field(foreign_key="playbook.id", index=True)
    kind: str = Field(max_length=8)
    item: str = long_text()  # the item's text as the kit says it
    done: bool
    marked_by: str = Field(max_length=32)
    marked_at: datetime = instant()
