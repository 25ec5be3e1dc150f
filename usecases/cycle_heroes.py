"""Heroics (cadence/heroics.py): the one person who carried a playbook's quality work in its
last completed cycle, its reviewed cases or its closed exception items, read for the
playbooks whose last completed cycle closed."""

from __future__ import annotations

import re
from datetime import date, timedelta

from cadence import calendar, heroics
from cadence.heroics import Hero
from cadence.state import PlaybookState
from storage.store import Store

PERSON_RE = re.compile(r"^[UW][A-Z0-9]{6,19}$")  # a Slack user: sources and tokens are no team member


def completed_cycle(state: PlaybookState, today: date) -> tuple[date, date] | None:
    """The first and last Monday of the playbook's last completed cycle, if one closed."""
    if state.anchor is None or state.playbook.closed_through is None:
        return None
    week = calendar.week_containing(state.running(), today)
    if week is None:
        return None
    if week.cycle < 2:
        return None
    last = week.cycle_start - timedelta(days=7)
    if last > state.playbook.closed_through:
        return None
    return last - timedelta(days=21), last


def heroes(store: Store, states: list[PlaybookState], today: dict[int, date]) -> dict[int, Hero]:
    """Each playbook whose last completed cycle's quality work one person carried: its
    reviewed cases or its closed exception items (cadence/heroics.py)."""
    cycles = {s.playbook.id: completed_cycle(s, today[s.playbook.id]) for s in states}
    found: dict[int, Hero] = {}
    by_span: dict[tuple[date, date], list[int]] = {}
    for pid, span in cycles.items():
        if span is not None:
            by_span.setdefault(span, []).append(pid)
    for (first, last), pids in by_span.items():
        for pid, work in store.value.quality_work(pids, first, last).items():
            people = {p for p in work.team | set(work.closed) if PERSON_RE.match(p)}
            carried = heroics.hero(heroics.reviewed_by(work.reviews), work.closed, len(people), people)
            if carried is not None:
                found[pid] = carried
    return found
