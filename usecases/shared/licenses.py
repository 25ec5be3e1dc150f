"""Licenses against results (docs/usage-records.md, "Licenses against results"), read the
same way by the sponsor's first screen, the digest, the API and the assistant: for each
tool a usage source covers, its seats and their holders active in its latest week kept,
each function's seats (under the pulse's floor, "too few people to show"), the playbooks
whose teams used it that week and how many of them moved their KPI, and the idle seats'
cost where the usage file declares `seat_per_month`.

A playbook is on a tool when it declares it (its `tool:`, or a step's) and at least one
person of its team used the tool in the tool's latest week kept. It moved its KPI when it
stands "on track" (cadence.sponsor.standing, the standing the overview and the digest
show: the running cycle's closed weeks met the target in at least half of them, or its
last completed cycle hit it)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TypedDict

from cadence import calendar, pulse, sponsor
from cadence.licenses import ORG, FunctionSeats, SeatWeek, ToolLicenses, idle_spend
from cadence.state import PlaybookState
from cadence.value import COST_WEEKS, money
from storage.store import Store
from storage.usage import monday
from usecases.shared import stalling
from usecases.shared.usage_weeks import sources_of


class FunctionData(TypedDict):
    """A function's seats of a tool as data: None under the pulse's floor (too few people to show)."""

    function: str
    seats: int | None
    active: int | None


class ToolData(TypedDict):
    """A tool's licenses against results as data (the API's and the assistant's `licenses`)."""

    tool: str
    week: str | None  # the Monday of its latest week kept, ISO; None: never pulled
    seats: int | None
    active: int | None
    idle: int | None
    playbooks: int
    moved: int
    seat_per_month: float | None
    idle_cost_week: float | None
    functions: list[FunctionData]
    said: str


@dataclass(frozen=True)
class Licenses:
    """Every covered tool's licenses against results, as of `this_monday`'s week (UTC), and
    the idle seats' cost over the last whole weeks (net value's line of spend; None: no
    tool declares a seat's price, or none has a whole week of seats known)."""

    tools: tuple[ToolLicenses, ...] = ()
    this_monday: date = date.min
    currency: str = "USD"
    idle: tuple[float, str] | None = None
    weeks: Sequence[SeatWeek] = field(default_factory=tuple)

    def lines(self) -> list[str]:
        """A line a tool, in the spec's words: "copilot: 120 seats, 41 active this week; 3
        playbooks on it, 2 moved their KPI; 79 idle seats, 346 USD a week"."""
        return [tool.words(self.this_monday, self.currency) for tool in self.tools]

    def functions(self, tool: ToolLicenses) -> list[str]:
        return [f.words for f in tool.functions]

    def as_data(self) -> list[ToolData]:
        """The API's and the assistant's `licenses`: a tool each."""
        return [_tool_data(t, self.this_monday, self.currency) for t in self.tools]

    @property
    def idle_words(self) -> str | None:
        """Net value's line of spend: "idle seats 1,380 USD (copilot, 4 weeks)"."""
        return None if self.idle is None else f"idle seats {money(self.idle[0], self.currency)} ({self.idle[1]})"


def _tool_data(t: ToolLicenses, this_monday: date, currency: str) -> ToolData:
    return ToolData(
        tool=t.tool,
        week=None if t.week is None else t.week.isoformat(),
        seats=t.seats,
        active=t.active,
        idle=t.idle,
        playbooks=t.playbooks,
        moved=t.moved,
        seat_per_month=t.seat_per_month,
        idle_cost_week=t.idle_cost_week,
        functions=[
            FunctionData(function=f.function, seats=f.seats if f.shown else None, active=f.active if f.shown else None)
            for f in t.functions
        ],
        said=t.words(this_monday, currency),
    )


def read(store: Store, states: Sequence[PlaybookState], now: datetime, currency: str) -> Licenses:
    """The licenses of the tools the usage sources cover, over `states` (the playbooks the
    surface shows). Nothing where no source is loaded."""
    specs = sources_of(store)
    this_monday = monday(now.astimezone(UTC).date())
    if not specs:
        return Licenses(this_monday=this_monday, currency=currency)
    rows = store.usage.seat_weeks(this_monday - timedelta(days=7 * (COST_WEEKS + 1)))
    latest = {tool: _latest(rows, tool) for tool in specs}
    on = _on_tools(store, states, latest)
    standings = _standings(store, [s for s in states if any(s.playbook.id in ids for ids in on.values())], now)
    floors = _floors(states)
    tools = tuple(
        _tool(tool, latest[tool], rows, on.get(tool, set()), standings, specs[tool].seat_per_month, floors)
        for tool in sorted(specs)
    )
    prices = {tool: spec.seat_per_month for tool, spec in specs.items() if spec.seat_per_month is not None}
    org = [w for w in rows if w.function == ORG and _shown(w)]
    return Licenses(tools, this_monday, currency, idle_spend(org, prices, this_monday, COST_WEEKS), tuple(rows))


