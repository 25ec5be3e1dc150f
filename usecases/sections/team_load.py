"""A team's load's section (cadence/team_load.py; the read and the adoption's check:
usecases/shared/team_load.py): the load of the team a playbook runs in, on status and its
web page: its active playbooks, revisions, adoptions, steps in fallback and the
worked-around share of its playbooks' last closed pulses, pooled; against the tightest
`team_load_max` of its playbooks, and whether an adoption into it now waits for a
curator's override. One read however many playbooks are shown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cadence import team_load
from cadence.state import PlaybookState
from storage.store import Store
from templates.team_load_words import load_phrase
from usecases.sections.base import Reading, Section
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


def _words(model: Shown) -> dict[str, Any]:
    figures = model.figures()
    return dict(team_load=figures, team_load_said=load_phrase(figures, figures["max"]))


class TeamLoadSection(Section):
    name = "team_load"

    def status(self, caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, Any]:
        return _read(caller.store, states, reading)

    def status_words(self, state: PlaybookState, model: Shown) -> dict[str, Any]:
        return _words(model)

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Any]:
        return _read(reading.store, states, reading)

    def page_words(self, state: PlaybookState, model: Shown) -> dict[str, Any]:
        return _words(model)


SECTION = TeamLoadSection()
