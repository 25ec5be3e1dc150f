"""Reports written straight to the store, for tests that need a week's numbers in place
without going through a command: the rows `recording.report_row` makes, written by the
one write path every report takes (`store.reports.add_reports`)."""

from datetime import date, datetime

from storage.report_batches import new_report
from storage.store import Store
from tests.committed import committed


def add_kpi_reading(store: Store, playbook_id: int, week_start: date, value: float, by: str, at: datetime) -> None:
    committed(store).reports.add_reports([new_report("kpi", playbook_id, week_start, by, at, value=value)])


def add_guardrail_reading(
    store: Store, playbook_id: int, week_start: date, value: float, by: str, at: datetime
) -> None:
    committed(store).reports.add_reports([new_report("guardrail", playbook_id, week_start, by, at, value=value)])


def add_exception(
    store: Store, playbook_id: int, step_id: int, week_start: date, reason: str, by: str, at: datetime
) -> None:
    committed(store).reports.add_reports(
        [new_report("exception", playbook_id, week_start, by, at, step_id=step_id, reason=reason)]
    )


def add_case_count(
    store: Store, playbook_id: int, step_id: int, week_start: date, cases: int, by: str, at: datetime
) -> None:
    committed(store).reports.add_reports(
        [new_report("cases", playbook_id, week_start, by, at, step_id=step_id, cases=cases)]
    )


def add_rubric_score(
    store: Store, playbook_id: int, step_id: int, week_start: date, score: float, by: str, at: datetime
) -> None:
    committed(store).reports.add_reports(
        [new_report("rubric", playbook_id, week_start, by, at, step_id=step_id, score=score)]
    )
