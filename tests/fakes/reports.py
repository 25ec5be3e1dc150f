"""The reports people make, in memory: what storage/weekly_reports.py's WeeklyReports
answers to the recording use cases (add_reports with its closed weeks and idempotency
keys, add_checkin, week_figures' case counts and KPI, newest_report_at, withdraw_latest)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from cadence import review
from cadence.figures import Attestation, StepWeek, WeekFigures
from cadence.report_kinds import ReportKind
from cadence.state import PlaybookState
from storage.models.reports import CheckIn, ExceptionReport
from storage.report_batches import NewReport, new_report
from storage.store import REPORTS, KeyReused, Report, WeekClosed, same_report

_VALUE = {
    "kpi": "value",
    "rest": "value",
    "guardrail": "value",
    "checkin": "attestation",
    "exception": "reason",
    "cases": "cases",
    "rubric": "score",
    "value": "count",
}
_ADDS_TO = {"cases": "cases", "kpi": "value"}


@dataclass
class Row:
    """One stored report: its kind, id and columns, withdrawn or not."""

    kind: str
    id: int
    values: dict[str, Any]
    withdrawn: bool = False

    @property
    def by(self) -> str:
        return str(self.values.get("reported_by") or self.values.get("user_id"))

    def model(self) -> Any:
        """The row as the real one's model object (CheckIn, ExceptionReport...)."""
        kind = REPORTS[ReportKind(self.kind)]
        columns = {k: v for k, v in self.values.items() if k in kind.model_fields}
        if self.withdrawn:
            columns.update(withdrawn_at=self.values.get("undone_at"), withdrawn_by=self.values.get("undone_by"))
        return kind(id=self.id, **{k: v for k, v in columns.items() if k in kind.model_fields})

    def report(self) -> Report:
        v = self.values
        return Report(
            ReportKind(self.kind),
            self.id,
            v["week_start"],
            v.get("step_id"),
            v["reported_at"],
            v.get(_VALUE[self.kind]),
            v.get("note"),
            self.by,
        )


@dataclass
class ReportsData:
    """What the fake database holds of reports (copied by a unit of work: FakeUnitOfWork)."""

    rows: list[Row] = field(default_factory=list)
    keys: dict[str, dict[str, Any]] = field(default_factory=dict)  # `<token id>:<key>`: the first answer
    next_id: int = 1

    def copy(self) -> ReportsData:
        rows = [replace(r, values=dict(r.values)) for r in self.rows]
        return ReportsData(rows, {k: dict(v) for k, v in self.keys.items()}, self.next_id)


