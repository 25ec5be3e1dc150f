"""Value the sponsor can weigh (docs/playbooks.md, "Value"): a playbook's `value: {event, minutes_saved}`
prices each counted event in the minutes it saves, so each closed week's hours saved are
events × minutes ÷ 60, always an estimate shown with its inputs; `cost: {per_month}`
(in ROLLOUT_CURRENCY) gives the cost per hour saved over the last 4 closed weeks
(heroics: cadence/heroics.py). Plain functions over plain data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

DAY_MINUTES = 1440
COST_WEEKS = 4  # cost per hour saved: over the last 4 closed weeks
WEEKS_A_YEAR = 52
DEFAULT_CURRENCY = "USD"
NO_MEASURE = "no value measure"


def event_words(event: str, count: float | None = None) -> str:
    """`reply_accepted` as people read it: "replies accepted" (or "reply accepted" for one)."""
    words = event.split("_")
    if count != 1 and words:
        head = words[0]
        if head.endswith("y") and len(head) > 1 and head[-2] not in "aeiou":
            words[0] = head[:-1] + "ies"
        elif head.endswith(("s", "x", "ch", "sh")):
            words[0] = head + "es"
        else:
            words[0] = head + "s"
    return " ".join(words)


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def hours_text(hours: float) -> str:
    """Hours saved as shown: whole hours from 10 on, one decimal under."""
    return f"{hours:,.0f} h" if hours >= 10 else f"{hours:.1f} h"


@dataclass(frozen=True, slots=True)  # a thousand playbooks × 26 weeks of them: one object each, not two
class WeekValue:
    """One closed week's estimate: `events` counted (None: none arrived that week)."""

    week_start: date
    event: str
    events: float | None
    minutes: float

    @property
    def hours(self) -> float | None:
        return None if self.events is None else self.events * self.minutes / 60

    def words(self) -> str:
        """ "412 replies accepted × 6 min, the owner's estimate = 41 h", or, without events,
        "no `reply_accepted` events this week" (never 0 h as if measured)."""
        if self.events is None or self.hours is None:
            return f"no `{self.event}` events this week"
        return (
            f"{_number(self.events)} {event_words(self.event, self.events)} × {_number(self.minutes)} min, "
            f"the owner's estimate = {hours_text(self.hours)}"
        )


def week_values(event: str, minutes: float, weeks: Sequence[date], counts: Mapping[date, float]) -> list[WeekValue]:
    """Each closed week's estimate, oldest first."""
    return [WeekValue(w, event, counts.get(w), minutes) for w in weeks]


def last_weeks_hours(values: Sequence[WeekValue], weeks: int = COST_WEEKS) -> float | None:
    """The hours saved over the last `weeks` closed weeks (None: no events in any of them)."""
    hours = [v.hours for v in values[-weeks:] if v.hours is not None]
    return sum(hours) if hours else None


def counted_weeks(values: Sequence[WeekValue], weeks: int = COST_WEEKS) -> int:
    """How many of the last `weeks` closed weeks had their events counted: the weeks whose
    hours saved are known, the weeks cost per hour saved charges (a week without events
    is not a week of 0 h, nor are the weeks before a playbook's first)."""
    return sum(1 for v in values[-weeks:] if v.hours is not None)


def spend_over(per_month: float, weeks: int) -> float:
    """A cost a month over `weeks` weeks: per_month × 12 ÷ 52 × weeks."""
    return per_month * 12 / WEEKS_A_YEAR * weeks


def cost_per_hour(per_month: float | None, hours: float | None, weeks: int) -> float | None:
    """(per_month × 12 ÷ 52 × weeks) ÷ those weeks' hours saved, `weeks` the weeks whose
    hours were counted (counted_weeks); None without a cost or hours."""
    if per_month is None or not hours or not weeks:
        return None
    return spend_over(per_month, weeks) / hours


def org_cost_per_hour(charged: Sequence[tuple[float, float | None, int]]) -> float | None:
    """The org's cost per hour saved over the playbooks that give a cost, each (per_month,
    hours saved, weeks counted): each one's cost over its own counted weeks, summed, ÷
    their hours. None: none gives a cost, or they saved no hours."""
    hours = sum(h or 0.0 for _, h, _ in charged)
    if not charged or not hours:
        return None
    return sum(spend_over(per_month, weeks) for per_month, _, weeks in charged) / hours


