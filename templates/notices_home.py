"""The App Home tab (usecases/home.py reads it; this module words it with
templates/home.json.j2): what the Home shows, typed, and the one function that renders it,
when someone opens the tab and when the outbox republishes it after their data changed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from cadence import keys
from cadence.calendar import WeekRef
from templates import Mrkdwn, render


class StepShown(Protocol):
    """A step as the Home shows it."""

    @property
    def name(self) -> str: ...

    @property
    def mode(self) -> str: ...

    @property
    def frozen(self) -> bool: ...


@dataclass(frozen=True)
class Checkin:
    """An answer to a week's check-in: followed, or deviated on a step."""

    attestation: str
    step: str | None


@dataclass(frozen=True)
class WeekAnswer:
    """One of their last weeks: what they answered (None: no check-in)."""

    week: date
    answer: str | None
    step: str | None


@dataclass(frozen=True)
class HomePlaybook:
    """One of their playbooks: this week, their answer, their last weeks' answers."""

    slug: str
    title: str
    status: str
    playbook_id: int
    week: WeekRef | None  # None: no cycle running
    steps: Sequence[StepShown]
    owner: bool  # they own it
    kpi_name: str
    champion: str | None
    checklist: Mapping[str, Any]  # the champion's checklist, summed up (usecases/shared/champions.py)
    checkin: Checkin | None  # this week's
    history: Sequence[WeekAnswer]  # since the first cycle, at most 8 weeks


@dataclass(frozen=True)
class HomeProposal:
    """A promotion they may decide."""

    slug: str
    step: str
    from_mode: str | None
    to_mode: str | None
    counter: str
    key: str


@dataclass(frozen=True)
class Home:
    playbooks: Sequence[HomePlaybook]
    proposals: Sequence[HomeProposal]
    curator: bool
    registry: Sequence[Mrkdwn]  # the registry's lines, cut to fit one section
    registry_more: int
    items: Sequence[Mapping[str, Any]]  # the open exception items theirs to move, oldest first
    items_more: int


def home_tab(home: Home) -> dict[str, Any]:
    """The Home tab's view."""
    return render(
        "home",
        playbooks=[_playbook(p) for p in home.playbooks],
        proposals=[vars(x) for x in home.proposals],
        curator=home.curator,
        registry=home.registry,
        registry_more=home.registry_more,
        items=home.items,
        items_more=home.items_more,
    )


def _playbook(p: HomePlaybook) -> dict[str, Any]:
    return dict(
        slug=p.slug,
        title=p.title,
        status=p.status,
        week=p.week,
        steps=p.steps,
        owner=p.owner,
        kpi_name=p.kpi_name,
        champion=p.champion,
        checklist=p.checklist,
        value=keys.checkin_button(p.playbook_id, p.week.week_start) if p.week else "",
        checkin=vars(p.checkin) if p.checkin else None,
        history=[dict(week=h.week.strftime("%d %b"), answer=h.answer, step=h.step) for h in p.history],
    )
