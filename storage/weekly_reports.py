"""The reports people make each week (KPI and guardrail readings, check-ins, exceptions,
case counts, rubric scores): written only while their week is open, withdrawn by undo,
and counted into a week's figures. How a batch of them is checked and written is
storage/report_batches.py's; the digest's and the export's reads are in storage/readouts.py."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, bindparam, func, literal, tuple_, union_all, update
from sqlalchemy import select as sa_select  # for what sqlmodel's select is not typed for
from sqlalchemy.engine import Connection, Row
from sqlmodel import Session, col, select

from cadence import review
from cadence.figures import REPORTS_COUNTED_UP_TO, Attestation, StepWeek, WeekFigures
from cadence.report_kinds import ReportKind
from cadence.state import PlaybookState, Step
from storage import counting
from storage import report_writes as writes
from storage.db import Bind, engine_of, joined, reading
from storage.models.reports import (
    CaseCount,
    CheckIn,
    ExceptionReport,
    GuardrailReading,
    KpiReading,
    KpiRestReading,
    RubricScore,
)
from storage.report_batches import (
    NewReport,
    add_batches,
    add_each,
    in_an_open_week,
    key_answers,
    lock_playbooks,
    new_report,
    take_keys,
)


@dataclass(frozen=True)
class Report:
    """One person's report, as undo names it: what kind, for which week (and step), and
    what it said (a KPI value, a count, a score, an exception's reason, an attestation)."""

    kind: ReportKind
    id: int
    week_start: date
    step_id: int | None
    reported_at: datetime
    value: Any
    note: str | None = None
    reported_by: str = ""


REPORTS: dict[ReportKind, Any] = {
    ReportKind.KPI: KpiReading,
    ReportKind.REST: KpiRestReading,
    ReportKind.GUARDRAIL: GuardrailReading,
    ReportKind.CHECKIN: CheckIn,
    ReportKind.EXCEPTION: ExceptionReport,
    ReportKind.CASES: CaseCount,
    ReportKind.RUBRIC: RubricScore,
}


_VALUE: dict[ReportKind, str] = {
    ReportKind.KPI: "value",
    ReportKind.REST: "value",
    ReportKind.GUARDRAIL: "value",
    ReportKind.CHECKIN: "attestation",
    ReportKind.EXCEPTION: "reason",
    ReportKind.CASES: "cases",
    ReportKind.RUBRIC: "score",
}


def _reporter(table: Any) -> Any:
    return table.user_id if table is CheckIn else table.reported_by


def _withdraw(table: Any) -> Any:
    """Withdraw the report `report_id` if it still counts and its week is still open (a
    withdrawal the close has already judged would change nothing it decided), and read
    it back. On PostgreSQL a report another undo is withdrawing right now is skipped, not
    waited for (SKIP LOCKED): that undo has it, and this one moves on to the next newest."""
    unclaimed = select(table.c.id).where(table.c.id == bindparam("report_id")).with_for_update(skip_locked=True)
    return (
        update(table)
        .where(table.c.id.in_(unclaimed), table.c.withdrawn_at.is_(None), in_an_open_week(table, lock=True))
        .values(withdrawn_at=bindparam("undone_at"), withdrawn_by=bindparam("undone_by"))
        .returning(*table.c)
    )


_WITHDRAW = {kind: _withdraw(model.__table__) for kind, model in REPORTS.items()}


def _as_report(kind: ReportKind, row: Any) -> Report:
    return Report(
        kind=kind,
        id=row.id,
        week_start=row.week_start,
        step_id=getattr(row, "step_id", None),
        reported_at=row.reported_at,
        value=getattr(row, _VALUE[kind]),
        note=getattr(row, "note", None),
        reported_by=row.user_id if kind == ReportKind.CHECKIN else row.reported_by,
    )


@functools.cache
def _newest_reports(kinds: tuple[ReportKind, ...], weeks: int, limit: int) -> Any:
    """Someone's `limit` newest reports among these kinds in weeks week_0..week_n, newest
    first (parameters: playbook_id, user_id and the weeks): each kind and week is the end
    of a range in the reporter index, in one statement, built once (undo reads it on
    every request)."""
    newest_of_kind = [
        select(literal(kind.value).label("kind"), table.id.label("id"), table.reported_at.label("reported_at"))
        .where(
            table.playbook_id == bindparam("playbook_id"),
            _reporter(table) == bindparam("user_id"),
            table.week_start == bindparam(f"week_{i}", type_=Date),
            col(table.withdrawn_at).is_(None),
            in_an_open_week(table.__table__),
        )
        .order_by(col(table.id).desc())
        .limit(limit)
        .subquery()
        for kind in kinds
        for table in [REPORTS[kind]]
        for i in range(weeks)
    ]
    candidates = union_all(*(select(*newest.c) for newest in newest_of_kind)).subquery()
    # SQLAlchemy's select: sqlmodel's is not typed for a subquery (the SQL is the same)
    return sa_select(candidates).order_by(candidates.c.reported_at.desc(), candidates.c.id.desc()).limit(limit)


UNDO_CANDIDATES = 8  # the newest reports an undo tries in turn: one each for as many undos at once


class WeeklyReports:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def checkins_by_week(self, user_id: str, weeks: list[tuple[int, date]]) -> dict[tuple[int, date], CheckIn]:
        """Someone's check-in that counts, per (playbook, week) asked for: one query."""
        if not weeks:
            return {}
        with reading(self.bind) as s:
            latest = (
                select(func.max(col(CheckIn.id)))
                .where(
                    col(CheckIn.user_id) == user_id,
                    tuple_(col(CheckIn.playbook_id), col(CheckIn.week_start)).in_(weeks),
                    col(CheckIn.withdrawn_at).is_(None),
                )
                .group_by(col(CheckIn.playbook_id), col(CheckIn.week_start))
            )
            return {
                (c.playbook_id, c.week_start): c for c in s.exec(select(CheckIn).where(col(CheckIn.id).in_(latest)))
            }

    def latest_checkins(self, user_id: str, weeks: list[tuple[int, date]]) -> dict[int, CheckIn]:
        """A person's check-in that counts per playbook, for one (playbook, week) each."""
        return {pid: c for (pid, _), c in self.checkins_by_week(user_id, weeks).items()}

    def add_checkin(
        self,
        playbook_id: int,
        week_start: date,
        user_id: str,
        attestation: str,
        step_id: int | None,
        note: str | None,
        at: datetime,
    ) -> None:
        """A member's check-in (step_id: the step deviated on), written as add_reports writes."""
        values: dict[str, Any] = dict(attestation=attestation, step_id=step_id, note=note)
        self.add_reports([new_report(ReportKind.CHECKIN, playbook_id, week_start, user_id, at, **values)])

    def api_key_answers(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        """What was answered for these idempotency keys (`<token id>:<key>`) the first time
        (week_start, counts_for), and the hash of the report it was for (report_hash)."""
        with reading(self.bind) as s:
            return key_answers(s.connection(), keys)

    def add_reports(self, reports: list[NewReport], token_id: int | None = None) -> dict[str, dict[str, Any]]:
        """Reports, all or none, each written only if its week is still open
        (report_writes.open_week). Raises WeekClosed(index) if the clock closed a report's
        week; nothing is written then. In a use case's unit of work (storage/store.py) they
        go in with what else it writes, and the request's replay keys.

        A report with an idempotency `key` (the API's, with `token_id`) whose key the token
        used before is not written again: returned, by key, is what was answered for it
        the first time (week_start, counts_for, report_hash). If it was for a different
        report (another `report_hash`), KeyReused names every such report, and nothing is
        written. The unique key decides: of two requests racing with one key, one writes
        and the other, on PostgreSQL after waiting for the first to commit, finds it a
        duplicate, or a key used for a different report."""
        with joined(self.bind) as s:
            fresh, answers = take_keys(s, reports, token_id)
            connection = s.connection()
            if len(reports) > 1 and all(r.key is None and not r.adds and r.kind in writes.BATCHED for r in reports):
                add_batches(connection, reports)  # many plain reports: one statement a kind
            else:
                lock_playbooks(connection, reports)
                add_each(connection, reports, fresh)
            return answers

    def exceptions_of(self, playbook_id: int, week_start: date) -> list[ExceptionReport]:
        """The exceptions logged for a week that still count, oldest first: who and why."""
        with reading(self.bind) as s:
            return list(
                s.exec(
                    select(ExceptionReport)
                    .where(
                        col(ExceptionReport.playbook_id) == playbook_id,
                        col(ExceptionReport.week_start) == week_start,
                        col(ExceptionReport.withdrawn_at).is_(None),
                    )
                    .order_by(col(ExceptionReport.id))
                )
            )

    def withdraw_latest(
        self, playbook_id: int, user_id: str, weeks: list[date], kinds: Iterable[ReportKind], by: str, at: datetime
    ) -> tuple[Report, Report | int | None] | None:
        """Withdraw `user_id`'s most recent report on the playbook, of these kinds, in these
        weeks: it is kept, marked withdrawn, and no longer counts. Returns it with what
        counts in its place now (the report that counts, or for an exception the number
        left), or None when there is nothing to withdraw. The withdrawal is one transaction;
        what counts in its place is read just after it."""
        week_starts, kind_names = sorted(set(weeks)), tuple(kinds)
        if not week_starts or not kind_names:
            return None
        parameters: dict[str, Any] = {"playbook_id": playbook_id, "user_id": user_id}
        parameters.update({f"week_{i}": week_start for i, week_start in enumerate(week_starts)})
        newest = _newest_reports(kind_names, len(week_starts), UNDO_CANDIDATES)
        withdrawal = {"undone_at": at, "undone_by": by}
        row: Any = None
        kind: ReportKind  # the kind of the report withdrawn
        # The newest reports are read, then withdrawn by a conditional UPDATE, newest
        # first, until one is (it must still count, in a week still open). Of concurrent
        # undos each claims a different report: on PostgreSQL one that another undo is
        # withdrawing is skipped at once, and on SQLite (one writer at a time) one that
        # another undo withdrew fails its condition. Each try commits on its own; a try
        # that claimed nothing wrote nothing, and reads the newest again (a week the
        # clock closed meanwhile is no longer read). No lock on the playbook: undos of
        # different people, and everyone's reports, go on beside it.
        while row is None:
            with joined(self.bind) as s:  # records the request's key, if not yet
                candidates = s.execute(newest, parameters).all()
                if not candidates:
                    return None
                for candidate in candidates:
                    # Withdrawn and read back in one statement (RETURNING).
                    kind = ReportKind(candidate.kind)
                    row = s.execute(_WITHDRAW[kind], {**withdrawal, "report_id": candidate.id}).first()
                    if row is not None:
                        break
        report = _as_report(kind, row)
        # Read after the commit: on SQLite a write holds the database's one write lock
        # until it commits, so the withdrawal's transaction stays as short as it can be.
        with reading(self.bind) as s:
            return report, self._counting(s, playbook_id, report, user_id)

    def newest_report_at(
        self, playbook_id: int, user_id: str, weeks: list[date], kinds: Iterable[ReportKind]
    ) -> datetime | None:
        """When `user_id` made their newest report that withdraw_latest would withdraw."""
        week_starts, kind_names = sorted(set(weeks)), tuple(kinds)
        if not week_starts or not kind_names:
            return None
        parameters: dict[str, Any] = {"playbook_id": playbook_id, "user_id": user_id}
        parameters.update({f"week_{i}": week_start for i, week_start in enumerate(week_starts)})
        with reading(self.bind) as s:
            newest = s.connection().execute(_newest_reports(kind_names, len(week_starts), 1), parameters).first()
        return newest.reported_at if newest is not None else None

    @staticmethod
    def _counting(s: Session, playbook_id: int, report: Report, user_id: str) -> Report | int | None:
        """What counts for the withdrawn report's week (and step) now."""
        table = REPORTS[report.kind]
        where = [
            table.playbook_id == playbook_id,
            table.week_start == report.week_start,
            col(table.withdrawn_at).is_(None),
        ]
        if report.step_id is not None and report.kind != ReportKind.CHECKIN:
            where.append(table.step_id == report.step_id)
        if report.kind == ReportKind.CHECKIN:
            where.append(table.user_id == user_id)  # a member's own answer counts for them
        if report.kind == ReportKind.EXCEPTION:
            return int(s.execute(select(func.count()).select_from(table).where(*where)).scalar() or 0)
        row = s.exec(select(table).where(*where).order_by(col(table.id).desc()).limit(1)).first()
        return _as_report(report.kind, row) if row is not None else None

    def week_kpis(self, weeks: list[tuple[int, date]]) -> dict[tuple[int, date], float]:
        """The KPI that counts for each (playbook id, week start) that has one: one query.
        In a unit of work, on its session (a week's close reads in its own transaction)."""
        if not weeks:
            return {}
        with reading(self.bind) as s:
            return counting.latest(s.connection(), KpiReading, KpiReading.value, sorted(set(weeks)))

    def week_mean(self, playbook_id: int, week_start: date) -> tuple[float | None, int]:
        """The mean of a week's KPI readings that stand (none withdrawn) and how many: an
        adopter's baseline week (usecases/shared/baseline.py). In a unit of work, on its session."""
        with reading(self.bind) as s:
            mean, count = s.execute(
                sa_select(func.avg(KpiReading.value), func.count()).where(
                    col(KpiReading.playbook_id) == playbook_id,
                    col(KpiReading.week_start) == week_start,
                    col(KpiReading.withdrawn_at).is_(None),
                )
            ).one()
        return (None if mean is None else float(mean)), int(count)

    def kpi_range(self, playbook_id: int, first: date, last: date) -> dict[date, float]:
        """One playbook's KPI that counts, by week, for the weeks from `first` to `last`
        that have one: one statement, however many weeks (counting.series)."""
        with reading(self.bind) as s:
            return counting.series(s.connection(), KpiReading, KpiReading.value, playbook_id, first, last)

    def week_rests(self, weeks: list[tuple[int, date]]) -> dict[tuple[int, date], float]:
        """The rest's KPI that counts (a KPI with `compare`) for each (playbook id, week
        start) that has one, as week_kpis: one query, none for no weeks."""
        if not weeks:
            return {}
        with reading(self.bind) as s:
            return counting.latest(s.connection(), KpiRestReading, KpiRestReading.value, sorted(set(weeks)))

    def rest_range(self, playbook_id: int, first: date, last: date) -> dict[date, float]:
        """The rest's KPI that counts (a KPI with `compare`), by week, as kpi_range."""
        with reading(self.bind) as s:
            return counting.series(s.connection(), KpiRestReading, KpiRestReading.value, playbook_id, first, last)

    def week_series(self, playbook_id: int, first: date, last: date) -> tuple[dict[date, float], dict[date, float]]:
        """One playbook's KPI and guardrail reading that count, by week, for the weeks from
        `first` to `last` that have one: two statements, however many weeks."""
        with reading(self.bind) as s:
            c = s.connection()
            kpis = counting.series(c, KpiReading, KpiReading.value, playbook_id, first, last)
            return kpis, counting.series(c, GuardrailReading, GuardrailReading.value, playbook_id, first, last)

    def week_figures(self, state: PlaybookState, week_start: date) -> WeekFigures:
        return self.week_figures_many([(state, week_start)])[(state.playbook.id, week_start)]

    def week_figures_many(self, weeks: list[tuple[PlaybookState, date]]) -> dict[tuple[int, date], WeekFigures]:
        """The current numbers of many playbook-weeks: three queries (the week's totals, the
        steps' figures, the check-ins), however many playbooks, steps or members. Keyed by
        (playbook id, week start). In a unit of work, on its session (a week's close reads
        them in its own transaction, after it has closed the weeks: Governance.close_weeks)."""
        keys = sorted({(state.playbook.id, week_start) for state, week_start in weeks})
        if not keys:
            return {}
        with reading(self.bind) as session:
            totals, per_step, checkins = _figures_of(session.connection(), keys)
        by_week: dict[tuple[int, date], list[Any]] = {}
        for checkin in checkins:
            by_week.setdefault((checkin.playbook_id, checkin.week_start), []).append(checkin)
        return {
            (state.playbook.id, week_start): _week_figures(
                state,
                week_start,
                totals.get((state.playbook.id, week_start)),
                per_step,
                by_week.get((state.playbook.id, week_start), []),
            )
            for state, week_start in weeks
        }


def _week_figures(
    state: PlaybookState,
    week_start: date,
    total: Any,
    per_step: dict[tuple[int, date, int], Row[Any]],
    week_checkins: list[Any],
) -> WeekFigures:
    """One playbook-week's figures from the three reads: its totals, its steps' figures
    (`per_step`, by playbook, week and step) and its latest check-ins."""
    names = {step.id: step.name for step in state.steps}
    rates = review.rates(state.playbook.definition)
    deviations: dict[int, int] = {}
    for checkin in week_checkins:
        if checkin.attestation == "deviated" and checkin.step_id is not None:
            deviations[checkin.step_id] = deviations.get(checkin.step_id, 0) + 1
    steps = [
        _step_week(step, per_step.get((state.playbook.id, week_start, step.id)), deviations.get(step.id, 0), rates)
        for step in state.steps
    ]
    return WeekFigures(
        week_start=week_start,
        kpi=total.kpi if total else None,
        kpi_by=total.kpi_by if total else None,
        kpi_reports=(total.kpi_reports or 0) if total else 0,
        guardrail=total.guardrail if total else None,
        rest=total.rest if total else None,
        steps=steps,
        attestations=[
            Attestation(
                user_id=c.user_id,
                attestation=c.attestation,
                step=names.get(c.step_id) if c.step_id else None,
                note=c.note,
            )
            for c in week_checkins
        ],
    )


def _step_week(step: Step, numbers: Row[Any] | None, deviations: int, rates: dict[str, float]) -> StepWeek:
    return StepWeek(
        name=step.name,
        mode=step.mode,
        pinned=step.pinned,
        cases=numbers.cases if numbers else None,
        exceptions=numbers.exceptions if numbers else 0,
        deviations=deviations,
        rubric=numbers.rubric if numbers else None,
        reviewed=numbers.reviewed if numbers else None,
        dimensions=numbers.dimensions if numbers else None,
        review_minutes=numbers.review_minutes if numbers else None,
        asked=review.asked(step.mode, numbers.cases if numbers else None, rates),
    )


def _figures_of(reads: Connection, keys: list[tuple[int, date]]) -> tuple[Any, Any, list[Any]]:
    """The three reads of week_figures_many, as Core statements on a connection (cheaper
    than through a session)."""
    totals = counting.week_totals(reads, keys, up_to=REPORTS_COUNTED_UP_TO)
    return totals, counting.step_figures(reads, keys), counting.latest_checkins(reads, keys)
