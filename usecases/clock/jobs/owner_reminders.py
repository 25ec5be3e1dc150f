"""Friday's DM to each owner with what is missing for the week; nothing missing, no DM
(the week is recorded either way, so it is decided once)."""

from __future__ import annotations

from typing import Any

from cadence import calendar, keys, review
from cadence.calendar import WeekRef
from cadence.figures import WeekFigures
from cadence.schedule import OWNER_REMINDER, Due, owner_work
from cadence.state import PlaybookState
from templates import notices_close
from usecases.clock import reach
from usecases.clock.job import ClockJob, Tick, posted, skipped

Dues = list[tuple[PlaybookState, Due]]


def due(tick: Tick) -> Dues | None:
    if tick.people_held:
        return None
    return reach.owner_dues(tick, OWNER_REMINDER, owner_work) or None


def run(tick: Tick, dues: Dues) -> None:
    work, sending = reach.owners_to_reach(tick, dues, "stale reminders are not sent", "a holiday")
    figures = tick.store.reports.week_figures_many([(state, due.week.week_start) for state, due in sending if due.week])
    for state, due in sending:
        assert due.week is not None
        message = _missing(state, due.week, figures[(state.playbook.id, due.week.week_start)])
        work.append(
            skipped(due, "nothing missing") if message is None else posted(due, state.playbook.owner_id, message)
        )
    tick.record(work)


def _missing(state: PlaybookState, week: WeekRef, figures: WeekFigures) -> dict[str, Any] | None:
    """The owner's DM naming what the week still misses; None when nothing is."""
    steps = [] if week.baseline else figures.steps  # the baseline week asks the KPI alone, not the guardrail
    missing_cases = [s.name for s in steps if s.cases is None]
    unscored = [s for s in steps if s.counted_rubric is None and s.name not in state.no_rubric_steps]
    missing_rubric = [s.name for s in unscored]
    # how many to review, by the review rate of each step's mode (cadence/review.py)
    to_review = [review.ask_words(s.name, s.cases, s.asked) for s in unscored]
    missing_kpi = figures.kpi is None
    missing_guardrail = state.playbook.guardrail_name if figures.guardrail is None and steps else None
    if not (missing_cases or missing_rubric or missing_kpi or missing_guardrail):
        return None
    playbook = state.playbook
    return notices_close.owner_missing(
        slug=playbook.slug,
        title=playbook.title,
        week=week,
        kpi_name=playbook.kpi_name,
        missing_cases=missing_cases,
        missing_rubric=missing_rubric,
        to_review=[words for words in to_review if words],
        form_value=keys.checkin_button(playbook.id, week.week_start),  # *Report this week*
        missing_kpi=missing_kpi,
        missing_guardrail=missing_guardrail,
        closes=calendar.closing_words(week.week_start, playbook.timezone, state.settings.grace_hours),
    )


JOB = ClockJob("owner reminders", due, run, after=("member check-ins and reminders",))