def cost_per_hour_words(cost: float, currency: str, weeks: int) -> str:
    """ "27.55 USD per hour saved", saying the weeks charged when fewer than 4 were counted."""
    said = f"{money(cost, currency)} per hour saved"
    if weeks >= COST_WEEKS:
        return said
    span = "the 1 closed week" if weeks == 1 else f"the {weeks} closed weeks"
    return f"{said} (the cost of {span} whose events were counted)"


def no_cost_per_hour(weeks: int = COST_WEEKS, costed: int | None = None) -> str:
    """What is said where a cost is given but no hours were saved to divide it by. With
    `costed` (how many playbooks give a cost), of the org whose other playbooks saved
    hours: it is those costed playbooks that saved none."""
    span = "the last closed week" if weeks == 1 else f"the last {weeks} closed weeks"
    if costed is None:
        return f"no hours saved in {span}, so cost per hour saved cannot be given"
    which = "the playbook that gives a cost" if costed == 1 else "the playbooks that give a cost"
    return f"{which} saved no hours in {span}, so cost per hour saved cannot be given"


def money(amount: float, currency: str) -> str:
    return f"{amount:,.2f} {currency}" if amount < 100 else f"{amount:,.0f} {currency}"


# Net value (docs/usage.md, "Net value"): the oversight a playbook costs, measured, beside
# the hours it saves. A `StepOversight` is one step's week: its reviewed cases (None: no
# review reported), the minutes the week form says were spent reviewing them (which win),
# and the exception items closed; a week's oversight hours = reviewed cases × review
# minutes + exception items closed × exception minutes, ÷ 60.
NOT_REPORTED = "oversight not reported"


def signed_hours(hours: float) -> str:
    """Hours as the net figures say them: whole when whole ("8 h"), a minus sign when negative."""
    shown = f"{abs(hours):,.0f} h" if float(abs(hours)).is_integer() else hours_text(abs(hours))
    return f"−{shown}" if hours < 0 and shown != "0 h" and shown != "0.0 h" else shown


def net_sum(saved: float, oversight: float) -> tuple[str, str, str]:
    """(net, saved, oversight) hours as said, from one rounding, so that the sum said adds
    up: both parts rounded alike (whole hours when each is 10 or more, or whole; else one
    decimal) and the net said as their difference, never rounded apart from them (it said
    "163 h net (173 h saved − 11 h oversight)" of 173.2 − 10.7)."""
    whole = all(abs(part) >= 10 or float(part).is_integer() for part in (saved, oversight))
    decimals = 0 if whole else 1
    rounded = round(saved, decimals), round(oversight, decimals)

    def said(hours: float) -> str:
        shown = f"{abs(hours):,.{decimals}f}".removesuffix(".0") + " h"
        return f"−{shown}" if hours < 0 and shown != "0 h" else shown

    return said(round(rounded[0] - rounded[1], decimals)), said(rounded[0]), said(rounded[1])


@dataclass(frozen=True, slots=True)
class StepOversight:
    reviewed: float | None = None  # None: no review reported
    typed: float | None = None  # minutes spent reviewing, from the week form: wins over reviewed × minutes
    closed: int = 0  # exception items closed


