"""Depth's section (docs/judgement.md, "Depth over months"; usecases/shared/depth.py): the
plateau flag, cases not grown in 8 weeks while the KPI is off target, on status, in the
digest, on the web page (with the depth over months beside it) and in the API's summary of a
playbook (its list and its read, and so the assistant's tools), and on the web overview's
lines, beside the org's depth over months."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any, TypedDict

from cadence import calendar
from cadence.calendar import WeekRef
from cadence.state import PlaybookState
from templates import tables
from templates.tables import Column, Table
from templates.web_charts import depth_charts
from usecases.sections.base import (
    Chart,
    DigestPart,
    OverviewOrgPart,
    OverviewPart,
    PagePart,
    Reading,
    StatusPart,
    SummaryPart,
)
from usecases.shared import depth
from usecases.shared.caller import Caller

Months = list[dict[str, Any]]  # the depth over months, as usecases/shared/depth.py's `months` gives it
Page = tuple[bool, Months]  # the flag, and the depth over months of the playbook's closed weeks


class DepthStatus(TypedDict):
    plateau: bool


class DepthWeek(TypedDict):
    plateau: bool


class DepthPage(TypedDict):
    plateau: bool
    depth: Months  # each month's row with its week's label


class DepthSummary(TypedDict):
    plateau: bool  # cases not grown in 8 weeks while the KPI is off target


class DepthLine(TypedDict):
    plateau: bool


class DepthOrg(TypedDict):
    depth: Months  # the org's depth over months
    plateaus: int  # how many listed playbooks plateau


class DepthSection(
    StatusPart[bool, DepthStatus],
    DigestPart[bool, DepthWeek],
    PagePart[Page, DepthPage],
    SummaryPart[bool, DepthSummary],
    OverviewPart[bool, DepthLine],
    OverviewOrgPart[bool, DepthOrg],
):
    name = "depth"

    def status(self, caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, bool]:
        """With the KPIs status read for its trend, when they hold the rule's two weeks."""
        needed = {depth.ended_week(s, reading.now) - timedelta(days=7 * back) for s in states for back in (0, 1)}
        kpis = reading.kpis if needed <= set(reading.weeks) else None
        return depth.plateaus(reading.store, states, reading.now, kpis)

    def status_words(self, state: PlaybookState, model: bool) -> DepthStatus:
        return DepthStatus(plateau=model)

    def digest(self, reading: Reading, reported: dict[int, tuple[PlaybookState, WeekRef]]) -> dict[int, bool]:
        return depth.plateaus(reading.store, [state for state, _ in reported.values()], reading.now)

    def digest_week(self, model: bool) -> DepthWeek:
        return DepthWeek(plateau=model)

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Page]:
        """The flag, and the depth over months of the closed weeks since the first cycle."""
        flagged = depth.plateaus(reading.store, states, reading.now)
        found: dict[int, Page] = {}
        for state in states:
            pid = state.playbook.id
            ended = depth.ended_week(state, reading.now)
            first = calendar.first_day(state.running()) if state.anchor is not None else ended + timedelta(days=7)
            found[pid] = (flagged[pid], depth.months(reading.store, ended, pid, first))
        return found

    def page_words(self, state: PlaybookState, model: Page) -> DepthPage:
        flagged, months = model
        return DepthPage(plateau=flagged, depth=[dict(m, label=state.week_label(m["week"])) for m in months])

    def summary(self, reading: Reading, states: list[PlaybookState]) -> dict[int, bool]:
        return depth.plateaus(reading.store, states, reading.now)

    def summary_fields(self, state: PlaybookState, model: bool) -> DepthSummary:
        # cases not grown in 8 weeks while the KPI is off target
        return DepthSummary(plateau=model)

    def overview_weeks(self, state: PlaybookState, now: datetime) -> list[date]:
        """The plateau rule's: an active playbook's ended week and the one before."""
        if state.playbook.status != "active":
            return []
        ended = depth.ended_week(state, now)
        return [ended, ended - timedelta(days=7)]

    def overview(self, reading: Reading, states: list[PlaybookState]) -> dict[int, bool]:
        return depth.plateaus(reading.store, states, reading.now, reading.kpis)

    def overview_line(self, state: PlaybookState, model: bool) -> DepthLine:
        return DepthLine(plateau=model)

    def overview_org(self, reading: Reading, models: dict[int, bool]) -> DepthOrg:
        """The org's depth over months, its weeks ended by the org's last, and how many plateau."""
        monday = calendar.monday_of(calendar.local_date(reading.now, reading.timezone))
        return DepthOrg(
            depth=depth.months(reading.store, monday - timedelta(days=7)),
            plateaus=sum(1 for flagged in models.values() if flagged),
        )

    def page_charts(self, words: DepthPage, title: str) -> dict[str, Chart]:
        """The depth over months of the playbook's closed weeks."""
        charts = depth_charts([d["label"] for d in words["depth"]], words["depth"], title)
        return dict(depth_charts=charts)

    def overview_columns(self, org: DepthOrg) -> list[Column]:
        return tables.plateau_columns()

    def overview_tables(self, org: DepthOrg) -> dict[str, Table]:
        return dict(depth=tables.depth_table(org["depth"]))

    def overview_charts(self, org: DepthOrg) -> dict[str, Chart]:
        """The org's depth over months."""
        rows = org["depth"]
        charts = depth_charts([d["week"].strftime("%d %b %y") for d in rows], rows, "The org")
        return dict(depth_charts=charts)

    def page_tables(self, words: DepthPage, people: Mapping[str, str]) -> dict[str, Table]:
        return dict(depth=tables.depth_table(words["depth"]))


SECTION = DepthSection()
