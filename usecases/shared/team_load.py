"""A team's load (cadence/team_load.py counts and judges it): read for a team channel or
many in one statement (storage/team_load.py), and the check an adoption into a team passes
(usecases/shared/adoption.py: an adopt, the adopt form, an approved request). A full
team's adoption is refused naming its load, nothing stored; with a curator's
`override <reason>` (the one that passes a wave too) it goes on, its decision row kept
with the adoption."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cadence import team_load
from cadence.decisions import Decision
from cadence.definition import read_spec
from cadence.definition_rules import RuleSettings
from storage.models.governance import RegistryVersion
from storage.store import Store
from templates.refusals import Refusal
from usecases.shared.roles import channel


@dataclass(frozen=True)
class Team:
    """A team's load and the tightest `team_load_max` of its active playbooks (None: it has none)."""

    load: team_load.TeamLoad
    limit: team_load.TeamLoadMax | None


def teams(store: Store, channel_ids: list[str], now: datetime) -> dict[str, Team]:
    """Each team's load, by channel, in one read."""
    found = store.team_loads.teams(channel_ids, now - team_load.WINDOW)
    shown = {}
    for team, rows in found.items():
        running = [team_load.Running(r.status, r.adopted_from, r.created_at, r.fallbacks, r.revisions) for r in rows]
        around = [r.around for r in rows if r.around is not None and r.status in team_load.ACTIVE]
        limits = [_limit(r.rules) for r in rows if r.status in team_load.ACTIVE]
        shown[team] = Team(team_load.count(team, running, around, now), team_load.tightest(limits) if limits else None)
    return shown


def _limit(rules: dict[str, object]) -> team_load.TeamLoadMax:
    return RuleSettings.model_validate(rules, strict=False).team_load_max


def full_for(store: Store, version: RegistryVersion, channel_id: str, now: datetime) -> bool:
    """Whether the team `channel_id` is over its load for an adoption of `version` (what
    `check` refuses without an override), storing nothing."""
    team = teams(store, [channel_id], now)[channel_id]
    own = read_spec(version.definition).rules.team_load_max
    limit = team_load.tightest([own] if team.limit is None else [own, team.limit])
    return team_load.full(team.load, limit) is not None


def check(
    store: Store, version: RegistryVersion, channel_id: str, by: str, now: datetime, override: str | None, adopter: str
) -> Decision | None:
    """An adoption of `version` into the team `channel_id`: None when the team has room
    (under the tightest `team_load_max` of the version and the team's active playbooks);
    a full team's refusal naming its load (nothing stored), or with a curator's
    `override`, the decision row that goes with the adoption."""
    team = teams(store, [channel_id], now)[channel_id]
    own = read_spec(version.definition).rules.team_load_max
    limit = team_load.tightest([own] if team.limit is None else [own, team.limit])
    full = team_load.full(team.load, limit)
    if full is None:
        return None
    if override is not None:
        return team_load.of_load_overridden(
            version.playbook_id, version.slug, version.version, team.load, full, by, override, adopter
        )
    raise Refusal.of(
        "adopt_load",
        usage="adopt",
        slug=version.slug,
        version=version.version,
        team=channel(channel_id),
        full=team_load.said(team.load, full),
        adoptions=team.load.adoptions,
        fallbacks=team.load.fallbacks,
    )
