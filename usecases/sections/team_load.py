"""A team's load's section (cadence/team_load.py; the adoption's check:
usecases/shared/team_load.py): the load of the team a playbook runs in, on status and its
web page: its active playbooks, revisions, adoptions, steps in fallback and the
worked-around share of its playbooks' last closed pulses, pooled; against the tightest
`team_load_max` of its playbooks, and whether an adoption into it now waits for a
curator's override."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cadence import team_load
from cadence.state import PlaybookState
from storage.store import Store
from templates.team_load_words import load_phrase
from usecases.sections.base import Reading, Section
from usecases.sections.pulse import shown
from usecases.shared.caller import Caller
from usecases.shared.team_load import loads


@dataclass(frozen=True)
class Shown:
    load: team_load.TeamLoad
    limit: team_load.TeamLoadMax
    full: bool

    def figures(self) -> dict[str, Any]:
        limit = self.limit.model_dump()
        return dict(self.load.figures(), max=limit, full=self.full)


def _read(store: Store, states: list[PlaybookState], reading: Reading) -> dict[int, Shown]:
    """Each playbook's team's load, a read of each team's playbooks however many of its
    playbooks are shown."""
    teams = {c: store.playbooks.states(c) for c in sorted({s.playbook.channel_id for s in states})}
    active = [s for team in teams.values() for s in team if s.playbook.status in team_load.ACTIVE]
    pulses = shown(store, active, 1)
    around: dict[str, list[tuple[int, int]]] = {}
    for s in active:
        for p in pulses.get(s.playbook.id, []):
            if p.around is not None:
                around.setdefault(s.playbook.channel_id, []).append((p.around.hits, p.around.n))
    counted = loads(store, teams, reading.now, around)
    found = {}
    for s in states:
        team = s.playbook.channel_id
        mine = [t.settings.team_load_max for t in teams[team] if t.playbook.status in team_load.ACTIVE]
        limit = team_load.tightest(mine or [s.settings.team_load_max])
        found[s.playbook.id] = Shown(counted[team], limit, team_load.full(counted[team], limit) is not None)
    return found


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
