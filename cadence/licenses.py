"""Licenses against results (docs/usage-records.md, "Licenses against results"): a tool's
seats set beside who used them and what the playbooks on it achieved. The domain's part:
the seats of a week counted from a pull's seats and records (`seat_weeks`, counts only,
never a person), and a tool's figures as the sponsor reads them (`ToolLicenses`), with the
idle seats' cost where the usage file declares a seat's price a month.

Seats are the tool's own list at the pull (a tool lists its seats as they are now, not as
they were), set beside each week the pull covered. A tool that lists no seats has its
seats unknown (None), never 0."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from cadence.usage import Seat, UsageRecord
from cadence.value import money, signed_money, spend_over

ORG = ""  # a SeatWeek's function for the whole org's seats
UNKNOWN = "seats unknown"  # a tool that lists no seats: never 0
TOO_FEW = "too few people to show"  # a function with fewer seat holders than the pulse's floor


@dataclass(frozen=True)
class SeatWeek:
    """A tool's seats in a week, the org's (`function` ORG) or a function's: how many seats,
    and how many of their holders used the tool that week. None: the tool lists no seats."""

    tool: str
    week: date  # the Monday
    function: str  # ORG, or a function of the playbooks (cadence/definition.py `function`)
    seats: int | None
    active: int | None


def _holder(login: str, email: str | None, user_of: Callable[[str, str | None], str | None]) -> str:
    """Who a seat or a record is, to set one beside the other: the Slack person matched, else
    the tool's own login (compared without case). Held in memory for the count alone."""
    user = user_of(login, email)
    return user if user is not None else "login:" + login.casefold()


def seat_weeks(
    tool: str,
    records: Iterable[UsageRecord],
    seats: Iterable[Seat] | None,
    user_of: Callable[[str, str | None], str | None],
    functions: Mapping[str, frozenset[str]],
    weeks: Iterable[date],
    monday_of: Callable[[date], date],
) -> list[SeatWeek]:
    """The org's seats of `tool` in each of `weeks` (Mondays the pull covered), and each
    function's: the seat holders who are people of the teams of its playbooks (`functions`:
    each function's Slack people). A seat holder is active in a week when the tool's records
    show them on one day of it at least. `seats` None (the tool lists none): the org's
    seats unknown, and no function's."""
    if seats is None:
        return [SeatWeek(tool, week, ORG, None, None) for week in sorted(set(weeks))]
    holders = {_holder(seat.login, seat.email, user_of) for seat in seats}
    used: dict[date, set[str]] = {}
    for record in records:
        used.setdefault(monday_of(record.day), set()).add(_holder(record.login, record.email, user_of))
    found = []
    for week in sorted(set(weeks)):
        active = holders & used.get(week, set())
        found.append(SeatWeek(tool, week, ORG, len(holders), len(active)))
        for function, people in sorted(functions.items()):
            found.append(SeatWeek(tool, week, function, len(holders & people), len(active & people)))
    return found


def idle_cost(seats: int | None, active: int | None, seat_per_month: float | None, weeks: int = 1) -> float | None:
    """The idle seats' cost over `weeks` weeks: (seats − active) × the seat's price a month
    × 12 ÷ 52 × weeks (cadence.value.spend_over, as every spend). None without a price or
    with the seats unknown."""
    if seat_per_month is None or seats is None or active is None:
        return None
    return spend_over(max(seats - active, 0) * seat_per_month, weeks)


@dataclass(frozen=True)
class FunctionSeats:
    """A function's seats of a tool in the tool's latest week: shown only where its seat
    holders are at least the pulse's floor (`shown`)."""

    function: str
    seats: int
    active: int
    shown: bool

    @property
    def words(self) -> str:
        return (
            f"{self.function}: {self.seats} seats, {self.active} active"
            if self.shown
            else f"{self.function}: {TOO_FEW}"
        )


