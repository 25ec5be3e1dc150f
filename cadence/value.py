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

# ISO 4217's active codes (the list maintained by SIX): a currency is one of these.
CURRENCIES = frozenset(
    [
        "AED",
        "AFN",
        "ALL",
        "AMD",
        "ANG",
        "AOA",
        "ARS",
        "AUD",
        "AWG",
        "AZN",
        "BAM",
        "BBD",
        "BDT",
        "BGN",
        "BHD",
        "BIF",
        "BMD",
        "BND",
        "BOB",
        "BOV",
        "BRL",
        "BSD",
        "BTN",
        "BWP",
        "BYN",
        "BZD",
        "CAD",
        "CDF",
        "CHE",
        "CHF",
        "CHW",
        "CLF",
        "CLP",
        "CNY",
        "COP",
        "COU",
        "CRC",
        "CUC",
        "CUP",
        "CVE",
        "CZK",
        "DJF",
        "DKK",
        "DOP",
        "DZD",
        "EGP",
        "ERN",
        "ETB",
        "EUR",
        "FJD",
        "FKP",
        "GBP",
        "GEL",
        "GHS",
        "GIP",
        "GMD",
        "GNF",
        "GTQ",
        "GYD",
        "HKD",
        "HNL",
        "HTG",
        "HUF",
        "IDR",
        "ILS",
        "INR",
        "IQD",
        "IRR",
        "ISK",
        "JMD",
        "JOD",
        "JPY",
        "KES",
        "KGS",
        "KHR",
        "KMF",
        "KPW",
        "KRW",
        "KWD",
        "KYD",
        "KZT",
        "LAK",
        "LBP",
        "LKR",
        "LRD",
        "LSL",
        "LYD",
        "MAD",
        "MDL",
        "MGA",
        "MKD",
        "MMK",
        "MNT",
        "MOP",
        "MRU",
        "MUR",
        "MVR",
        "MWK",
        "MXN",
        "MXV",
        "MYR",
        "MZN",
        "NAD",
        "NGN",
        "NIO",
        "NOK",
        "NPR",
        "NZD",
        "OMR",
        "PAB",
        "PEN",
        "PGK",
        "PHP",
        "PKR",
        "PLN",
        "PYG",
        "QAR",
        "RON",
        "RSD",
        "RUB",
        "RWF",
        "SAR",
        "SBD",
        "SCR",
        "SDG",
        "SEK",
        "SGD",
        "SHP",
        "SLE",
        "SLL",
        "SOS",
        "SRD",
        "SSP",
        "STN",
        "SVC",
        "SYP",
        "SZL",
        "THB",
        "TJS",
        "TMT",
        "TND",
        "TOP",
        "TRY",
        "TTD",
        "TWD",
        "TZS",
        "UAH",
        "UGX",
        "USD",
        "USN",
        "UYI",
        "UYU",
        "UYW",
        "UZS",
        "VED",
        "VES",
        "VND",
        "VUV",
        "WST",
        "XAF",
        "XCD",
        "XCG",
        "XOF",
        "XPF",
        "YER",
        "ZAR",
        "ZMW",
        "ZWG",
        "ZWL",
    ]
)


def check_currency(code: str) -> None:
    """Raises ValueError, in words, unless `code` is an ISO 4217 currency code."""
    if code not in CURRENCIES:
        shown = code if len(code) <= 20 else code[:20] + "…"
        raise ValueError(
            f"{shown!r} is not an ISO 4217 currency code (e.g. USD, EUR, GBP, JPY), "
            "which playbooks' costs (cost: per_month) are given in"
        )


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


def cost_per_hour(per_month: float | None, hours: float | None, weeks: int = COST_WEEKS) -> float | None:
    """(per_month × 12 ÷ 52 × weeks) ÷ those weeks' hours saved; None without a cost or hours."""
    if per_month is None or not hours:
        return None
    return per_month * 12 / WEEKS_A_YEAR * weeks / hours


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
