"""Weeks and four-week cycles, in a playbook's own time zone.

A cycle is four weeks starting on a Monday; cycles follow one another from the day
the first one was started (its *anchor*). A week is named by the date of its Monday.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKS_PER_CYCLE = 4
DAYS_PER_CYCLE = 7 * WEEKS_PER_CYCLE

# What each week of a cycle is for (docs/usage.md, "The weekly rhythm").
STAGES = {
    0: "Baseline week: report the KPI as the team works today; the first cycle starts next Monday.",
    1: "Pick the workflow, set the one KPI, publish the mode map.",
    2: "Run the workflow and capture the evaluation rubric.",
    3: "Iterate and harden the playbook (package it for reuse).",
    4: "Scale: record deltas, submit to the registry if the scale rule holds, pick the next team.",
}


@dataclass(frozen=True)
class CycleAnchor:
    """Cycle `number` started on `starts_on`; later cycles follow without a gap, until the
    week starting `ends_after` if a pause or retirement ended the run."""

    number: int
    starts_on: date
    ends_after: date | None = None
    # When it was started: a week already closed by then took no reports, and is never judged.
    started_at: datetime | None = None
    # The run of cycles a pause ended before this one was resumed: its last week may still
    # be open (a pause and a resume in the same week), and it takes reports until it closes.
    before: CycleAnchor | None = None
    # An adopter's first cycle: the Monday of its baseline week, the week before `starts_on`
    # (docs/judgement.md, "The baseline week"): week 0 of cycle 0, BASELINE_WEEK.
    baseline: date | None = None


@dataclass(frozen=True)
class WeekRef:
    cycle: int
    week: int  # 1-4
    week_start: date  # the Monday

    @property
    def week_end(self) -> date:
        """The Sunday that ends the week."""
        return self.week_start + timedelta(days=6)

    @property
    def cycle_start(self) -> date:
        return self.week_start - timedelta(days=7 * (self.week - 1))

    @property
    def stage(self) -> str:
        return STAGES[self.week]

    @property
    def baseline(self) -> bool:
        """The baseline week before an adopter's first cycle (cycle 0, week 0)."""
        return self.cycle == 0

    def words(self) -> str:
        """How messages name the week: "week 2 of cycle 1", or "the baseline week"."""
        return "the baseline week" if self.baseline else f"week {self.week} of cycle {self.cycle}"


def local_date(at: datetime, tz: str) -> date:
    """The calendar date at instant `at` (aware) in time zone `tz`."""
    if at.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    return at.astimezone(ZoneInfo(tz)).date()


def local_time(at: datetime, tz: str) -> datetime:
    """Instant `at` (aware) as the clock in time zone `tz` shows it."""
    if at.tzinfo is None:
        raise ValueError("instants must be timezone-aware")
    return at.astimezone(ZoneInfo(tz))


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def next_monday(day: date) -> date:
    """`day` itself if it is a Monday, otherwise the Monday after it."""
    return day + timedelta(days=(7 - day.weekday()) % 7)


