"""What teams report, append-only: KPI readings, check-ins, case counts, rubric scores,
exceptions, guardrail readings, and what they learned. Undo withdraws a report: it is kept,
and no longer counts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field, SQLModel

from storage.models.base import instant, long_text, partial

COUNTS = text("withdrawn_at IS NULL")  # a report counts until it is withdrawn (undo)
FETCHED = text("outcome = 'fetched'")
DEVIATED = text("attestation = 'deviated' AND withdrawn_at IS NULL")  # the exception queue's deviations


def _counting(table: str, reporter: str, within: tuple[str, ...] = ()) -> tuple[Index, ...]:
    """The indexes of a report table, over the reports that count: the latest of a week
    (or of a step's week) is the last entry of its range, and a withdrawn report leaves
    the index, so neither a busy week nor a run of undos makes a read walk past rows
    that do not count. Partial indexes, on PostgreSQL and SQLite alike."""
    return (
        partial(f"ix_{table}_week_counting", "playbook_id", "week_start", *within, "id", where=COUNTS),
        # undo: a person's latest report of the open weeks
        partial(f"ix_{table}_reporter_counting", "playbook_id", reporter, "week_start", "id", where=COUNTS),
    )


def _people(table: str, reporter: str) -> Index:
    """Who reported in a week, over the reports that count: the web view's people per
    week of the org over two years reads this index alone (storage/depth.py; migration
    0032). `withdrawn_at` is in it, always null, because SQLite (3.40) reads the table
    for a column of the index's own condition."""
    return partial(f"ix_{table}_week_people", "week_start", reporter, "withdrawn_at", where=COUNTS)


def _listed(table: str) -> Index:
    """Every report of a playbook's weeks, withdrawn ones too: the web view lists each
    with who sent it (Readouts.report_log) without reading the whole table."""
    return Index(f"ix_{table}_week", "playbook_id", "week_start", "id")


class _Weekly(SQLModel):
    """The columns a row of a playbook's week starts with: a mixin, no table of its own
    (SQLModel makes each table that inherits it its own columns)."""

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    playbook_id: int = Field(foreign_key="playbook.id")
    week_start: date


class _StepWeekly(SQLModel):
    """The columns a report of a step's week starts with (a mixin, as _Weekly)."""

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    playbook_id: int = Field(foreign_key="playbook.id")
    step_id: int = Field(foreign_key="step.id")
    week_start: date


class _WeekNumber(_Weekly):
    """A number of a week a person reports (the KPI, the rest's KPI, the guardrail): each
    its own table of these columns (a mixin, as _Weekly)."""

    value: float
    reported_by: str = Field(max_length=32)
    reported_at: datetime = instant()
    # undo: a withdrawn report is kept, and no longer counts
    withdrawn_at: Optional[datetime] = instant(nullable=True)
    withdrawn_by: Optional[str] = Field(default=None, max_length=32)


class CheckIn(_Weekly, table=True):
    __tablename__ = "checkin"
    __table_args__ = (
        *_counting("checkin", "user_id", ("user_id",)),
        _people("checkin", "user_id"),
        # The exception queue's deviations (storage/exception_items.py): the few check-ins
        # that deviated, not every check-in of a playbook's years (migration 0035).
        partial("ix_checkin_deviated", "playbook_id", "id", where=DEVIATED),
        CheckConstraint("attestation IN ('followed', 'deviated')", name="attestation"),
        CheckConstraint("attestation = 'followed' OR step_id IS NOT NULL", name="deviation_step"),
    )

    user_id: str = Field(max_length=32)
    attestation: str = Field(max_length=10)
    step_id: Optional[int] = Field(default=None, foreign_key="step.id")
    note: Optional[str] = long_text(nullable=True)
    reported_at: datetime = instant()
    # undo: a withdrawn report is kept, and no longer counts
    withdrawn_at: Optional[datetime] = instant(nullable=True)
    withdrawn_by: Optional[str] = Field(default=None, max_length=32)


class KpiReading(_WeekNumber, table=True):
    __tablename__ = "kpi_reading"
    __table_args__ = (
        *_counting("kpi_reading", "reported_by"),
        _listed("kpi_reading"),
        _people("kpi_reading", "reported_by"),
    )


class KpiRestReading(_WeekNumber, table=True):
    """The KPI of the rest of the work, the same week and unit, for a playbook whose KPI
    has `compare` (migration 0050): beside kpi_reading, so every read of the playbook's
    own KPI stays as it was. The latest that counts is the week's."""

    __tablename__ = "kpi_rest_reading"
    __table_args__ = (*_counting("kpi_rest_reading", "reported_by"),)


class GuardrailReading(_WeekNumber, table=True):
    """The guardrail metric of a week (e.g. CSAT), reported by a member or the owner."""

    __tablename__ = "guardrail_reading"
    __table_args__ = (
        *_counting("guardrail_reading", "reported_by"),
        _listed("guardrail_reading"),
        _people("guardrail_reading", "reported_by"),
    )


class ExceptionReport(_StepWeekly, table=True):
    __tablename__ = "exception_report"
    __table_args__ = (
        *_counting("exception_report", "reported_by", ("step_id",)),
        _listed("exception_report"),
        _people("exception_report", "reported_by"),
        # The exception queue's exceptions, each step's oldest first: `status` counts them
        # in this index alone and reads a step's five oldest open ones from its front
        # (storage/exception_items.py, migration 0038). `withdrawn_at` is in it for the
        # reason _people gives.
        partial(
            "ix_exception_report_queue", "playbook_id", "step_id", "reported_at", "id", "withdrawn_at", where=COUNTS
        ),
    )

    reason: str = long_text()
    reported_by: str = Field(max_length=32)
    reported_at: datetime = instant()
    # undo: a withdrawn report is kept, and no longer counts
    withdrawn_at: Optional[datetime] = instant(nullable=True)
    withdrawn_by: Optional[str] = Field(default=None, max_length=32)


class CaseCount(_StepWeekly, table=True):
    __tablename__ = "case_count"
    __table_args__ = (
        *_counting("case_count", "reported_by", ("step_id",)),
        _listed("case_count"),
        _people("case_count", "reported_by"),
        CheckConstraint("cases >= 0", name="nonnegative"),
    )

    cases: int
    reported_by: str = Field(max_length=32)
    reported_at: datetime = instant()
    # undo: a withdrawn report is kept, and no longer counts
    withdrawn_at: Optional[datetime] = instant(nullable=True)
    withdrawn_by: Optional[str] = Field(default=None, max_length=32)


class RubricScore(_StepWeekly, table=True):
    __tablename__ = "rubric_score"
    __table_args__ = (
        *_counting("rubric_score", "reported_by", ("step_id",)),
        _listed("rubric_score"),
        _people("rubric_score", "reported_by"),
        CheckConstraint("score >= 0 AND score <= 1", name="range"),
    )

    score: float
    # `18/20`: 18 of 20 reviewed cases passed (score 0.9); None: a bare score, every case reviewed
    reviewed: Optional[int] = None
    # per rubric dimension, what passed of `reviewed`: `tone:19 accuracy:18` (cadence/dimensions.py);
    # None: a review without dimensions
    dimensions: Optional[str] = long_text(nullable=True)
    # who reviewed (`by @ben @ida`): user ids, space-separated; None: the reporter (cadence/value.py)
    reviewers: Optional[str] = long_text(nullable=True)
    # the week form's "minutes spent reviewing" (net value's oversight, cadence/value.py); None: none typed
    review_minutes: Optional[float] = None
    reported_by: str = Field(max_length=32)
    reported_at: datetime = instant()
    # undo: a withdrawn report is kept, and no longer counts
    withdrawn_at: Optional[datetime] = instant(nullable=True)
    withdrawn_by: Optional[str] = Field(default=None, max_length=32)


class ValueCount(_Weekly, table=True):
    """Events of a playbook's own value measure (`value: {event: ...}` naming no value
    event of its steps or KPI): `count` of them sent in one report, over the API. A
    week's events are the sum of its reports that count."""

    __tablename__ = "value_count"
    __table_args__ = (
        Index("ix_value_count_week", "playbook_id", "week_start", "id"),
        CheckConstraint("count >= 0", name="nonnegative"),
    )

    event: str = Field(max_length=40)
    count: int
    reported_by: str = Field(max_length=32)
    reported_at: datetime = instant()
    withdrawn_at: Optional[datetime] = instant(nullable=True)
    withdrawn_by: Optional[str] = Field(default=None, max_length=32)


class Learning(SQLModel, table=True):
    """What a team learned in a cycle (`/rollout learn`, or the form of the week-4 DM):
    append-only, with who and when. `undo` withdraws one's own: kept, no longer shown."""

    __tablename__ = "learning"
    __table_args__ = (Index("ix_learning_playbook_cycle", "playbook_id", "cycle", "id"),)

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    playbook_id: int = Field(foreign_key="playbook.id")
    cycle: int
    text: str = long_text()
    # The text as the search compares it (cadence.text.folded): case-folded in every script,
    # which SQLite's lower() is not (it lowers A-Z only).
    folded: str = long_text()
    added_by: str = Field(max_length=64)
    added_at: datetime = instant()
    withdrawn_at: Optional[datetime] = instant(nullable=True)
    withdrawn_by: Optional[str] = Field(default=None, max_length=32)


class SourceFetch(_Weekly, table=True):
    """What the clock asked a source for a sourced number of a week (`number`: `kpi`,
    `guardrail`, `cases:<step>`, ...), and what came back: a value (also written as the
    report by `source:<name>`, in the same unit of work) or the error in words. An
    override typed by the owner or a curator is kept here too (`outcome` typed): the
    clock then stops asking. Append-only; no secret is ever in a row."""

    __tablename__ = "source_fetch"
    __table_args__ = (
        Index("ix_source_fetch_week", "playbook_id", "week_start", "number", "id"),
        Index("ix_source_fetch_week_start", "week_start"),
        # A number is fetched once a week: a second clock's value (two clocks at once) is
        # refused with its reports, so exceptions counted from a source never count twice.
        partial("ux_source_fetch_fetched", "playbook_id", "week_start", "number", where=FETCHED, unique=True),
        CheckConstraint("outcome IN ('fetched', 'failed', 'typed')", name="outcome"),
    )

    number: str = Field(max_length=60)
    source: str = Field(max_length=32)
    asked: str = long_text()  # the query, or the JSON path
    outcome: str = Field(max_length=10)
    value: Optional[float] = None
    error: Optional[str] = long_text(nullable=True)
    fetched_at: datetime = instant()


class ExceptionItemEvent(SQLModel, table=True):
    """A move of an item of the exception queue (docs/playbooks.md, "The exception queue"). An item
    is a logged exception (`exception_report`) or a member's deviation (a `checkin` that
    deviated), and is open until moved: acknowledged (still open), then resolved or
    accepted, each with a note. Append-only with who and when; `seq` numbers an item's
    moves from 1, so of two concurrent moves from the same state one is refused by the
    unique key. A withdrawn report withdraws its item (its row says so)."""

    __tablename__ = "exception_item_event"
    __table_args__ = (
        Index("ux_exception_item_event_seq", "source", "report_id", "seq", unique=True),
        Index("ix_exception_item_event_playbook", "playbook_id", "id"),
        CheckConstraint("source IN ('exception', 'deviation')", name="source"),
        CheckConstraint("state IN ('acknowledged', 'resolved', 'accepted')", name="state"),
    )

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    playbook_id: int = Field(foreign_key="playbook.id")
    source: str = Field(max_length=10)  # exception | deviation: the table `report_id` is of
    report_id: int
    seq: int
    state: str = Field(max_length=12)
    note: Optional[str] = long_text(nullable=True)
    by: str = Field(max_length=64)
    at: datetime = instant()


class ExceptionEscalation(SQLModel, table=True):
    """An exception item escalated (docs/playbooks.md, "Escalation with a clock"): by the clock
    when its SLA ran out unanswered, or by a person with a reason. `after_move` is how many
    moves the item had then; unique with the item, so an item is escalated once per state
    (two clocks, a restart: one row). A move after it ends it; `cleared_*` is its own
    Acknowledge, for an item acknowledged before it was escalated."""

    __tablename__ = "exception_escalation"
    __table_args__ = (
        Index("ux_exception_escalation_item", "source", "report_id", "after_move", unique=True),
        Index("ix_exception_escalation_playbook", "playbook_id", "id"),
        CheckConstraint("source IN ('exception', 'deviation')", name="source"),
    )

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    key: str = Field(max_length=80, unique=True)  # cadence/keys.py's escalation key: the outbox's too
    playbook_id: int = Field(foreign_key="playbook.id")
    source: str = Field(max_length=10)  # exception | deviation
    report_id: int
    after_move: int
    reason: str = long_text()
    by: str = Field(max_length=64)  # a user id, or "clock"
    at: datetime = instant()
    cleared_by: Optional[str] = Field(default=None, max_length=64)
    cleared_at: Optional[datetime] = instant(nullable=True)


CHECKED = text("outcome <> 'failed'")


class InputCheckResult(_Weekly, table=True):
    """What the clock asked about one of a playbook's inputs in a week (its `check`,
    docs/sources.md "Input checks"), and what came back: a value, `met` or `below` the
    min it was held to, or the error in words (`failed`: asked again until the week
    closes). Append-only; no secret is ever in a row."""

    __tablename__ = "input_check"
    __table_args__ = (
        Index("ix_input_check_week", "playbook_id", "week_start", "input", "id"),
        Index("ix_input_check_week_start", "week_start"),
        # an input is checked once a week: a second clock's result is refused, so its DM is never sent twice
        partial("ux_input_check_settled", "playbook_id", "week_start", "input", where=CHECKED, unique=True),
        CheckConstraint("outcome IN ('met', 'below', 'failed')", name="outcome"),
    )

    input: str = Field(max_length=200)
    source: str = Field(max_length=32)
    asked: str = long_text()  # the query, or the JSON path
    minimum: float
    outcome: str = Field(max_length=10)
    value: Optional[float] = None
    error: Optional[str] = long_text(nullable=True)
    checked_at: datetime = instant()
