"""Metric delivery (docs/sources.md; before the AI's inputs were checked, "input
reliability"): of the (week, `from:` entry) pairs of a playbook's last 8 closed weeks,
the share whose value arrived from its source before the week closed. An override typed
in its place does not count. Status, `rollout playbook show`, the web view and readiness
show it beside criterion (7), which is now input reliability: each checked input's
weekly values (`input_weeks`, cadence/inputs.py)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cadence import calendar, inputs, sources
from cadence.state import PlaybookState
from storage.store import Store

RELIABILITY_WEEKS = 8  # input reliability looks back over this many closed weeks


@dataclass(frozen=True)
class Reliability:
    arrived: int
    pairs: int

    @property
    def share(self) -> float | None:
        return self.arrived / self.pairs if self.pairs else None

    def words(self) -> str:
        if not self.pairs:
            return "no closed week yet"
        return f"{math.floor(100 * self.arrived / self.pairs)}% ({self.arrived} of {self.pairs} sourced numbers arrived before their week closed)"


def closed_weeks(state: PlaybookState, now: datetime, count: int = RELIABILITY_WEEKS) -> list[date]:
    """The last `count` closed weeks of the playbook's running cycles, newest first."""
    anchor = state.cycle_anchor
    if anchor is None:
        return []
    tz, grace = state.playbook.timezone, state.settings.grace_hours
    weeks: list[date] = []
    day = calendar.local_date(now, tz)
    for _ in range(count + 3):
        week = calendar.week_containing(anchor, day)
        closed = week is not None and calendar.is_closed(week.week_start, tz, grace, now)
        if week is not None and closed and calendar.judged(anchor, week.week_start, tz, grace):
            weeks.append(week.week_start)
        day -= timedelta(days=7)
        if len(weeks) == count or day < calendar.first_day(anchor):
            break
    return weeks


def reliability(
    store: Store, state: PlaybookState, now: datetime | None, weeks: list[date] | None = None
) -> Reliability | None:
    """Of the (week, `from:` entry) pairs of the last 8 closed weeks (or of `weeks`), how
    many had their value arrive from the source before the week closed (an override typed
    in its place does not count). None for a playbook without sources."""
    entries = sources.entries(state.playbook.definition)
    if not entries:
        return None
    if weeks is None:
        assert now is not None, "the last closed weeks are those before now"
        weeks = closed_weeks(state, now)
    if not weeks:
        return Reliability(0, 0)
    tz, grace = state.playbook.timezone, state.settings.grace_hours
    arrived = {
        (row.week_start, row.number)
        for row in store.sources.of_playbook(state.playbook.id, min(weeks))
        if row.outcome == "fetched" and row.fetched_at < calendar.week_closes_at(row.week_start, tz, grace)
    }
    wanted = {(week, entry.key) for week in weeks for entry in entries}
    return Reliability(len(wanted & arrived), len(wanted))


def input_weeks(store: Store, state: PlaybookState, weeks: list[date]) -> list[inputs.InputWeeks] | None:
    """Readiness's (7): each checked input's value in each of `weeks` it was checked in
    (None: its check failed); a week it was not asked in is left out. None for a playbook
    without checks."""
    checks = inputs.checks(state.playbook.definition)
    if not checks:
        return None
    asked: set[tuple[str, date]] = set()
    values: dict[tuple[str, date], float] = {}
    for row in store.input_checks.of_playbook(state.playbook.id, min(weeks)) if weeks else []:
        asked.add((row.input, row.week_start))
        if row.outcome != "failed" and row.value is not None:
            values[(row.input, row.week_start)] = row.value
    return [
        inputs.InputWeeks(c.name, c.min, [values.get((c.name, week)) for week in weeks if (c.name, week) in asked])
        for c in checks
    ]
