"""Recording the numbers that govern a playbook: KPI readings, check-ins, exceptions,
case counts and rubric scores. Reports are append-only; the latest one of a week
counts. The listeners check first that the caller may report (Slack membership or
the owner's and curators' roles); these functions check the report itself."""

from __future__ import annotations

from datetime import datetime

from cadence import calendar
from storage.models import Step
from storage.store import PlaybookState, Store
from templates.refusals import Refusal


def record_kpi(
    store: Store,
    state: PlaybookState,
    week: calendar.WeekRef,
    value: float,
    percent: bool,
    by: str,
    now: datetime,
    usage: str | None,
) -> None:
    playbook = state.playbook
    if percent and playbook.kpi_unit.strip() != "%":
        unit = f"in {playbook.kpi_unit}" if playbook.kpi_unit else "as a plain number"
        raise Refusal.of("kpi_not_percent", usage=usage, kpi=playbook.kpi_name, unit=unit)
    store.add_kpi_reading(playbook.id, week.week_start, value, by, now)


def record_attestation(
    store: Store,
    state: PlaybookState,
    week: calendar.WeekRef,
    deviated_on: Step | None,
    note: str | None,
    by: str,
    now: datetime,
) -> None:
    """A member's check-in: followed the mode map (`deviated_on` None) or deviated on a step."""
    store.add_checkin(
        state.playbook.id,
        week.week_start,
        by,
        "followed" if deviated_on is None else "deviated",
        deviated_on.id if deviated_on is not None else None,
        note,
        now,
    )


def record_exception(
    store: Store, state: PlaybookState, step: Step, week: calendar.WeekRef, reason: str, by: str, now: datetime
) -> None:
    store.add_exception(state.playbook.id, step.id, week.week_start, reason, by, now)


def record_cases(
    store: Store, state: PlaybookState, step: Step, week: calendar.WeekRef, count: int, by: str, now: datetime
) -> None:
    store.add_case_count(state.playbook.id, step.id, week.week_start, count, by, now)


def record_rubric(
    store: Store, state: PlaybookState, step: Step, week: calendar.WeekRef, score: float, by: str, now: datetime
) -> None:
    store.add_rubric_score(state.playbook.id, step.id, week.week_start, score, by, now)