class FakeReports:
    def __init__(self, data: ReportsData, closed_through: Any):
        self.data = data
        self._closed_through = closed_through  # playbook id -> the last week the clock closed, or None

    # ---- writes ----

    def add_reports(self, reports: list[NewReport], token_id: int | None = None) -> dict[str, dict[str, Any]]:
        """All or none, as the real one: WeekClosed(index) for a closed week, KeyReused for
        keys used before for other reports; a key used before for this report is answered."""
        reused = [
            i
            for i, r in enumerate(reports)
            if r.key in self.data.keys and not same_report(self.data.keys[r.key]["report_hash"], r.report_hash)
        ]
        if reused:
            raise KeyReused(reused)
        for index, report in enumerate(reports):
            closed = self._closed_through(report.values["playbook_id"])
            if closed is not None and report.values["week_start"] <= closed:
                raise WeekClosed(index, f"the week of {report.values['week_start']} has closed")
        answers: dict[str, dict[str, Any]] = {}
        for report in reports:
            if report.key is not None and report.key in self.data.keys:
                answers[report.key] = dict(self.data.keys[report.key])
                continue
            if report.key is not None:
                week_start = report.values["week_start"]
                self.data.keys[report.key] = dict(
                    week_start=week_start, counts_for=report.counts_for, report_hash=report.report_hash
                )
            for _ in range(report.times):
                self._add(report)
        return answers

    def _add(self, report: NewReport) -> None:
        values = dict(report.values)
        if report.adds:
            column = _ADDS_TO[report.kind]
            latest = self._latest(report.kind, values["playbook_id"], values["week_start"], values.get("step_id"))
            values[column] = (latest.values[column] if latest else 0) + values.pop("count")
        self.data.rows.append(Row(report.kind, self.data.next_id, values))
        self.data.next_id += 1

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
        values: dict[str, Any] = dict(attestation=attestation, step_id=step_id, note=note)
        self.add_reports([new_report(ReportKind.CHECKIN, playbook_id, week_start, user_id, at, **values)])

    def api_key_answers(self, keys: list[str]) -> dict[str, dict[str, Any]]:
        return {key: dict(self.data.keys[key]) for key in keys if key in self.data.keys}

    # ---- undo ----

    def _candidates(self, playbook_id: int, user_id: str, weeks: list[date], kinds: Iterable[str]) -> list[Row]:
        kinds = tuple(kinds)
        return [
            r
            for r in self.data.rows
            if not r.withdrawn
            and r.kind in kinds
            and r.values["playbook_id"] == playbook_id
            and r.by == user_id
            and r.values["week_start"] in weeks
        ]

    def newest_report_at(
        self, playbook_id: int, user_id: str, weeks: list[date], kinds: Iterable[str]
    ) -> datetime | None:
        found = self._candidates(playbook_id, user_id, weeks, kinds)
        return max(found, key=lambda r: (r.values["reported_at"], r.id)).values["reported_at"] if found else None

    def withdraw_latest(
        self, playbook_id: int, user_id: str, weeks: list[date], kinds: Iterable[str], by: str, at: datetime
    ) -> tuple[Report, Report | int | None] | None:
        found = self._candidates(playbook_id, user_id, weeks, kinds)
        if not found:
            return None
        row = max(found, key=lambda r: (r.values["reported_at"], r.id))
        row.withdrawn = True
        row.values.update(undone_at=at, undone_by=by)
        report = row.report()
        same = [
            r
            for r in self.data.rows
            if not r.withdrawn
            and r.kind == row.kind
            and r.values["playbook_id"] == playbook_id
            and r.values["week_start"] == report.week_start
            and (row.kind == "checkin" or report.step_id is None or r.values.get("step_id") == report.step_id)
            and (row.kind != "checkin" or r.by == user_id)
        ]
        if row.kind == "exception":
            return report, len(same)
        return report, max(same, key=lambda r: r.id).report() if same else None

    # ---- reads ----

    def _latest(self, kind: str, playbook_id: int, week_start: date, step_id: int | None = None) -> Row | None:
        found = [
            r
            for r in self.data.rows
            if r.kind == kind
            and not r.withdrawn
            and r.values["playbook_id"] == playbook_id
            and r.values["week_start"] == week_start
            and (step_id is None or r.values.get("step_id") == step_id)
        ]
        return max(found, key=lambda r: r.id) if found else None

    def stored(self, kind: str | None = None) -> list[Row]:
        """The rows that count (not withdrawn), oldest first; of one kind if given (for tests)."""
        return [r for r in self.data.rows if not r.withdrawn and (kind is None or r.kind == kind)]

    def week_figures(self, state: PlaybookState, week_start: date) -> WeekFigures:
        """The week's KPI, the rest's, the guardrail, each step's latest case count,
        exceptions, deviations, rubric and the sample its review rate asks, and each
        member's check-in that counts."""
        pid = state.playbook.id
        kpi, guardrail = self._latest("kpi", pid, week_start), self._latest("guardrail", pid, week_start)
        rest = self._latest("rest", pid, week_start)
        checkins = self._checkins(pid, week_start)
        deviations: dict[int, int] = {}
        for checkin in checkins:
            if checkin.values["attestation"] == "deviated" and checkin.values.get("step_id") is not None:
                deviations[checkin.values["step_id"]] = deviations.get(checkin.values["step_id"], 0) + 1
        names = {step.id: step.name for step in state.steps}
        rates = review.rates(state.playbook.definition)
        steps = []
        for step in state.steps:
            cases, rubric = (
                self._latest("cases", pid, week_start, step.id),
                self._latest("rubric", pid, week_start, step.id),
            )
            exceptions = [r for r in self.stored("exception") if r.values.get("step_id") == step.id]
            steps.append(
                StepWeek(
                    step.name,
                    step.mode,
                    step.pinned,
                    cases.values["cases"] if cases else None,
                    sum(1 for r in exceptions if r.values["week_start"] == week_start),
                    deviations.get(step.id, 0),
                    rubric.values["score"] if rubric else None,
                    rubric.values["reviewed"] if rubric else None,
                    dimensions=rubric.values.get("dimensions") if rubric else None,
                    review_minutes=rubric.values.get("review_minutes") if rubric else None,
                    asked=review.asked(step.mode, cases.values["cases"] if cases else None, rates),
                )
            )
        kpis = [
            r for r in self.stored("kpi") if r.values["playbook_id"] == pid and r.values["week_start"] == week_start
        ]
        return WeekFigures(
            week_start,
            kpi.values["value"] if kpi else None,
            len(kpis),
            steps,
            guardrail.values["value"] if guardrail else None,
            kpi_by=kpi.by if kpi else None,
            rest=rest.values["value"] if rest else None,
            attestations=[
                Attestation(
                    c.values["user_id"],
                    c.values["attestation"],
                    names.get(c.values["step_id"]) if c.values.get("step_id") else None,
                    c.values.get("note"),
                )
                for c in checkins
            ],
        )

    def _checkins(self, playbook_id: int, week_start: date) -> list[Row]:
        """Each member's check-in that counts in the week (their latest), oldest first
        (storage/counting.py's latest_checkins)."""
        latest: dict[str, Row] = {}
        for row in self.stored("checkin"):
            if row.values["playbook_id"] == playbook_id and row.values["week_start"] == week_start:
                latest[row.values["user_id"]] = row
        return sorted(latest.values(), key=lambda r: r.id)

    def week_figures_many(self, weeks: list[tuple[PlaybookState, date]]) -> dict[tuple[int, date], WeekFigures]:
        return {(state.playbook.id, week): self.week_figures(state, week) for state, week in weeks}

    def _counting(self, kind: str, keys: Iterable[tuple[int, date]]) -> dict[tuple[int, date], float]:
        found = {}
        for pid, week in set(keys):
            latest = self._latest(kind, pid, week)
            if latest is not None and latest.values.get("value") is not None:
                found[(pid, week)] = latest.values["value"]
        return found

    def _range(self, kind: str, playbook_id: int, first: date, last: date) -> dict[date, float]:
        weeks = {r.values["week_start"] for r in self.stored(kind) if r.values["playbook_id"] == playbook_id}
        found = self._counting(kind, [(playbook_id, w) for w in weeks if first <= w <= last])
        return {w: v for (_, w), v in sorted(found.items())}

    def week_kpis(self, weeks: list[tuple[int, date]]) -> dict[tuple[int, date], float]:
        return self._counting("kpi", weeks)

    def week_rests(self, weeks: list[tuple[int, date]]) -> dict[tuple[int, date], float]:
        return self._counting("rest", weeks)

    def kpi_range(self, playbook_id: int, first: date, last: date) -> dict[date, float]:
        return self._range("kpi", playbook_id, first, last)

    def week_series(self, playbook_id: int, first: date, last: date) -> tuple[dict[date, float], dict[date, float]]:
        return self._range("kpi", playbook_id, first, last), self._range("guardrail", playbook_id, first, last)

    def checkins_by_week(self, user_id: str, weeks: list[tuple[int, date]]) -> dict[tuple[int, date], CheckIn]:
        found = {}
        for row in self.stored("checkin"):  # oldest first: the latest stays
            key = (row.values["playbook_id"], row.values["week_start"])
            if row.by == user_id and key in weeks:
                found[key] = row.model()
        return found

    def latest_checkins(self, user_id: str, weeks: list[tuple[int, date]]) -> dict[int, CheckIn]:
        return {pid: c for (pid, _), c in self.checkins_by_week(user_id, weeks).items()}

    def exceptions_of(self, playbook_id: int, week_start: date) -> list[ExceptionReport]:
        return [
            r.model()
            for r in self.stored("exception")
            if r.values["playbook_id"] == playbook_id and r.values["week_start"] == week_start
        ]

    def week_mean(self, playbook_id: int, week_start: date) -> tuple[float | None, int]:
        """The mean of the week's KPI readings that stand, and how many (an adopter's baseline)."""
        values = [
            r.values["value"]
            for r in self.stored("kpi")
            if r.values["playbook_id"] == playbook_id and r.values["week_start"] == week_start
        ]
        return (sum(values) / len(values) if values else None), len(values)
