"""A section (issue 94, item 3): what one capability shows, on every surface it appears
on. A section reads its model once per surface call, over the playbooks the surface
shows (batched where its reads allow), and renders it for each surface: status's words;
the digest's fields, rollups, header and messages of its own; the web page's context and
charts; the web overview's lines, columns, tables, charts and org figures; the API's
fields, its summary's `kpi` object (the assistant's `playbook` tool is that read); its
CSV files. Every hook has a default that shows nothing, so a section overrides only the
surfaces it appears on. The surfaces loop over the registered sections
(usecases/sections/__init__.py) and hold no capability's code.

A section whose words a template names unguarded (status.json.j2, web/playbook.html use
`sourced`, `calibration`, `origin`, `kit`, `intake`...) returns a model for every playbook
it is given, None included: a playbook it leaves out has none of its words."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cadence.calendar import WeekRef
from cadence.change import Message
from cadence.digest import PlaybookDigest
from cadence.state import PlaybookState
from storage.store import Store
from templates.tables import Column, Table
from usecases.shared.caller import Caller


@dataclass(frozen=True)
class Reading:
    """What a surface gives its sections to read with: its reading (one connection), the
    instant it shows, the org's money settings, and what it read already that a section
    would otherwise read again."""

    store: Store
    now: datetime
    currency: str = "USD"  # ROLLOUT_CURRENCY
    hourly_rate: float | None = None  # ROLLOUT_HOURLY_RATE
    timezone: str = "UTC"  # the org's (ROLLOUT_TIMEZONE), for the org's own weeks: a surface that shows them sets it
    decisions: dict[int, list[Any]] = field(default_factory=dict)  # each playbook's newest 100, newest first
    weeks: list[date] = field(default_factory=list)  # the surface's weeks, oldest first (the API's, the page's charts')
    table_weeks: list[date] = field(default_factory=list)  # the web page's table's weeks, oldest first
    figures: dict[tuple[int, date], Any] = field(default_factory=dict)  # WeekFigures the surface read, by (id, week)
    kpis: dict[tuple[int, date], float] = field(default_factory=dict)  # the KPIs the surface read, by (id, week)
    full: dict[int, bool] = field(default_factory=dict)  # who reads names and reasons (roles.sees_names), by id


class Section:
    """A capability's section: its name (the key of its model in a surface's read) and its
    hooks, each surface's read and its rendering. A read returns a model per playbook id;
    a playbook left out shows nothing of the section (its words hook is not called)."""

    name: str = ""

    # `/rollout status` (usecases/status.py; handlers/present_status.py words it)
    def status(self, caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, Any]:
        return {}

    def status_words(self, state: PlaybookState, model: Any) -> dict[str, Any]:
        """templates/status.json.j2's context."""
        return {}

    # the curators' weekly digest (usecases/digest.py)
    def digest(self, reading: Reading, reported: dict[int, tuple[PlaybookState, WeekRef]]) -> dict[int, Any]:
        """`reported`: each playbook's reported week (its latest closed)."""
        return {}

    def digest_week(self, model: Any) -> dict[str, Any]:
        """A playbook's cadence.digest.PlaybookWeek fields."""
        return {}

    def digest_rollup(self, digests: list[PlaybookDigest]) -> dict[str, Any]:
        """What the section pools over playbooks: the header's and each function's (first part)."""
        return {}

    def digest_org(self, reading: Reading, active: list[PlaybookState]) -> dict[str, Any]:
        """The header's cadence.digest.OrgWeek fields, over every active playbook."""
        return {}

    def digest_messages(self, reading: Reading, unit: str, summary_key: str, channel: str) -> list[Message]:
        """Messages of the section's own after the digest's (threads under its summary,
        `summary_key`), each keyed within the digest's `unit`."""
        return []

    # the web view's registry page (usecases/web.py): what the section adds over every version
    def registry_page(self, reading: Reading) -> dict[str, Any]:
        return {}

    # a playbook's web page (usecases/web.py; handlers/web_playbook.py, web_view.py)
    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Any]:
        return {}

    def page_words(self, state: PlaybookState, model: Any) -> dict[str, Any]:
        """templates/web/playbook.html's and its CSVs' (templates/tables.py) context."""
        return {}

    def page_charted(self, state: PlaybookState, model: Any) -> dict[str, Any]:
        """The KPI chart's lines of the section, a value per charted week (`reading.weeks`)."""
        return {}

    def page_tables(self, shown: dict[str, Any]) -> dict[str, Table]:
        """The section's tables of the page (each a CSV, `<page>/<name>.csv`), by name, from
        the page's context."""
        return {}

    def page_charts(self, shown: dict[str, Any]) -> dict[str, Any]:
        """The page's charts drawn from its context."""
        return {}

    # a playbook's summary in the API, in its list (GET /api/v1/playbooks) and its read
    def summary(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Any]:
        return {}

    def summary_fields(self, state: PlaybookState, model: Any) -> dict[str, Any]:
        return {}

    def summary_kpi(self, state: PlaybookState, model: Any) -> dict[str, Any]:
        """Fields of the summary's `kpi` object, after its baseline."""
        return {}

    # the API's playbook read, GET /api/v1/playbooks/{slug} and the assistant's `playbook`
    def api(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Any]:
        return {}

    def api_fields(self, state: PlaybookState, model: Any) -> dict[str, Any]:
        return {}

    def api_week(self, model: Any, week: date) -> dict[str, Any]:
        """A week's fields among the read's weeks (`reading.weeks`)."""
        return {}

    # the web view's org overview (usecases/web_overview.py; handlers/present_overview.py)
    def overview_weeks(self, state: PlaybookState, now: datetime) -> list[date]:
        """The weeks whose KPI the section's line needs beside the overview's own (its read
        is one for every playbook and section: `reading.kpis`)."""
        return []

    def overview(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Any]:
        """Each listed playbook's model: its line's fields in its function's table come from
        it (`overview_line`), and the section's org figures (`overview_org`)."""
        return {}

    def overview_line(self, state: PlaybookState, model: Any) -> dict[str, Any]:
        """The line's fields (templates/web/overview.html, templates/tables.py's overview_tables)."""
        return {}

    def overview_org(self, reading: Reading, models: dict[int, Any]) -> dict[str, Any]:
        """The org's figures of the section over the playbooks listed (`models`, by id: its
        `overview`'s)."""
        return {}

    def overview_columns(self, shown: dict[str, Any]) -> list[Column]:
        """The section's columns of the overview's playbooks table (playbooks.csv), given the
        page's context (handlers/present_overview.py)."""
        return []

    def overview_tables(self, shown: dict[str, Any]) -> dict[str, Table]:
        """The section's own tables of the overview (each a CSV), by name."""
        return {}

    def overview_charts(self, shown: dict[str, Any]) -> dict[str, Any]:
        """The overview's charts of the section, drawn from the page's context."""
        return {}

    # `rollout export csv` (usecases/operator.py)
    def export(self, store: Store, states: list[PlaybookState]) -> dict[str, Table]:
        """Files beside the tables', by name: each a header and its rows."""
        return {}
