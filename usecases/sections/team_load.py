"""A team's load's section (cadence/team_load.py; the read and the adoption's check:
usecases/shared/team_load.py): the load of the team a playbook runs in, on status and its
web page: its active playbooks, revisions, adoptions, steps in fallback and the
worked-around share of its playbooks' last closed pulses, pooled; against the tightest
`team_load_max` of its playbooks, and whether an adoption into it now waits for a
curator's override. One read however many playbooks are shown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

from cadence import team_load
from cadence.state import PlaybookState
from storage.store import Store
from templates.team_load_words import load_phrase
from usecases.sections.base import PagePart, Reading, StatusPart
from usecases.shared.caller import Caller
from usecases.shared.team_load import teams


@dataclass(frozen=True)
class Shown:
    load: team_load.TeamLoad
    limit: team_load.TeamLoadMax
    full: bool

    def figures(self) -> dict[str, Any]:
        return dict(self.load.figures(), max=self.limit.model_dump(), full=self.full)


def _read(store: Store, states: list[PlaybookState], reading: Reading) -> dict[int, Shown]:
    found = teams(store, sorted({s.playbook.channel_id for s in states}), reading.now)
    shown = {}
    for s in states:
        team = found[s.playbook.channel_id]
        limit = team.limit or s.settings.team_load_max
        shown[s.playbook.id] = Shown(team.load, limit, team_load.full(team.load, limit) is not None)
    return shown


class TeamLoadStatus(TypedDict):
    team_load: dict[str, object]  # TeamLoad.figures, with its `max` and whether it is `full`
    team_load_said: str


class TeamLoadPage(TypedDict):
    team_load: dict[str, object]  # TeamLoad.figures, with its `max` and whether it is `full`
    team_load_said: str


def _said(figures: dict[str, Any]) -> str:
    return load_phrase(figures, figures["max"])


class TeamLoadSection(StatusPart[Shown, TeamLoadStatus], PagePart[Shown, TeamLoadPage]):
    name = "team_load"

    def status(self, caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, Shown]:
        return _read(caller.store, states, reading)

    def status_words(self, state: PlaybookState, model: Shown) -> TeamLoadStatus:
        figures = model.figures()
        return TeamLoadStatus(team_load=figures, team_load_said=_said(figures))

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Shown]:
        return _read(reading.store, states, reading)

    def page_words(self, state: PlaybookState, model: Shown) -> TeamLoadPage:
        figures = model.figures()
        return TeamLoadPage(team_load=figures, team_load_said=_said(figures))


SECTION = TeamLoadSection()
