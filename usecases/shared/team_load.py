"""A team's load (cadence/team_load.py counts and judges it): read for a team channel or
many, and the check an adoption into a team passes (usecases/shared/adoption.py: an adopt,
the adopt form, an approved request). A full team's adoption is refused naming its load,
nothing stored; with a curator's `override <reason>` (the one that passes a wave too) it
goes on, its decision row kept with the adoption."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from cadence import team_load
from cadence.decisions import Decision
from cadence.definition import read_spec
from cadence.state import PlaybookState
from storage.models.governance import RegistryVersion
from storage.store import Store
from templates.refusals import Refusal
from usecases.shared.roles import channel


def _running(state: PlaybookState, revisions: dict[int, int]) -> team_load.Running:
    p = state.playbook
    fallbacks = sum(1 for s in state.steps if s.fallback_mode is not None)
    return team_load.Running(p.status, p.adopted_from_id, p.created_at, fallbacks, revisions.get(p.id, 0))


def loads(
    store: Store,
    teams: Mapping[str, Sequence[PlaybookState]],
    now: datetime,
    around: dict[str, list[tuple[int, int]]] | None = None,
) -> dict[str, team_load.TeamLoad]:
    """Each team's load, by channel: `teams` its playbooks (any status), `around` its
    pulses' worked-around answers; the revisions in one read for all."""
    ids = [s.playbook.id for states in teams.values() for s in states]
    revisions = store.team_loads.revisions(ids, now - team_load.WINDOW)
    return {
        team: team_load.count(team, [_running(s, revisions) for s in states], (around or {}).get(team, []), now)
        for team, states in teams.items()
    }


def limit_of(version: RegistryVersion, team: Sequence[PlaybookState]) -> team_load.TeamLoadMax:
    """The tightest `team_load_max` of the version adopted and the team's active playbooks."""
    mine = [s.settings.team_load_max for s in team if s.playbook.status in team_load.ACTIVE]
    return team_load.tightest([read_spec(version.definition).rules.team_load_max, *mine])


def check(
    store: Store, version: RegistryVersion, channel_id: str, by: str, now: datetime, override: str | None, adopter: str
) -> Decision | None:
    """An adoption of `version` into the team `channel_id`: None when the team has room;
    a full team's refusal naming its load (nothing stored), or with a curator's `override`,
    the decision row that goes with the adoption."""
    team = store.playbooks.states(channel_id)
    load = loads(store, {channel_id: team}, now)[channel_id]
    full = team_load.full(load, limit_of(version, team))
    if full is None:
        return None
    if override is not None:
        return team_load.of_load_overridden(
            version.playbook_id, version.slug, version.version, load, full, by, override, adopter
        )
    raise Refusal.of(
        "adopt_load",
        usage="adopt",
        slug=version.slug,
        version=version.version,
        team=channel(channel_id),
        full=team_load.said(load, full),
        adoptions=load.adoptions,
        fallbacks=load.fallbacks,
    )
