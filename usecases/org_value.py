"""The org's value for the sponsor's first screen (docs/playbooks.md, "Value"): the hours
saved each week over the playbooks that measure value, the last 4 closed weeks' total, the
cost per hour saved where costs are given, and the net figures over the playbooks whose
oversight is reported. Summed from each playbook's value (usecases/value.py)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from cadence import licenses, value
from templates import value_words
from usecases.value import PlaybookValue


@dataclass(frozen=True)
class OrgValue:
    """The org's hours saved per week (the weeks any playbook's value measure counted),
    the last 4 closed weeks' total, and the cost per hour saved where costs are given."""

    weeks: list[dict[str, Any]]
    last_hours: float | None
    cost_per_hour: float | None
    currency: str
    measured: int  # playbooks with a value measure
    playbooks: int
    costed: int = 0  # playbooks that give a cost: with cost_per_hour None, they saved no hours
    cost_unknown: int = 0  # playbooks that declare a cost not known now: left out of cost_per_hour, said
    # net value: over the playbooks whose oversight is known in some of the last 4 closed weeks
    net_hours: float | None = None
    oversight_hours: float | None = None
    net_playbooks: int = 0
    net_slugs: tuple[str, ...] = ()  # those playbooks, by slug
    cost_per_net_hour: float | None = None
    net_value: float | None = None  # the sum of the known: never an unknown spend taken as 0
    net_value_said: str | None = None  # cadence.value.org_net_value's words: a partial sum says so

    @property
    def net_words(self) -> str:
        """ "33 h net (41 h saved − 8 h oversight) by support-replies, 1 of 3 playbooks
        measuring value, the one whose oversight is reported": the sum and its parts from
        one rounding (cadence.value.net_sum), its scope named."""
        if self.net_hours is None or self.oversight_hours is None:
            return value.NOT_REPORTED
        net, saved, over = value.net_sum(self.net_hours + self.oversight_hours, self.oversight_hours)
        said = f"{net} net ({saved} saved − {over} oversight) by {self.net_scope()}"
        if self.net_hours < 0:
            said += ": oversight exceeds what it saves"
        if self.cost_per_net_hour is not None:
            said += f"; {value.money(self.cost_per_net_hour, self.currency)} per net hour"
        if self.net_value_said is not None:
            said += f"; {self.net_value_said}"
        return said

    def net_scope(self) -> str:
        """Whose hours the net counts, named (templates/value_words.py)."""
        return value_words.net_scope(self.measured, self.net_playbooks, self.net_slugs)

    @property
    def no_cost_per_hour(self) -> str | None:
        """Why no cost per hour saved is given though a cost is: no hours saved to divide it
        by. Where other playbooks saved hours, it says the costed ones saved none."""
        if not self.costed and self.cost_unknown:
            return value_words.cost_unknown_words(self.cost_unknown, 0)
        if not self.costed or self.cost_per_hour is not None:
            return None
        return value.no_cost_per_hour(costed=self.costed if self.last_hours else None)

    @property
    def cost_left_out(self) -> str | None:
        """Beside a cost per hour saved over some playbooks: those left out, their declared
        spend not known (an unknown is never 0)."""
        if self.cost_per_hour is None or not self.cost_unknown:
            return None
        return value_words.cost_unknown_words(self.cost_unknown, self.costed)


def of_org(measures: dict[int, PlaybookValue | None], currency: str, idle: tuple[float, str] | None = None) -> OrgValue:
    """The org's value; `idle`, the idle seats' cost and its words (usecases/shared/licenses.py
    `idle_of`), is taken off the net value as a line of its spend."""
    hours, counted = _weekly_hours(measures)
    shown = sorted(hours)
    last = shown[-value.COST_WEEKS :]
    # Costs over those weeks: only the playbooks that give one, against their own hours.
    costed = [m for m in measures.values() if m is not None and m.per_month is not None]
    charged = [(m.per_month or 0.0, m.last_hours, m.counted_weeks) for m in costed]
    return OrgValue(
        weeks=[dict(week=w, hours=hours[w], playbooks=counted[w]) for w in shown],
        last_hours=sum(hours[w] for w in last) if last else None,
        cost_per_hour=value.org_cost_per_hour(charged),
        currency=currency,
        measured=sum(1 for m in measures.values() if m is not None),
        playbooks=len(measures),
        costed=len(costed),
        cost_unknown=sum(1 for m in measures.values() if m is not None and m.spend.declared and m.per_month is None),
        **_net_of_org([m for m in measures.values() if m is not None and m.net_parts is not None], currency, idle),
    )


def _weekly_hours(measures: dict[int, PlaybookValue | None]) -> tuple[dict[Any, float], Counter[Any]]:
    """The hours saved each week over the playbooks, and how many playbooks' events it counted."""
    hours: dict[Any, float] = {}
    counted: Counter[Any] = Counter()
    for measure in measures.values():
        for w in measure.weeks if measure else []:
            if w.hours is not None:
                hours[w.week_start] = hours.get(w.week_start, 0.0) + w.hours
                counted[w.week_start] += 1
    return hours, counted


def _net_of_org(netted: list[PlaybookValue], currency: str, idle: tuple[float, str] | None = None) -> dict[str, Any]:
    """OrgValue's net figures over the playbooks whose oversight is reported (`netted`):
    the cost per net hour over those whose spend is known, the net value summed over those
    whose net value is known (cadence.value.org_net_value: a partial sum said so)."""
    parts = [m.net_parts for m in netted if m.net_parts]
    spent = [m.net_parts[0] for m in netted if m.spend_over_net_weeks is not None and m.net_parts]
    spend = sum(m.spend_over_net_weeks or 0 for m in netted)
    amount, said = value.org_net_value([m.worth for m in netted if m.worth is not None], currency)
    amount, said = licenses.with_idle(amount, said, idle, currency)
    return dict(
        net_hours=sum(p[0] for p in parts) if netted else None,
        oversight_hours=sum(p[2] for p in parts) if netted else None,
        net_playbooks=len(netted),
        net_slugs=tuple(sorted(m.slug for m in netted)),
        cost_per_net_hour=spend / sum(spent) if spent and sum(spent) > 0 else None,
        net_value=amount,
        net_value_said=said,
    )
