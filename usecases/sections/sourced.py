"""The sourced numbers' section (docs/sources.md; usecases/sources.py): each number a
playbook pulls from its sources, with where and when it came from or why it failed, and
the metric delivery (usecases/shared/reliability.py): on status (the last week that
ended), the web page (the table's weeks, and sourced.csv) and the API's playbook read
(each week's `sources`, and `input_reliability`). A playbook without sources shows none
of it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from cadence.state import PlaybookState
from templates import tables
from templates.tables import Table
from usecases import sources
from usecases.sections.base import Reading, Section
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


class SourcedSection(Section):
    name = "sourced"

    def status(self, caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, Any]:
        """The last week that ended."""
        return _read(reading, states, lambda state: [sources.last_ended_week(state, reading.now)])

    def status_words(self, state: PlaybookState, model: Sourced | None) -> dict[str, Any]:
        if model is None:
            return dict(sourced=None)
        week = model.weeks[0]
        units = {"kpi": state.playbook.kpi_unit, "guardrail": state.guardrail_unit}
        lines = [
            dict(what=item["what"], said=sources.in_words(item, units.get(item["number"], "")))
            for item in model.items.get(week, [])
        ]
        return dict(sourced=dict(week=week.isoformat(), lines=lines, reliability=model.reliability.words()))

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Any]:
        """The page's table weeks."""
        return _read(reading, states, lambda state: reading.table_weeks)

    def page_words(self, state: PlaybookState, model: Sourced | None) -> dict[str, Any]:
        """The newest week first (templates/web/playbook.html's table and sourced.csv)."""
        if model is None:
            return dict(sourced=[], reliability=None)
        sourced = [
            dict(week=w, label=state.week_label(w), **item, said=sources.in_words(item))
            for w in reversed(model.weeks)
            for item in model.items.get(w, [])
        ]
        return dict(sourced=sourced, reliability=model.reliability.words())

    def api(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Any]:
        """The read's weeks."""
        return _read(reading, states, lambda state: reading.weeks)

    def api_fields(self, state: PlaybookState, model: Sourced | None) -> dict[str, Any]:
        return dict(input_reliability=None if model is None else model.reliability.share)

    def api_week(self, model: Sourced | None, week: date) -> dict[str, Any]:
        """The provenance of the week's sourced numbers: the value, the source and the fetch
        instant, or the error."""
        items = [] if model is None else model.items.get(week, [])
        return dict(
            sources=[
                dict(
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

    def page_tables(self, shown: dict[str, Any]) -> dict[str, Table]:
        return dict(sourced=tables.sourced_table(shown.get("sourced", [])))


SECTION = SourcedSection()