def idle_of(store: Store, now: datetime) -> tuple[float, str] | None:
    """The idle seats' cost over the last whole weeks, net value's line of spend
    (cadence.licenses.idle_spend); None where no source declares `seat_per_month`."""
    prices = {tool: spec.seat_per_month for tool, spec in sources_of(store).items() if spec.seat_per_month is not None}
    if not prices:
        return None
    this_monday = monday(now.astimezone(UTC).date())
    rows = store.usage.seat_weeks(this_monday - timedelta(days=7 * (COST_WEEKS + 1)))
    return idle_spend([w for w in rows if w.function == ORG and _shown(w)], prices, this_monday, COST_WEEKS)


def _latest(rows: Iterable[SeatWeek], tool: str) -> SeatWeek | None:
    """The tool's latest week of the org's seats kept (None: never pulled)."""
    kept = [w for w in rows if w.tool == tool and w.function == ORG]
    return max(kept, key=lambda w: w.week) if kept else None


def declares(state: PlaybookState, tool: str) -> bool:
    """The playbook names `tool` with its `tool:` or a step's."""
    spec = state.spec
    return spec.tool == tool or any(step.tool == tool for step in spec.steps)


def _on_tools(
    store: Store, states: Sequence[PlaybookState], latest: Mapping[str, SeatWeek | None]
) -> dict[str, set[int]]:
    """Each tool's playbooks on it: declaring it, with someone of the team active on it in
    the tool's latest week."""
    weeks = [w.week for w in latest.values() if w is not None]
    if not weeks or not states:
        return {}
    kept = store.usage.weeks(sorted({s.playbook.channel_id for s in states}), min(weeks))
    active = {(w.channel_id, w.tool, w.week) for w in kept if w.active > 0}
    return {
        tool: {s.playbook.id for s in states if declares(s, tool) and (s.playbook.channel_id, tool, w.week) in active}
        for tool, w in latest.items()
        if w is not None
    }


def _standings(store: Store, states: Sequence[PlaybookState], now: datetime) -> dict[int, str]:
    """Each playbook's standing now, as the overview judges it (usecases/shared/stalling.py)."""
    if not states:
        return {}
    weeks = {s.playbook.id: _week(s, now) for s in states}
    mondays = {
        w.cycle_start + timedelta(days=7 * i) for w in weeks.values() if w is not None for i in range(w.week - 1)
    }
    ids = [s.playbook.id for s in states]
    kpis = store.readouts.kpi_series(ids, sorted(mondays))
    stalled, hits = stalling.stalled(store, list(states)), store.governance.last_hits(ids)
    found = {}
    for s in states:
        pid = s.playbook.id
        mine = {m: v for (p, m), v in kpis.items() if p == pid}
        found[pid] = stalling.standing(s, weeks[pid], mine, pid in stalled, hits.get(pid))
    return found


def _week(state: PlaybookState, now: datetime) -> calendar.WeekRef | None:
    if state.anchor is None:
        return None
    return calendar.week_containing(state.running(), calendar.local_date(now, state.playbook.timezone))


def _floors(states: Iterable[PlaybookState]) -> dict[str, int]:
    """Each function's pulse floor: the highest `pulse_min_answers` of its playbooks (5 at least)."""
    found: dict[str, int] = {}
    for s in states:
        floor = pulse.needed(s.settings.pulse_min_answers)
        found[s.spec.function] = max(found.get(s.spec.function, pulse.MIN_ANSWERS), floor)
    return found


def _tool(
    tool: str,
    latest: SeatWeek | None,
    rows: Sequence[SeatWeek],
    on: set[int],
    standings: Mapping[int, str],
    price: float | None,
    floors: Mapping[str, int],
) -> ToolLicenses:
    moved = sum(1 for pid in on if standings.get(pid) == sponsor.ON_TRACK)
    if latest is None:
        return ToolLicenses(tool, None, None, None, len(on), moved, price)
    functions = tuple(
        FunctionSeats(w.function, w.seats, w.active or 0, w.seats >= floors.get(w.function, pulse.MIN_ANSWERS))
        for w in rows
        if w.tool == tool and w.week == latest.week and w.function != ORG and w.seats
    )
    # the org's own figures under the floor too: of three seats, "0 active" is each holder's use
    active = latest.active if _shown(latest) else None
    return ToolLicenses(tool, latest.week, latest.seats, active, len(on), moved, price, functions)


def _shown(week: SeatWeek) -> bool:
    """Whether the org's seats of a week are enough to show how many of them were active:
    at least the pulse's floor (5), as a function's are."""
    return week.seats is not None and week.seats >= pulse.MIN_ANSWERS
