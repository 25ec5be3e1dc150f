"""The statements that write a report: each only while its week is open (open_week),
one at a time (STATEMENTS, ADD_TO for value events) or many of a kind at once (BATCHED,
the clock's sourced numbers), and the playbook locks taken before them. Used by
storage/weekly_reports.py's add_reports, the one write path of every report."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, bindparam, exists, func, insert
from sqlalchemy import select as sa_select
from sqlmodel import select

from cadence.report_kinds import ReportKind
from storage.models import table_of
from storage.models.reports import (
    CaseCount,
    CheckIn,
    ExceptionReport,
    GuardrailReading,
    KpiReading,
    KpiRestReading,
    RubricScore,
    ValueCount,
)
from storage.playbooks import PLAYBOOK
from storage.types import one_of


def open_week() -> Any:
    """The playbook `playbook_id` if the week `week_start` is still open: later than the
    last week the clock closed (playbook.closed_through). Every report's write reads it in
    its own statement and writes nothing without it.

    Why that is enough: the clock's close sets closed_through on the playbook row first,
    in the transaction that then reads the week's figures and records its verdicts
    (Governance.close_weeks). On PostgreSQL that UPDATE locks the row, and this read
    takes FOR SHARE, which it conflicts with: a report that took its lock first is
    committed before the close reads the figures, so they count it; one that comes after
    waits for the close's commit, and PostgreSQL then reads the row again and checks this
    condition on its new version, so the report finds its week closed and writes nothing.
    On SQLite the close holds the one write lock from that UPDATE to its commit, and a
    report's statement, a write, runs wholly before or wholly after it."""
    closed_through = PLAYBOOK.c.closed_through
    return select(PLAYBOOK.c.id).where(
        PLAYBOOK.c.id == bindparam("playbook_id"),
        closed_through.is_(None) | (closed_through < bindparam("week_start", type_=Date)),
    )


def add_report_if_open(table: Any, columns: tuple[str, ...], returning: bool = True) -> Any:
    """A report, inserted only if its week is open (open_week, whose lock it takes on
    PostgreSQL): its id back if it was (`returning`; without, for a batch run as one
    executemany, whose row count says how many were written)."""
    still_open = exists(open_week().with_for_update(read=True))
    report = select(*(bindparam(name, type_=table.c[name].type) for name in columns)).where(still_open)
    statement = insert(table).from_select(list(columns), report)
    return statement.returning(table.c.id) if returning else statement


REPORTED = ("week_start", "reported_by", "reported_at")


KPI_READING = add_report_if_open(table_of(KpiReading), ("playbook_id", "value", *REPORTED))


KPI_REST_READING = add_report_if_open(table_of(KpiRestReading), ("playbook_id", "value", *REPORTED))


GUARDRAIL_READING = add_report_if_open(table_of(GuardrailReading), ("playbook_id", "value", *REPORTED))


CHECKIN = add_report_if_open(
    table_of(CheckIn), ("playbook_id", "week_start", "user_id", "attestation", "step_id", "note", "reported_at")
)


EXCEPTION = add_report_if_open(table_of(ExceptionReport), ("playbook_id", "step_id", "reason", *REPORTED))


CASE_COUNT = add_report_if_open(table_of(CaseCount), ("playbook_id", "step_id", "cases", *REPORTED))


RUBRIC = ("playbook_id", "step_id", "score", "reviewed", "dimensions", "reviewers", "review_minutes", *REPORTED)
RUBRIC_SCORE = add_report_if_open(table_of(RubricScore), RUBRIC)


def add_to_count_if_open(table: Any, column: str, on_step: bool) -> Any:
    """A value event's report: the week's latest count (of the step's cases, or the KPI)
    plus `count`, inserted only if the week is open. Run after the playbook's row is
    locked for update (LOCK_PLAYBOOK), so two events of one playbook add up in turn."""
    where = [table.c.playbook_id == bindparam("playbook_id"), table.c.week_start == bindparam("week_start")]
    if on_step:
        where.append(table.c.step_id == bindparam("step_id"))
    latest = (
        select(table.c[column])
        .where(*where, table.c.withdrawn_at.is_(None))
        .order_by(table.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    total = func.coalesce(latest, 0) + bindparam("count", type_=table.c[column].type)
    columns = ["playbook_id", *(["step_id"] if on_step else []), "week_start", "reported_by", "reported_at"]
    values = [bindparam(name, type_=table.c[name].type) for name in columns]
    report = sa_select(*values, total).where(exists(open_week()))  # sqlmodel's select: not for *values
    return insert(table).from_select([*columns, column], report).returning(table.c.id)


# Many reports of one kind (the clock's sourced numbers): one executemany a kind, however
# many playbooks (docs/sources.md; bench/sources.py counts the statements).
BATCHED = {
    ReportKind.KPI: add_report_if_open(table_of(KpiReading), ("playbook_id", "value", *REPORTED), returning=False),
    ReportKind.GUARDRAIL: add_report_if_open(
        table_of(GuardrailReading), ("playbook_id", "value", *REPORTED), returning=False
    ),
    ReportKind.REST: add_report_if_open(table_of(KpiRestReading), ("playbook_id", "value", *REPORTED), returning=False),
    ReportKind.EXCEPTION: add_report_if_open(
        table_of(ExceptionReport), ("playbook_id", "step_id", "reason", *REPORTED), returning=False
    ),
    ReportKind.CASES: add_report_if_open(
        table_of(CaseCount), ("playbook_id", "step_id", "cases", *REPORTED), returning=False
    ),
    ReportKind.RUBRIC: add_report_if_open(table_of(RubricScore), RUBRIC, returning=False),
}
# The playbooks locked for share in the order of the ids, and the weeks they closed
# through read in the same statement (a batch names a closed week before sending it).
SHARE_PLAYBOOKS = (
    sa_select(PLAYBOOK.c.id, PLAYBOOK.c.closed_through)
    .where(one_of(PLAYBOOK.c.id, "ids"))
    .order_by(PLAYBOOK.c.id)
    .with_for_update(read=True)
)
LOCK_PLAYBOOK = select(PLAYBOOK.c.id).where(PLAYBOOK.c.id == bindparam("playbook_id")).with_for_update()
SHARE_PLAYBOOK = select(PLAYBOOK.c.id).where(PLAYBOOK.c.id == bindparam("playbook_id")).with_for_update(read=True)
ADD_TO = {
    ReportKind.CASES: add_to_count_if_open(table_of(CaseCount), "cases", on_step=True),
    ReportKind.KPI: add_to_count_if_open(table_of(KpiReading), "value", on_step=False),
}

VALUE_COUNT = add_report_if_open(table_of(ValueCount), ("playbook_id", "event", "count", *REPORTED))

STATEMENTS = {
    ReportKind.VALUE: VALUE_COUNT,
    ReportKind.KPI: KPI_READING,
    ReportKind.REST: KPI_REST_READING,
    ReportKind.GUARDRAIL: GUARDRAIL_READING,
    ReportKind.CHECKIN: CHECKIN,
    ReportKind.EXCEPTION: EXCEPTION,
    ReportKind.CASES: CASE_COUNT,
    ReportKind.RUBRIC: RUBRIC_SCORE,
}
