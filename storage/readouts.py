"""Readouts: the digest's, the web view's and the exports' reads across many reports at
once, each a single query, whatever the org's size. The CSV export itself is
storage/csv_export.py's (a base of Readouts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    Float,
    Integer,
    Text,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    null,
    select,
    tuple_,
    union_all,
)
from sqlmodel import col

from cadence.report_kinds import ReportKind
from storage import counting
from storage.csv_export import CsvExport
from storage.db import Bind, engine_of, reading
from storage.models import table_of
from storage.models.bookkeeping import CadenceJob
from storage.models.governance import MODE_CHANGES, CycleResult, Decision, RegistryVersion, StepVerdict
from storage.models.playbooks import Playbook
from storage.models.reports import CaseCount, CheckIn, ExceptionReport, GuardrailReading, KpiReading, RubricScore
from storage.types import one_of

# Literal kind, so the partial index serves (see models). No condition on the playbook:
# it would lead SQLite's planner to the index by playbook, which holds every decision.
_MODE_CHANGES_BETWEEN = (
    select(Decision)
    .where(
        MODE_CHANGES,
        col(Decision.decided_at) > bindparam("start", type_=table_of(Decision).c.decided_at.type),
        col(Decision.decided_at) <= bindparam("end", type_=table_of(Decision).c.decided_at.type),
    )
    .order_by(col(Decision.id))
)

# The org's weeks through ix_step_verdict_week: those weeks' verdicts, not the table.
_EXCEPTION_RATIOS = (
    select(col(StepVerdict.week_start), func.sum(col(StepVerdict.exceptions)), func.sum(col(StepVerdict.cases)))
    .where(
        one_of(col(StepVerdict.week_start), "weeks", Date()),
        col(StepVerdict.cases).is_not(None),
    )
    .group_by(col(StepVerdict.week_start))
)


_SOURCED = {
    ReportKind.KPI: table_of(KpiReading),
    ReportKind.GUARDRAIL: table_of(GuardrailReading),
    ReportKind.CASES: table_of(CaseCount),
    ReportKind.RUBRIC: table_of(RubricScore),
    ReportKind.EXCEPTION: table_of(ExceptionReport),
}


def _label(kind: ReportKind) -> str:
    """A kind as the web view and history name it."""
    return "KPI" if kind == ReportKind.KPI else kind.value


def _report_sources(sqlite: bool) -> Any:
    """Who reported a playbook's numbers of some weeks, and how many, most first (bound:
    playbook_id, since, until). Counted table by table, so the union carries each table's
    counts rather than every report for one grouping over them all: `history` asks on
    every request, and a busy playbook has thousands. Built once: composing the six
    SELECTs anew cost history more than running them.

    On SQLite the weeks' bounds are marked likely true, so its planner counts along the
    reporter index (playbook, reporter, week) in reporter order rather than taking the
    week's rows by the week index and sorting them into groups: half the time on a busy
    week (docs/architecture.md, kept for speed). PostgreSQL plans it well by itself."""

    def weeks(bound: Any) -> Any:
        return func.likelihood(bound, literal_column("0.9375")) if sqlite else bound

    parts = [
        select(table.c.reported_by.label("by"), literal(_label(kind)).label("kind"), func.count().label("n"))
        .where(
            table.c.playbook_id == bindparam("playbook_id"),
            weeks(table.c.week_start >= bindparam("since", type_=Date)),
            weeks(table.c.week_start <= bindparam("until", type_=Date)),
            table.c.withdrawn_at.is_(None),
        )
        .group_by(table.c.reported_by)
        for kind, table in _SOURCED.items()
    ]
    counts = union_all(*parts).subquery()
    return select(counts.c.by, counts.c.kind, counts.c.n).order_by(counts.c.n.desc(), counts.c.by, counts.c.kind)


_REPORT_SOURCES = {True: _report_sources(sqlite=True), False: _report_sources(sqlite=False)}


@dataclass(frozen=True)
class ReportEntry:
    """One report, as the web view lists it with its provenance (Readouts.report_log)."""

    kind: str  # KPI, guardrail, cases, rubric or exception
    week_start: date
    step_id: int | None
    number: float | None  # the value, count or score; None for an exception
    reason: str | None  # an exception's
    reported_by: str
    reported_at: datetime
    withdrawn_at: datetime | None
    withdrawn_by: str | None


class Readouts(CsvExport):
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def kpi_series(self, playbook_ids: list[int], weeks: list[date]) -> dict[tuple[int, date], float]:
        """The week's KPI (its latest report) for each playbook and week."""
        if not playbook_ids or not weeks:
            return {}
        with reading(self.bind) as session:
            return counting.latest(
                session.connection(),
                KpiReading,
                col(KpiReading.value),
                keys=[(p, w) for p in playbook_ids for w in weeks],
            )

    def checkin_counts(self, weeks: list[tuple[int, date]]) -> dict[int, tuple[int, int]]:
        """Per playbook, for its week in `weeks`: (members DMed a check-in, members who checked in)."""
        if not weeks:
            return {}
        playbook_ids = [pid for pid, _ in weeks]
        with reading(self.bind) as s:
            sent: dict[int, int] = dict(
                s.execute(
                    select(col(CadenceJob.playbook_id), func.count())
                    .where(
                        tuple_(col(CadenceJob.playbook_id), col(CadenceJob.week_start)).in_(weeks),
                        col(CadenceJob.kind) == "checkin",
                        col(CadenceJob.status) == "done",
                        col(CadenceJob.user_id).is_not(None),
                    )
                    .group_by(col(CadenceJob.playbook_id))
                ).all()
            )
            answered: dict[int, int] = dict(
                s.execute(
                    select(col(CheckIn.playbook_id), func.count(func.distinct(col(CheckIn.user_id))))
                    .where(
                        tuple_(col(CheckIn.playbook_id), col(CheckIn.week_start)).in_(weeks),
                        col(CheckIn.withdrawn_at).is_(None),
                    )
                    .group_by(col(CheckIn.playbook_id))
                ).all()
            )
        return {pid: (sent.get(pid, 0), answered.get(pid, 0)) for pid in playbook_ids}

    def attestation_counts(self, playbook_id: int, weeks: list[date]) -> tuple[int, int]:
        """Over these weeks of a playbook: (check-ins asked, check-ins answered). Asked: the
        check-in DMs sent, which go to no one away; answered: the people asked who checked
        in that week (a check-in by someone not asked counts for neither)."""
        return self.attestation_counts_of({playbook_id: weeks})[playbook_id]

    def attestation_counts_of(self, weeks: dict[int, list[date]]) -> dict[int, tuple[int, int]]:
        """The same for each playbook over its weeks (by id), in two reads however many:
        each of every playbook's weeks read, and only the playbook's own counted."""
        wanted = {(pid, week) for pid, starts in weeks.items() for week in starts}
        found = {pid: [0, 0] for pid in weeks}
        if not wanted:
            return {pid: (0, 0) for pid in weeks}
        values = {"pids": sorted({pid for pid, _ in wanted}), "weeks": sorted({week for _, week in wanted})}
        with reading(self.bind) as s:
            sent = s.execute(
                select(col(CadenceJob.playbook_id), col(CadenceJob.week_start), func.count())
                .where(
                    one_of(col(CadenceJob.playbook_id), "pids"),
                    one_of(col(CadenceJob.week_start), "weeks"),
                    col(CadenceJob.kind) == "checkin",
                    col(CadenceJob.status) == "done",
                    col(CadenceJob.user_id).is_not(None),
                )
                .group_by(col(CadenceJob.playbook_id), col(CadenceJob.week_start)),
                values,
            ).all()
            was_asked = (
                select(col(CadenceJob.id))
                .where(
                    col(CadenceJob.playbook_id) == col(CheckIn.playbook_id),
                    col(CadenceJob.week_start) == col(CheckIn.week_start),
                    col(CadenceJob.user_id) == col(CheckIn.user_id),
                    col(CadenceJob.kind) == "checkin",
                    col(CadenceJob.status) == "done",
                )
                .exists()
            )
            answered = s.execute(
                select(
                    col(CheckIn.playbook_id), col(CheckIn.week_start), func.count(func.distinct(col(CheckIn.user_id)))
                )
                .where(
                    one_of(col(CheckIn.playbook_id), "pids"),
                    one_of(col(CheckIn.week_start), "weeks"),
                    col(CheckIn.withdrawn_at).is_(None),
                    was_asked,
                )
                .group_by(col(CheckIn.playbook_id), col(CheckIn.week_start)),
                values,
            ).all()
        for index, rows in enumerate((sent, answered)):
            for pid, week, count in rows:
                if (pid, week) in wanted:
                    found[pid][index] += int(count)
        return {pid: (asked, checked) for pid, (asked, checked) in found.items()}

    def reasons(self, weeks: list[tuple[int, date]]) -> list[tuple[int, int | None, str, str]]:
        """The deviation notes and exception reasons of these playbook-weeks that still
        count: (playbook id, step id, "deviation" or "exception", the text)."""
        if not weeks:
            return []
        with reading(self.bind) as s:
            exceptions = s.execute(
                select(
                    col(ExceptionReport.playbook_id), col(ExceptionReport.step_id), col(ExceptionReport.reason)
                ).where(
                    tuple_(col(ExceptionReport.playbook_id), col(ExceptionReport.week_start)).in_(weeks),
                    col(ExceptionReport.withdrawn_at).is_(None),
                )
            ).all()
            deviations = s.execute(
                select(col(CheckIn.playbook_id), col(CheckIn.step_id), col(CheckIn.note)).where(
                    tuple_(col(CheckIn.playbook_id), col(CheckIn.week_start)).in_(weeks),
                    col(CheckIn.attestation) == "deviated",
                    col(CheckIn.withdrawn_at).is_(None),
                    col(CheckIn.note).is_not(None),
                )
            ).all()
        return [(p, s_, "exception", text) for p, s_, text in exceptions] + [
            (p, s_, "deviation", text) for p, s_, text in deviations
        ]

    def attestation_rates(self, weeks: list[date]) -> dict[date, float]:
        """The org's attestation rate per week: the people asked (check-in DMs sent) who
        checked in, over the people asked."""
        if not weeks:
            return {}
        asked = (
            select(col(CadenceJob.playbook_id), col(CadenceJob.week_start), col(CadenceJob.user_id))
            .where(
                one_of(col(CadenceJob.week_start), "weeks", Date()),
                col(CadenceJob.kind) == "checkin",
                col(CadenceJob.status) == "done",
                col(CadenceJob.user_id).is_not(None),
            )
            .subquery()
        )
        answered = (
            select(col(CheckIn.id))
            .where(
                col(CheckIn.playbook_id) == asked.c.playbook_id,
                col(CheckIn.week_start) == asked.c.week_start,
                col(CheckIn.user_id) == asked.c.user_id,
                col(CheckIn.withdrawn_at).is_(None),
            )
            .exists()
        )
        query = select(asked.c.week_start, func.count(), func.count().filter(answered)).group_by(asked.c.week_start)
        with reading(self.bind) as s:
            rows = s.connection().execute(query, {"weeks": weeks}).all()
        return {week: answered_ / total for week, total, answered_ in rows if total}

    def report_sources(self, playbook_id: int, since: date, until: date | None = None) -> list[tuple[str, str, int]]:
        """Who reported the playbook's numbers of the weeks from `since` (to `until`, if
        given), reports that still count: (reported_by, kind, how many), most first. A
        person's id or `token:<name>`."""
        parameters = {"playbook_id": playbook_id, "since": since, "until": until or date.max}
        with reading(self.bind) as s:
            connection = s.connection()
            query = _REPORT_SOURCES[connection.dialect.name == "sqlite"]
            return [(by, kind, int(n)) for by, kind, n in connection.execute(query, parameters)]

    def report_log(self, playbook_id: int, since: date, until: date, limit: int) -> list[ReportEntry]:
        """The playbook's reports of the weeks from `since` to `until`, newest first, at most `limit`:
        each with who reported it (a person's id or `token:<name>`), when, and whether it
        was withdrawn and by whom. Each table's newest `limit` first, through its index by
        playbook and week, so a long history is not sorted whole."""
        parts = []
        for kind, table in _SOURCED.items():
            number = {
                ReportKind.KPI: "value",
                ReportKind.GUARDRAIL: "value",
                ReportKind.CASES: "cases",
                ReportKind.RUBRIC: "score",
            }.get(kind)
            parts.append(
                select(
                    table.c.id,
                    literal(_label(kind)).label("kind"),
                    table.c.week_start,
                    (table.c.step_id if "step_id" in table.c else cast(null(), Integer)).label("step_id"),
                    cast(table.c[number] if number else null(), Float).label("number"),
                    (table.c.reason if kind == ReportKind.EXCEPTION else cast(null(), Text)).label("reason"),
                    table.c.reported_by,
                    table.c.reported_at,
                    table.c.withdrawn_at,
                    table.c.withdrawn_by,
                )
                .where(table.c.playbook_id == playbook_id, table.c.week_start.between(since, until))
                .order_by(table.c.week_start.desc(), table.c.id.desc())
                .limit(limit)
                .subquery()
                .select()
            )
        reports = union_all(*parts).subquery()
        query = (
            select(*(c for c in reports.c if c.name != "id"))
            .order_by(reports.c.reported_at.desc(), reports.c.kind, reports.c.id.desc())
            .limit(limit)
        )
        with reading(self.bind) as s:
            return [ReportEntry(*row) for row in s.connection().execute(query)]

    def exception_ratios(self, weeks: list[date]) -> dict[date, float]:
        """The org's exception ratio per closed week: all exceptions over all cases."""
        with reading(self.bind) as session:
            rows = session.connection().execute(_EXCEPTION_RATIOS, {"weeks": weeks}).all()
        return {week: exceptions / cases for week, exceptions, cases in rows if cases}

    def mode_changes_between(self, playbook_ids: list[int], start: datetime, end: datetime) -> list[Decision]:
        """The mode changes of these playbooks decided in (start, end], consecutive digests
        sharing none: the org's changes of the week, through ix_decision_mode_changes, and
        these playbooks' picked here (a week's changes are few), not each playbook's record."""
        if not playbook_ids:
            return []
        wanted = set(playbook_ids)
        with reading(self.bind) as s:
            changes = s.execute(_MODE_CHANGES_BETWEEN, {"start": start, "end": end}).scalars()
            return [d for d in changes if d.playbook_id in wanted]

    def org_counts(self, since: datetime, until: datetime) -> dict[str, int]:
        """Cycles completed and versions published in (since, until] and in all until then,
        and adoptions. Consecutive digests pass consecutive windows, so each cycle and
        each version is counted in exactly one digest: a cycle in the one whose window
        its last week closed in, however late the clock recorded it."""
        closed = func.coalesce(col(CycleResult.closed_at), col(CycleResult.recorded_at))
        with reading(self.bind) as s:
            cycles_week, cycles_total = s.execute(
                select(
                    func.count().filter(closed > since, closed <= until),
                    func.count().filter(closed <= until),
                ).select_from(CycleResult)
            ).one()
            versions_week, versions_total = s.execute(
                select(
                    func.count().filter(
                        col(RegistryVersion.published_at) > since, col(RegistryVersion.published_at) <= until
                    ),
                    func.count().filter(col(RegistryVersion.published_at) <= until),
                ).select_from(RegistryVersion)
            ).one()
            adoptions = s.execute(select(func.count()).where(col(Playbook.adopted_from_id).is_not(None))).scalar()
        return dict(
            cycles_week=cycles_week,
            cycles_total=cycles_total,
            versions_week=versions_week,
            versions_total=versions_total,
            adoptions=adoptions,
        )