@dataclass(frozen=True, slots=True)
class Oversight:
    """One closed week's oversight of a playbook: its steps', priced by `value:`'s
    `review_minutes` and `exception_minutes` (None: not given)."""

    steps: tuple[StepOversight, ...]
    review_minutes: float | None
    exception_minutes: float | None

    @property
    def reported(self) -> bool:
        """Some review reported (a sample or minutes typed): without, oversight is not known."""
        return any(s.reviewed is not None or s.typed is not None for s in self.steps)

    @property
    def reviewed(self) -> float:
        """The reviewed cases priced by review minutes (those whose minutes were not typed)."""
        return sum(s.reviewed or 0 for s in self.steps if s.typed is None)

    @property
    def typed(self) -> float | None:
        found = [s.typed for s in self.steps if s.typed is not None]
        return sum(found) if found else None

    @property
    def closed(self) -> int:
        return sum(s.closed for s in self.steps)

    @property
    def minutes(self) -> float | None:
        """reviewed × review minutes + typed minutes + closed × exception minutes; None
        where a part cannot be priced (no review reported, or no minutes given for it)."""
        if not self.reported:
            return None
        if self.reviewed and self.review_minutes is None:
            return None
        if self.closed and self.exception_minutes is None:
            return None
        return (
            self.reviewed * (self.review_minutes or 0) + (self.typed or 0) + self.closed * (self.exception_minutes or 0)
        )

    @property
    def hours(self) -> float | None:
        return None if self.minutes is None else self.minutes / 60

    def inputs(self) -> str:
        """ "90 reviews × 4 min − 8 exceptions × 15 min" (the parts, each after a minus)."""
        parts = []
        if self.typed is not None:
            parts.append(f"{_number(self.typed)} min spent reviewing (the week form)")
        if self.reviewed or (self.typed is None and self.review_minutes is not None):
            reviews = "review" if self.reviewed == 1 else "reviews"
            parts.append(f"{_number(self.reviewed)} {reviews} × {_number(self.review_minutes or 0)} min")
        if self.exception_minutes is not None:
            items = "exception" if self.closed == 1 else "exceptions"
            parts.append(f"{self.closed} {items} × {_number(self.exception_minutes)} min")
        return " − ".join(parts)

    def words(self) -> str:
        """ "90 reviews × 4 min + 8 exceptions × 15 min = 8 h oversight", or why it is not known."""
        if self.hours is None:
            return self.why_not()
        return f"{self.inputs().replace(' − ', ' + ')} = {signed_hours(self.hours)} oversight"

    def why_not(self) -> str:
        if not self.reported:
            return NOT_REPORTED
        if self.reviewed and self.review_minutes is None:
            reviews = "review" if self.reviewed == 1 else "reviews"
            return f"{NOT_REPORTED}: the minutes a review takes are not given for {_number(self.reviewed)} {reviews}"
        items = "exception item" if self.closed == 1 else "exception items"
        return f"{NOT_REPORTED}: the minutes an exception takes are not given for {self.closed} {items} closed"


@dataclass(frozen=True, slots=True)
class NetWeek:
    """One closed week's net hours: hours saved − oversight hours, with the formula."""

    saved: WeekValue
    oversight: Oversight

    @property
    def hours(self) -> float | None:
        saved, oversight = self.saved.hours, self.oversight.hours
        return None if saved is None or oversight is None else saved - oversight

    def words(self) -> str:
        """ "412 replies accepted × 6 min = 41 h saved − 90 reviews × 4 min − 8 exceptions ×
        15 min = 8 h oversight → 33 h net"; negative said so, never clamped; an unknown part
        said ("oversight not reported"), never 0."""
        saved = self.saved
        if saved.events is None or saved.hours is None:
            return saved.words()
        events = f"{_number(saved.events)} {event_words(saved.event, saved.events)} × {_number(saved.minutes)} min"
        net, oversight = self.hours, self.oversight.hours
        if net is None or oversight is None:
            return f"{events} = {signed_hours(saved.hours)} saved; {self.oversight.why_not()}, so no net hours"
        net_said, saved_said, over_said = net_sum(saved.hours, oversight)
        said = f"{events} = {saved_said} saved − {self.oversight.inputs()} = {over_said} oversight → {net_said} net"
        return f"{said}: oversight exceeds what it saves" if net < 0 else said


def last_weeks_net(weeks: Sequence[NetWeek], last: int = COST_WEEKS) -> tuple[float | None, int]:
    """The net hours over those of the last `last` closed weeks whose net is known, and how
    many weeks that is (None, 0: none)."""
    known = [w.hours for w in weeks[-last:] if w.hours is not None]
    return (sum(known), len(known)) if known else (None, 0)


def cost_per_net_hour(per_month: float | None, net: float | None, weeks: int) -> float | None:
    """(per_month × 12 ÷ 52 × weeks) ÷ those weeks' net hours; None without a cost, or
    with no net hours to divide it by (none known, or none saved: 0 or fewer)."""
    if per_month is None or net is None or net <= 0 or not weeks:
        return None
    return spend_over(per_month, weeks) / net


# Spend (docs/usage.md, "Net value"): what `cost:` says a playbook costs a month. An unknown
# spend is never 0: a cost pulled from a source whose week failed leaves the net value
# unknown, said why; a playbook with no `cost:` has no spend declared, said so.
NO_SPEND = "no spend declared"


@dataclass(frozen=True, slots=True)
class Spend:
    """A playbook's spend a month: `per_month` (None: not known, or none declared),
    `declared` (it gives a `cost:`), `unknown` why a declared one is not known ("the spend
    from billing failed for the week of 2026-11-23") and `said`, the cost's own sentence
    for the summary (why no cost per hour)."""

    per_month: float | None = None
    declared: bool = False
    unknown: str | None = None
    said: str | None = None


NONE_DECLARED = Spend()


def spend_given(per_month: float | None) -> Spend:
    """`cost: {per_month}` as given (None: no `cost:`)."""
    return NONE_DECLARED if per_month is None else Spend(per_month, True)


