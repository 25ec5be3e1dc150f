"""A section (issue 94, item 3; issue 110, item 2): what one capability shows, as one
small part per surface it appears on. A section subclasses the parts of its surfaces only:
status; the digest; the registry page; a playbook's web page; the API's summary of a
playbook and its read (the assistant's `playbook` tool is that read); the web overview's
lines and its org figures;
`rollout export csv`. A part reads its model once per surface call, over the playbooks
the surface shows (batched where its reads allow), and words it for the surface.

The parts are typed: a part's model is its first type parameter (M), and what it shows
is its second (W), a TypedDict of its own whose keys join the surface's context (a
template's names, the API's fields). Two parts of one surface naming the same key is a
TypeError when the sections load (usecases/sections/__init__.py), so one capability
cannot silently overwrite another's words. The surfaces loop over the registered
sections and hold no capability's code.

A section whose words a template names unguarded (status.json.j2, web/playbook.html use
`sourced`, `calibration`, `origin`, `kit`, `intake`...) returns a model for every playbook
it is given, None included: a playbook it leaves out has none of its words."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from cadence.calendar import WeekRef
from cadence.change import Message
from cadence.digest import PlaybookDigest
from cadence.state import PlaybookState
from storage.store import Store
from templates.tables import Column, Table
from templates.web_charts import LineChart
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


M = TypeVar("M")  # a part's model: what its read returns for each playbook
W = TypeVar("W", bound=Mapping[str, object])  # what a part shows: a TypedDict of its own
G = TypeVar("G", bound=Mapping[str, object])  # what a part shows of the org (the overview's, the digest's header)

Chart = LineChart | list[LineChart] | None  # what templates/web/*.html draw (templates/web_charts.py); None: nothing


class Part:
    """What every part has: its section's name, the key of its model in a surface's read."""

    name: str = ""


class StatusPart(Part, Generic[M, W]):
    """`/rollout status` (usecases/status.py; handlers/present_status.py words it with
    templates/status.json.j2)."""

    def status(self, caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, M]:
        raise NotImplementedError

    def status_words(self, state: PlaybookState, model: M) -> W:
        raise NotImplementedError


class DigestPart(Part, Generic[M, W]):
    """The curators' weekly digest (usecases/digest.py): a playbook's week's fields, and
    what the section pools, its header's figures and messages of its own where it has them."""

    def digest(self, reading: Reading, reported: dict[int, tuple[PlaybookState, WeekRef]]) -> dict[int, M]:
        """`reported`: each playbook's reported week (its latest closed)."""
        raise NotImplementedError

    def digest_week(self, model: M) -> W:
        """A playbook's cadence.digest.PlaybookWeek fields."""
        raise NotImplementedError


class DigestOrgPart(Part):
    """The digest's header and its threads: what a section shows of the org, not of a playbook."""

    def digest_rollup(self, digests: list[PlaybookDigest]) -> Mapping[str, object]:
        """What the section pools over playbooks: the header's and each function's (first part)."""
        return {}

    def digest_org(self, reading: Reading, active: list[PlaybookState]) -> Mapping[str, object]:
        """The header's cadence.digest.OrgWeek fields, over every active playbook."""
        return {}

    def digest_messages(self, reading: Reading, unit: str, summary_key: str, channel: str) -> list[Message]:
        """Messages of the section's own after the digest's (threads under its summary,
        `summary_key`), each keyed within the digest's `unit`."""
        return []


H = TypeVar("H")  # a header part's own model of the digest's header
A = TypeVar("A", bound=Mapping[str, object])  # its fields of the API's digest `org`: a TypedDict of its own


class DigestHeaderPart(Part, Generic[H, A]):
    """Lines of the digest's header that a section carries as its own model (issue 110): read
    over every active playbook, rendered by the section's own fragment of the header
    (`fragment`, a templates/_*.j2 given `model`), and the API's digest's `org` fields (the
    assistant's `digest` tool) drawn from the same model. The header keeps the models by
    section name (cadence.digest.OrgWeek `parts`), no field of any capability; the
    fragments follow the sections' order, where the header's template loops over them."""

    fragment: str = ""

    def digest_header(self, reading: Reading, active: list[PlaybookState]) -> H:
        raise NotImplementedError

    def digest_api(self, model: H) -> A:
        raise NotImplementedError


