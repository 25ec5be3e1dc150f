"""The stall's section (docs/usage.md, "A stalled playbook"; usecases/shared/stalling.py):
since when and why a playbook is stalled, on status, in the digest (whose standing counts
it), on the web page, on the web overview's lines and in the API's playbooks (the
assistant's too), with the standing the overview and the digest give it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TypedDict

from cadence import calendar
from cadence.calendar import WeekRef
from cadence.state import PlaybookState
from templates import tables
from templates.tables import Column
from usecases.sections.base import DigestPart, OverviewOrgPart, OverviewPart, PagePart, Reading, StatusPart, SummaryPart
from usecases.shared import stalling
from usecases.shared.caller import Caller
from usecases.shared.stalling import Stalled

Standing = tuple[Stalled | None, str]  # a playbook's stall (None: not stalled) and its standing


class StallStatus(TypedDict):
    stalled: Stalled


class StallWeek(TypedDict):
    stalled: str


class StallPage(TypedDict):
    stalled: str | None
    standing: str


class StallSummary(TypedDict):
    standing: str
    stalled: str | None


class StallLine(TypedDict):
    stalled: str | None
    standing: str


class StallOrg(TypedDict):
    """The overview shows nothing of the org's stalls beyond its lines' (the standings it counts)."""


class StallSection(
    StatusPart[Stalled, StallStatus],
    DigestPart[Stalled, StallWeek],
    PagePart[Standing, StallPage],
    SummaryPart[Standing, StallSummary],
    OverviewPart[Standing, StallLine],
    OverviewOrgPart[Standing, StallOrg],
):
    name = "stall"

    def status(self, caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, Stalled]:
        return stalling.stalled(reading.store, states)

    def status_words(self, state: PlaybookState, model: Stalled) -> StallStatus:
        return StallStatus(stalled=model)

    def digest(self, reading: Reading, reported: dict[int, tuple[PlaybookState, WeekRef]]) -> dict[int, Stalled]:
        return stalling.stalled(reading.store, [state for state, _ in reported.values()])

    def digest_week(self, model: Stalled) -> StallWeek:
        return StallWeek(stalled=model.phrase)

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Standing]:
        """The stall (None: not stalled) and the standing it counts in, from the KPIs the page read."""
        return _standings(reading, states)

    def page_words(self, state: PlaybookState, model: Standing) -> StallPage:
        stall, standing = model
        return StallPage(stalled=stall.phrase if stall else None, standing=standing)

    def summary(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Standing]:
        """The API's list and read (the assistant's `list_playbooks` and `playbook`): the
        standing as the overview and the digest give it, from the KPIs of each running
        cycle's weeks (one read however many playbooks)."""
        weeks = [(s.playbook.id, monday) for s in states for monday in _cycle_mondays(s, reading.now)]
        return _standings(replace(reading, kpis=reading.store.reports.week_kpis(weeks)), states)

    def summary_fields(self, state: PlaybookState, model: Standing) -> StallSummary:
        stall, standing = model
        return StallSummary(standing=standing, stalled=stall.phrase if stall else None)

    def overview(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Standing]:
        """As on a playbook's page: the overview lists the stalled first, and counts the
        active playbooks by their standing."""
        return _standings(reading, states)

    def overview_line(self, state: PlaybookState, model: Standing) -> StallLine:
        stall, standing = model
        return StallLine(stalled=stall.phrase if stall else None, standing=standing)

    def overview_org(self, reading: Reading, models: dict[int, Standing]) -> StallOrg:
        """No figures of the org's own: its columns (`overview_columns`) are the lines'."""
        return StallOrg()

    def overview_columns(self, org: StallOrg) -> list[Column]:
        return tables.stall_columns()


def _cycle_mondays(state: PlaybookState, now: datetime) -> list[date]:
    """The Mondays of the weeks of the cycle a playbook runs now, before this one: those the
    standing judges once closed (none without a cycle)."""
    if state.anchor is None:
        return []
    week = calendar.week_containing(state.running(), calendar.local_date(now, state.playbook.timezone))
    return [] if week is None else [week.cycle_start + timedelta(days=7 * i) for i in range(week.week - 1)]


def _standings(reading: Reading, states: list[PlaybookState]) -> dict[int, Standing]:
    """Each playbook's stall and standing: the standing judged on the week it is in now (its
    calendar's) and the KPIs the surface read (`reading.kpis`, which hold the running
    cycle's weeks: the overview's last 8, the page's charts)."""
    stalls = stalling.stalled(reading.store, states)
    last_hits = reading.store.governance.last_hits([s.playbook.id for s in states])
    by_playbook: dict[int, dict[date, float]] = {}
    for (pid, monday), value in reading.kpis.items():
        by_playbook.setdefault(pid, {})[monday] = value
    found: dict[int, Standing] = {}
    for state in states:
        p = state.playbook
        now = calendar.local_date(reading.now, p.timezone)
        week = calendar.week_containing(state.running(), now) if state.anchor is not None else None
        stall = stalls.get(p.id)
        standing = stalling.standing(state, week, by_playbook.get(p.id, {}), stall is not None, last_hits.get(p.id))
        found[p.id] = (stall, standing)
    return found


SECTION = StallSection()