def week_containing(anchor: CycleAnchor, day: date) -> WeekRef | None:
    """The cycle week that contains `day`, or None before the anchor's first day (unless
    `day` is in the run before it, ended by a pause) or in a paused run's later weeks."""
    offset = (day - anchor.starts_on).days
    if offset < 0 and anchor.baseline is not None and anchor.baseline <= day < anchor.baseline + timedelta(days=7):
        return WeekRef(cycle=0, week=0, week_start=anchor.baseline)  # the baseline week
    if offset < 0:
        return week_containing(anchor.before, day) if anchor.before is not None else None
    if anchor.ends_after is not None and day >= anchor.ends_after + timedelta(days=7):
        return None  # paused or retired: this week belongs to no cycle
    return WeekRef(
        cycle=anchor.number + offset // DAYS_PER_CYCLE,
        week=(offset % DAYS_PER_CYCLE) // 7 + 1,
        week_start=anchor.starts_on + timedelta(days=(offset // 7) * 7),
    )


def week_of_cycle(current: WeekRef, week: int) -> WeekRef:
    """Week `week` (1-4) of the cycle that `current` belongs to."""
    if not 1 <= week <= WEEKS_PER_CYCLE:
        raise ValueError(f"week must be 1-{WEEKS_PER_CYCLE}")
    return WeekRef(
        cycle=current.cycle,
        week=week,
        week_start=current.cycle_start + timedelta(days=7 * (week - 1)),
    )


def week_closes_at(week_start: date, tz: str, grace_hours: float) -> datetime:
    """When a week is closed: the end of its Sunday (local midnight) plus the grace period.

    Grace is elapsed time, so it is added in UTC: across a DST change the close is
    still exactly `grace_hours` after local midnight.
    """
    end = datetime.combine(week_start + timedelta(days=7), time(0), tzinfo=ZoneInfo(tz))
    return end.astimezone(UTC) + timedelta(hours=grace_hours)


def most_recent_week(anchor: CycleAnchor, today: date, number: int) -> WeekRef | None:
    """`week:N`: week `number` of the current cycle if it has begun, else of the cycle
    before (so on Monday morning `week:4` is the last week of the cycle that just ended).
    None when that would be before the first cycle."""
    current = week_containing(anchor, today)
    if current is None or current.baseline:  # the baseline week has no week N before it
        return None
    wanted = week_of_cycle(current, number)
    if wanted.week_start <= today:
        return wanted
    if current.cycle > anchor.number:
        return WeekRef(current.cycle - 1, number, wanted.week_start - timedelta(days=DAYS_PER_CYCLE))
    return _in_run_before(anchor, current, number)


def _in_run_before(anchor: CycleAnchor, current: WeekRef, number: int) -> WeekRef | None:
    """`most_recent_week` in the first week of a resumed run: week `number` of the cycle
    the pause ended, if it had begun; None where there is no run before."""
    before = anchor.before
    if before is None or before.ends_after is None or current.week_start < anchor.starts_on:
        return None
    # The first week of a resumed run: week N of the cycle the pause ended, if it had begun.
    last = week_containing(before, before.ends_after)
    earlier = week_of_cycle(last, number) if last is not None else None
    return earlier if earlier is not None and earlier.week_start <= before.ends_after else None


def own_run(anchor: CycleAnchor) -> CycleAnchor:
    """The anchor's own run of cycles, without the run before it."""
    return replace(anchor, before=None) if anchor.before is not None else anchor


def first_day(anchor: CycleAnchor) -> date:
    """The first day of the earliest run the anchor knows of (its baseline week's, if any)."""
    if anchor.before is not None:
        return anchor.before.starts_on
    return anchor.baseline if anchor.baseline is not None else anchor.starts_on


def judged(anchor: CycleAnchor, week_start: date, tz: str, grace_hours: float) -> bool:
    """Whether the week's close records verdicts: not when it had closed before its cycle
    was started (back-dated), since nobody could report for it."""
    run = anchor if week_start >= anchor.starts_on or anchor.before is None else anchor.before
    return run.started_at is None or week_closes_at(week_start, tz, grace_hours) > run.started_at


def is_closed(week_start: date, tz: str, grace_hours: float, now: datetime) -> bool:
    """A week is closed, and its verdicts final, once its Sunday and the grace are over."""
    return now >= week_closes_at(week_start, tz, grace_hours)


def open_weeks(anchor: CycleAnchor, tz: str, grace_hours: float, now: datetime) -> list[WeekRef]:
    """The weeks that still take reports and corrections, newest first: this week, and
    last week while its grace lasts."""
    today = local_date(now, tz)
    weeks = []
    for day in (today, today - timedelta(days=7)):
        week = week_containing(anchor, day)
        if week is not None and not is_closed(week.week_start, tz, grace_hours, now):
            weeks.append(week)
    return weeks


def closing_words(week_start: date, tz: str, grace_hours: float) -> str:
    """When a week closed, as a person in the playbook's zone reads it: "Mon 18 Jan 12:00 Europe/Berlin"."""
    closed = week_closes_at(week_start, tz, grace_hours).astimezone(ZoneInfo(tz))
    return f"{closed:%a %d %b %H:%M} {tz}"
