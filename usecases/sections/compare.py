"""The comparison's section (a KPI with `compare`: cadence/compare.py): this cycle so far
against the rest of the team in status and the API's playbook read, and there the rest's KPI
week by week; on the web page, the rest's line in the KPI chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, TypedDict

from cadence import calendar
from cadence.compare import Comparison, cycle_so_far
from cadence.definition_compare import Compare
from cadence.state import PlaybookState
from templates.compare_words import compare_phrase
from usecases.sections.base import ApiPart, PagePart, Reading, StatusPart
from usecases.shared.caller import Caller


@dataclass(frozen=True)
class Compared:
    cycle: (
        dict[str, Any] | None
    )  # this cycle so far against the rest, as status says it (None without `compare` or a cycle)
    rests: dict[date, float]  # the rest's KPI by week (empty without `compare`)


def _week(state: PlaybookState, reading: Reading) -> calendar.WeekRef | None:
    """The week of its cycle a playbook is in now (None: no cycle)."""
    if state.anchor is None:
        return None
    return calendar.week_containing(state.running(), calendar.local_date(reading.now, state.playbook.timezone))


Rest = list[float | None] | None  # the rest's KPI over the charted weeks (None without `compare`)


class CompareStatus(TypedDict):
    compared: Comparison | None  # this cycle so far against the rest (None without `compare` or a cycle)


class ComparePage(TypedDict):
    pass  # nothing in the page's context: the rest's line is the KPI chart's (`page_charted`)


class CompareApi(TypedDict):
    comparison: dict[str, Any] | None  # Comparison.figures with `said`


class CompareApiWeek(TypedDict):
    rest: float | None


class CompareSection(
    StatusPart[Comparison | None, CompareStatus],
    PagePart[Rest, ComparePage],
    ApiPart[Compared, CompareApi],
):
    name = "comparison"

    def status(self, caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, Comparison | None]:
        """This cycle's weeks so far against the rest (one read more each), from the KPIs status read."""
        found: dict[int, Comparison | None] = {}
        for state in states:
            p = state.playbook
            compared = Compare.of(p.definition)
            week = calendar.week_containing(state.running(), caller.today(state)) if state.anchor is not None else None
            if week is None or compared is None:
                found[p.id] = None
                continue
            rests = reading.store.reports.rest_range(p.id, week.cycle_start, week.week_start)
            kpis = {w: v for (pid, w), v in reading.kpis.items() if pid == p.id}
            found[p.id] = cycle_so_far(week, kpis, rests, p.kpi_direction, p.kpi_baseline, compared.rest_baseline)
        return found

    def status_words(self, state: PlaybookState, model: Comparison | None) -> CompareStatus:
        return CompareStatus(compared=model)

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Rest]:
        """The rest's KPI over the charted weeks, for the KPI chart (None without `compare`)."""
        weeks = reading.weeks
        found: dict[int, Rest] = {}
        for state in states:
            pid = state.playbook.id
            if Compare.of(state.playbook.definition) is None:
                found[pid] = None
                continue
            rests = reading.store.reports.rest_range(pid, weeks[0], weeks[-1])
            found[pid] = [rests.get(w) for w in weeks]
        return found

    def page_words(self, state: PlaybookState, model: Rest) -> ComparePage:
        return ComparePage()

    def page_charted(self, state: PlaybookState, model: Rest) -> dict[str, Rest]:
        return dict(rest=model)

    def api(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Compared]:
        """Over the read's weeks, with the KPIs of its figures."""
        found = {}
        weeks = reading.weeks
        for state in states:
            p = state.playbook
            compared = Compare.of(p.definition)
            rests = reading.store.reports.rest_range(p.id, weeks[0], weeks[-1]) if compared else {}
            week = _week(state, reading)
            cycle = None
            if compared is not None and week is not None:
                kpis = {w: f.kpi for (pid, w), f in reading.figures.items() if pid == p.id and f.kpi is not None}
                so_far = cycle_so_far(week, kpis, rests, p.kpi_direction, p.kpi_baseline, compared.rest_baseline)
                cycle = dict(so_far.figures(), said=compare_phrase(so_far, p.kpi_unit))
            found[p.id] = Compared(cycle, rests)
        return found

    def api_fields(self, state: PlaybookState, model: Compared) -> CompareApi:
        return CompareApi(comparison=model.cycle)

    def api_week(self, model: Compared, week: date) -> CompareApiWeek:
        return CompareApiWeek(rest=model.rests.get(week))


SECTION = CompareSection()