@dataclass(frozen=True)
class ToolLicenses:
    """A tool's licenses against results: its seats and their holders active in its latest
    week kept (`week`; None: never pulled), the playbooks whose teams used it that week and
    how many of them moved their KPI (on track), the seat's price a month where declared,
    and each function's seats."""

    tool: str
    week: date | None
    seats: int | None
    active: int | None
    playbooks: int
    moved: int
    seat_per_month: float | None = None
    functions: tuple[FunctionSeats, ...] = ()

    @property
    def idle(self) -> int | None:
        return None if self.seats is None or self.active is None else max(self.seats - self.active, 0)

    @property
    def idle_cost_week(self) -> float | None:
        """The idle seats' cost a week: idle × seat_per_month × 12 ÷ 52."""
        return idle_cost(self.seats, self.active, self.seat_per_month)

    def words(self, this_monday: date, currency: str) -> str:
        """ "copilot: 120 seats, 41 active this week; 3 playbooks on it, 2 moved their KPI;
        79 idle seats, 346 USD a week" """
        return f"{self.tool}: {self.seats_words(this_monday)}; {self.playbooks_words}{self.idle_words(currency)}"

    def seats_words(self, this_monday: date) -> str:
        if self.seats is None:
            return UNKNOWN
        if self.active is None:  # fewer seats than the floor: how many were active is each holder's use
            return f"{self.seats} seats, active {when(self.week, this_monday)}: {TOO_FEW}"
        return f"{self.seats} seats, {self.active} active {when(self.week, this_monday)}"

    @property
    def playbooks_words(self) -> str:
        on = "1 playbook on it" if self.playbooks == 1 else f"{self.playbooks} playbooks on it"
        return on if not self.playbooks else f"{on}, {self.moved} moved their KPI"

    def idle_words(self, currency: str) -> str:
        cost = self.idle_cost_week
        if cost is None or not self.idle:
            return ""
        seats = "1 idle seat" if self.idle == 1 else f"{self.idle} idle seats"
        return f"; {seats}, {money(cost, currency)} a week"


def when(week: date | None, this_monday: date) -> str:
    """The week a figure is of, in words: this week, last week, or the week of its Monday."""
    if week == this_monday:
        return "this week"
    if week == this_monday - timedelta(days=7):
        return "last week"
    return f"in the week of {week.isoformat()}" if week is not None else "in no week yet"


def idle_spend(
    org_weeks: Sequence[SeatWeek], prices: Mapping[str, float], before: date, weeks: int
) -> tuple[float, str] | None:
    """The idle seats' cost, a line of net value's spend: over each priced tool's last
    `weeks` whole weeks kept before `before` (the current week's Monday) whose seats are
    known, each week's idle × price × 12 ÷ 52, summed; with its words ("idle seats 1,380
    USD: copilot, 4 weeks"). None: no priced tool has such a week."""
    total, said = 0.0, []
    for tool, price in sorted(prices.items()):
        kept = sorted((w for w in org_weeks if w.tool == tool and w.week < before and w.seats is not None), key=_week)
        counted = kept[-weeks:]
        if not counted:
            continue
        total += sum(idle_cost(w.seats, w.active, price) or 0.0 for w in counted)
        said.append(f"{tool}, {len(counted)} week{'s' if len(counted) != 1 else ''}")
    return (total, "; ".join(said)) if said else None


def _week(w: SeatWeek) -> date:
    return w.week


def with_idle(
    amount: float | None, said: str | None, idle: tuple[float, str] | None, currency: str
) -> tuple[float | None, str | None]:
    """The org's net value with the idle seats' cost taken off as a line of its spend:
    "net value 3,620 USD: the playbooks' 5,000 USD − idle seats 1,380 USD (copilot, 4
    weeks)". Unchanged without idle seats priced, or without a net value to take it from."""
    if idle is None or amount is None or said is None:
        return amount, said
    cost, which = idle
    net = amount - cost
    theirs = said.removeprefix("net value ")
    return (
        net,
        f"net value {signed_money(net, currency)}: the playbooks' {theirs} − idle seats {money(cost, currency)} ({which})",
    )