class RegistryPart(Part, Generic[W]):
    """The web view's registry page (usecases/web.py): what the section adds over every version."""

    def registry_page(self, reading: Reading) -> W:
        raise NotImplementedError


class PagePart(Part, Generic[M, W]):
    """A playbook's web page (usecases/web.py; handlers/web_playbook.py, web_view.py):
    templates/web/playbook.html's context, and its CSVs' and charts' (drawn from the
    part's own words)."""

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, M]:
        raise NotImplementedError

    def page_words(self, state: PlaybookState, model: M) -> W:
        raise NotImplementedError

    def page_charted(self, state: PlaybookState, model: M) -> dict[str, list[float | None] | None]:
        """The KPI chart's lines of the section, a value per charted week (`reading.weeks`)."""
        return {}

    def page_tables(self, words: W, people: Mapping[str, str]) -> dict[str, Table]:
        """The section's tables of the page (each a CSV, `<page>/<name>.csv`), by name
        (`people`: the page's names of its people, by user id)."""
        return {}

    def page_charts(self, words: W, title: str) -> dict[str, Chart]:
        """The page's charts of the section (`title`: the playbook's)."""
        return {}


class SummaryPart(Part, Generic[M, W]):
    """A playbook's summary in the API, in its list (GET /api/v1/playbooks) and its read."""

    def summary(self, reading: Reading, states: list[PlaybookState]) -> dict[int, M]:
        raise NotImplementedError

    def summary_fields(self, state: PlaybookState, model: M) -> W:
        raise NotImplementedError

    def summary_kpi(self, state: PlaybookState, model: M) -> Mapping[str, object]:
        """Fields of the summary's `kpi` object, after its baseline."""
        return {}


class ApiPart(Part, Generic[M, W]):
    """The API's playbook read, GET /api/v1/playbooks/{slug} and the assistant's `playbook`."""

    def api(self, reading: Reading, states: list[PlaybookState]) -> dict[int, M]:
        raise NotImplementedError

    def api_fields(self, state: PlaybookState, model: M) -> W:
        raise NotImplementedError

    def api_week(self, model: M, week: date) -> Mapping[str, object]:
        """A week's fields among the read's weeks (`reading.weeks`)."""
        return {}


class OverviewPart(Part, Generic[M, W]):
    """The web view's org overview (usecases/web_overview.py; handlers/present_overview.py):
    a line's fields for each listed playbook."""

    def overview_weeks(self, state: PlaybookState, now: datetime) -> list[date]:
        """The weeks whose KPI the section's line needs beside the overview's own (its read
        is one for every playbook and section: `reading.kpis`)."""
        return []

    def overview(self, reading: Reading, states: list[PlaybookState]) -> dict[int, M]:
        """Each listed playbook's model."""
        raise NotImplementedError

    def overview_line(self, state: PlaybookState, model: M) -> W:
        """The line's fields (templates/web/overview.html, templates/tables.py's overview_tables)."""
        raise NotImplementedError


class OverviewOrgPart(Part, Generic[M, G]):
    """The overview's org figures of the section, with the columns, tables and charts drawn
    from them; `models` are its OverviewPart's, by playbook id (none for a section that
    shows no line)."""

    def overview_org(self, reading: Reading, models: dict[int, M]) -> G:
        """The org's figures of the section over the playbooks listed."""
        raise NotImplementedError

    def overview_columns(self, org: G) -> list[Column]:
        """The section's columns of the overview's playbooks table (playbooks.csv)."""
        return []

    def overview_tables(self, org: G) -> dict[str, Table]:
        """The section's own tables of the overview (each a CSV), by name."""
        return {}

    def overview_charts(self, org: G) -> dict[str, Chart]:
        """The overview's charts of the section."""
        return {}


class ExportPart(Part):
    """`rollout export csv` (usecases/operator.py) and the API's export."""

    def export(self, store: Store, states: list[PlaybookState]) -> dict[str, Table]:
        """Files beside the tables', by name: each a header and its rows, per playbook in
        slug order (`rollout export csv` asks a batch of playbooks at a time and puts each
        batch's rows after the last's: sections.export_all)."""
        raise NotImplementedError