def spend_pulled(source: str, weeks: Sequence[tuple[date, float | None, str | None]]) -> Spend:
    """`cost: {source, …}` from the source's answers for the weeks counted (each week: its
    value, or None with the error of its last ask): their mean, unknown where any week's
    is missing: a failure is said for its week, never carried forward from another."""
    if not weeks:
        return Spend(None, True, f"the spend from {source} was not asked yet")
    for week, fetched, error in weeks:
        if fetched is None:
            why = f"source failed: {error}" if error else "not fetched"
            unknown = f"the spend from {source} {'failed' if error else 'was not fetched'} for the week of {week}"
            return Spend(
                None, True, unknown, f"cost from {source} unknown for the week of {week}: {why}, so no cost per hour"
            )
    return Spend(sum(w[1] or 0.0 for w in weeks) / len(weeks), True)


@dataclass(frozen=True, slots=True)
class NetValue:
    """Net hours turned into money by ROLLOUT_HOURLY_RATE: `amount` (None: the spend is
    unknown), `declared` (a spend was taken off) and `words`, the figure with its formula."""

    amount: float | None
    declared: bool
    words: str


def net_value(net: float | None, weeks: int, rate: float | None, spend: Spend, currency: str) -> NetValue | None:
    """net hours × rate − spend over those weeks (per_month × 12 ÷ 52 × weeks). No `cost:`:
    net hours × rate, "no spend declared"; a declared spend not known: no net value, and
    why ("net value unknown: the spend from billing failed for the week of …"), never a
    spend of 0. None without a rate or net hours."""
    if rate is None or net is None:
        return None
    if spend.declared and spend.per_month is None:
        return NetValue(None, True, f"net value unknown: {spend.unknown or 'the spend is not known'}")
    gross = f"{signed_hours(net)} × {money(rate, currency)} an hour"
    if not spend.declared or spend.per_month is None:  # none declared
        amount = net * rate
        return NetValue(amount, False, f"net value {signed_money(amount, currency)} ({gross}; {NO_SPEND})")
    spent = spend_over(spend.per_month, weeks)
    amount = net * rate - spent
    return NetValue(
        amount, True, f"net value {signed_money(amount, currency)} ({gross} − {money(spent, currency)} spend)"
    )


def org_net_value(values: Sequence[NetValue], currency: str) -> tuple[float | None, str | None]:
    """The org's net value: the sum of the playbooks' that are known, never an unknown
    taken as 0; a partial sum says how many of how many it counts and why the rest are
    left out, and how many of those counted have no spend declared. (None, None): no
    playbook has a net value to sum."""
    if not values:
        return None, None
    known = [v for v in values if v.amount is not None]
    left = len(values) - len(known)
    if not known:
        which = "the playbook's" if left == 1 else f"{left} playbooks'"
        return None, f"net value unknown: {which} spend is not known"
    amount = sum(v.amount or 0.0 for v in known)
    said = f"net value {signed_money(amount, currency)}"
    notes = _net_value_notes(values, known)
    return amount, said + (f" ({'; '.join(notes)})" if notes else "")


def _net_value_notes(values: Sequence[NetValue], known: Sequence[NetValue]) -> list[str]:
    """What a sum of the known net values says beside it: how many it counts of how many
    (the rest's spend not known), and how many of them have no spend declared."""
    left = len(values) - len(known)
    notes = []
    if left:
        whose = "its" if left == 1 else "their"
        notes.append(f"{len(known)} of {len(values)} playbooks: {left} left out, {whose} spend not known")
    undeclared = sum(1 for v in known if not v.declared)
    if undeclared:
        notes.append(f"{undeclared} with {NO_SPEND}")
    return notes


def signed_money(amount: float, currency: str) -> str:
    return f"−{money(-amount, currency)}" if amount < 0 else money(amount, currency)


def promotion_words(step: str, mode: str, since_cycle: int, before: Sequence[float], after: Sequence[float]) -> str:
    """What a mode change earned, per cycle (the mean of the cycles' oversight hours in
    each mode, those whose oversight is known): "send ai-led since cycle 2: oversight 16 h
    → 7 h a cycle"; a side with none known says "not reported"."""

    def per_cycle(hours: Sequence[float]) -> str:
        return signed_hours(sum(hours) / len(hours)) if hours else "not reported"

    return f"{step} {mode} since cycle {since_cycle}: oversight {per_cycle(before)} → {per_cycle(after)} a cycle"
