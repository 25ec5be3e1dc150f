"""The sourced numbers' section (docs/sources.md; usecases/sources.py): each number a
playbook pulls from its sources, with where and when it came from or why it failed, and
the metric delivery (usecases/shared/reliability.py): on status (the last week that
ended), the web page (the table's weeks, and sourced.csv) and the API's playbook read
(each week's `sources`, and `input_reliability`). A playbook without sources shows none
of it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, TypedDict

from cadence.state import PlaybookState
from templates import tables
from templates.tables import Table
from usecases import sources
from usecases.sections.base import ApiPart, PagePart, Reading, StatusPart
from usecases.shared.caller import Caller
from usecases.shared.reliability import Reliability


@dataclass(frozen=True)
class Sourced:
    """The sourced numbers of some weeks, by week (usecases/sources.py's provenance), and
    the metric delivery. A playbook without sources has None for its model."""

    weeks: list[date]
    items: dict[date, list[dict[str, Any]]]
    reliability: Reliability


def _read(
    reading: Reading, states: list[PlaybookState], weeks_of: Callable[[PlaybookState], list[date]]
) -> dict[int, Sourced | None]:
    """Each playbook's sourced numbers of its weeks (`weeks_of` it), or None without sources."""
    found: dict[int, Sourced | None] = {}
    for state in states:
        reliable = sources.reliability(reading.store, state, reading.now)
        shown = weeks_of(state)
        found[state.playbook.id] = (
            None if reliable is None else Sourced(shown, sources.provenance(reading.store, state, shown), reliable)
        )
    return found


class SourcedLine(TypedDict):
    what: str
    said: str


class SourcedWeek(TypedDict):
    week: str
    lines: list[SourcedLine]
    reliability: str


class SourcedStatus(TypedDict):
    sourced: SourcedWeek | None


class SourcedPage(TypedDict):
    sourced: list[dict[str, object]]  # a provenance item (usecases/sources.py) with its week, label and words
    reliability: str | None


class SourcedApi(TypedDict):
    input_reliability: float | None


class SourcedFetch(TypedDict):
    number: str
    source: str
    value: float | None
    fetched_at: str | None
    typed: bool
    error: str | None


class SourcedApiWeek(TypedDict):
    sources: list[SourcedFetch]


class SourcedSection(
    StatusPart[Sourced | None, SourcedStatus],
    PagePart[Sourced | None, SourcedPage],
    ApiPart[Sourced | None, SourcedApi],
):
    name = "sourced"

    def status(self, caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, Sourced | None]:
        """The last week that ended."""
        return _read(reading, states, lambda state: [sources.last_ended_week(state, reading.now)])

    def status_words(self, state: PlaybookState, model: Sourced | None) -> SourcedStatus:
        if model is None:
            return SourcedStatus(sourced=None)
        week = model.weeks[0]
        units = {"kpi": state.playbook.kpi_unit, "guardrail": state.guardrail_unit}
        lines = [
            SourcedLine(what=item["what"], said=sources.in_words(item, units.get(item["number"], "")))
            for item in model.items.get(week, [])
        ]
        return SourcedStatus(
            sourced=SourcedWeek(week=week.isoformat(), lines=lines, reliability=model.reliability.words())
        )

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Sourced | None]:
        """The page's table weeks."""
        return _read(reading, states, lambda state: reading.table_weeks)

    def page_words(self, state: PlaybookState, model: Sourced | None) -> SourcedPage:
        """The newest week first (templates/web/playbook.html's table and sourced.csv)."""
        if model is None:
            return SourcedPage(sourced=[], reliability=None)
        sourced: list[dict[str, object]] = [
            dict(week=w, label=state.week_label(w), **item, said=sources.in_words(item))
            for w in reversed(model.weeks)
            for item in model.items.get(w, [])
        ]
        return SourcedPage(sourced=sourced, reliability=model.reliability.words())

    def api(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Sourced | None]:
        """The read's weeks."""
        return _read(reading, states, lambda state: reading.weeks)

    def api_fields(self, state: PlaybookState, model: Sourced | None) -> SourcedApi:
        return SourcedApi(input_reliability=None if model is None else model.reliability.share)

    def api_week(self, model: Sourced | None, week: date) -> SourcedApiWeek:
        """The provenance of the week's sourced numbers: the value, the source and the fetch
        instant, or the error."""
        items = [] if model is None else model.items.get(week, [])
        return SourcedApiWeek(
            sources=[
                SourcedFetch(
                    number=item["number"],
                    source=item["source"],
                    value=item["value"],
                    fetched_at=item["at"].isoformat() if item["at"] is not None else None,
                    typed=item["typed"],
                    error=item["error"],
                )
                for item in items
            ]
        )

    def page_tables(self, words: SourcedPage, people: Mapping[str, str]) -> dict[str, Table]:
        return dict(sourced=tables.sourced_table(words.get("sourced", [])))


SECTION = SourcedSection()
