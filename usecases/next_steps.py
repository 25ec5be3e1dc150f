"""Where it rolls next, and why: `/rollout next`, the web view's registry page and the
curators' digest (its top three) read the same ranking (cadence/next_steps.py). The
candidates: each pending request to adopt a version, and each newest published version with
each function of the workspace that runs nothing of its origin yet and asked nothing of it.
Reads only."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from cadence import team_load
from cadence.definition import read_spec
from cadence.next_steps import Candidate, Ranked, rank
from cadence.state import PlaybookState
from storage.models.governance import AdoptionRequest, RegistryVersion
from storage.store import Store
from usecases import value
from usecases.shared import team_load as team_loads
from usecases.shared import versions as upgrades
from usecases.shared.caller import Caller

WEEKS = 4  # the origin's last closed weeks its exception share is over


@dataclass(frozen=True)
class NextSteps:
    """`/rollout next`: anyone may ask."""


def command(caller: Caller, cmd: NextSteps) -> list[Ranked]:
    return ranked(caller.store, caller.now, caller.services.currency)


def ranked(store: Store, now: datetime, currency: str = "USD") -> list[Ranked]:
    versions = upgrades.newest_of_each(store.registry.versions())
    if not versions:
        return []
    # A team's function is its active and draft playbooks', begun or loaded and not yet started:
    # a team that loaded one is no team new to playbooks (and its load counts it already).
    active = [s for s in store.playbooks.listed_states() if s.playbook.status in team_load.ACTIVE]
    pending = [r for r in store.registry.requests([v.id for v in versions.values()]) if r.status == "pending"]
    origins = store.playbooks.states_by_ids(sorted({v.playbook_id for v in versions.values()}))
    measured = _origin_measures(store, list(origins.values()), currency)
    by_id = {v.id: v for v in versions.values()}
    asked = [r for r in pending if r.version_id in by_id]
    loads = _over_load(store, by_id, asked, now)
    candidates = [
        _candidate(by_id[r.version_id], measured, "request", r.channel_id, _team_function(active, r.channel_id), r)
        for r in asked
    ]
    candidates = [replace(c, over_load=loads.get(r.id)) for c, r in zip(candidates, asked, strict=True)]
    candidates += [
        _candidate(v, measured, "version", function, function, None)
        for v in versions.values()
        for function in _functions_not_running(active, v, pending)
    ]
    return rank(candidates)


def _over_load(
    store: Store, by_id: dict[int, RegistryVersion], asked: list[AdoptionRequest], now: datetime
) -> dict[int, str]:
    """Each request whose team is at its load (usecases/shared/team_load.py), in words, by request id."""
    teams = team_loads.teams(store, sorted({r.channel_id for r in asked}), now)
    found = {}
    for r in asked:
        team = teams.get(r.channel_id)
        if team is None:
            continue
        own = read_spec(by_id[r.version_id].definition).rules.team_load_max
        full = team_load.full(team.load, team_load.tightest([own] if team.limit is None else [own, team.limit]))
        if full is not None:
            found[r.id] = team_load.said(team.load, full)
    return found


def _team_function(active: list[PlaybookState], channel_id: str) -> str | None:
    """A team is its channel: the function its playbooks run in (the first, by id), or None."""
    return next((s.playbook.function for s in active if s.playbook.channel_id == channel_id), None)


def _functions_not_running(
    active: list[PlaybookState], v: RegistryVersion, pending: list[AdoptionRequest]
) -> list[str]:
    """The workspace's functions (its active playbooks') that run nothing of this origin and
    whose teams asked nothing of it: its own function runs it by definition."""
    running = {v.function.casefold()} | {
        s.playbook.function.casefold() for s in active if s.playbook.adopted_origin_id == v.playbook_id
    }
    asked = {f.casefold() for r in pending if r.version_id == v.id and (f := _team_function(active, r.channel_id))}
    functions = {s.playbook.function.casefold(): s.playbook.function for s in active}
    return sorted(name for key, name in functions.items() if key not in running | asked)


@dataclass(frozen=True)
class _Origin:
    net_hours: float | None
    exception_share: float | None
    open_escalations: int
    net_parts: tuple[float, float] | None = None  # (saved, oversight) hours behind net_hours


def _origin_measures(store: Store, origins: list[PlaybookState], currency: str) -> dict[int, _Origin]:
    """Each origin's net hours a cycle, exception share over its last 4 closed weeks and
    open escalations: one read of each kind for all."""
    values = value.of_states(store, origins, currency)
    weeks = {s.playbook.id: value.closed_weeks(s, WEEKS) for s in origins}
    figures = store.reports.week_figures_many([(s, w) for s in origins for w in weeks[s.playbook.id]])
    step_of = {step.id: s.playbook.id for s in origins for step in s.steps}
    escalated: dict[int, int] = {}
    for item in store.escalations.escalated([s.playbook.id for s in origins]):
        if (pid := step_of.get(item.step_id)) is not None:
            escalated[pid] = escalated.get(pid, 0) + 1
    found = {}
    for s in origins:
        pid = s.playbook.id
        steps = [step for w in weeks[pid] for step in figures[(pid, w)].steps]
        cases = sum(step.cases or 0 for step in steps)
        measure = values.get(pid)
        found[pid] = _Origin(
            measure.last_net[0] if measure is not None else None,
            sum(step.total_exceptions for step in steps) / cases if cases else None,
            escalated.get(pid, 0),
            measure.net_parts[1:] if measure is not None and measure.net_parts is not None else None,
        )
    return found


def _candidate(
    v: RegistryVersion,
    measured: dict[int, _Origin],
    kind: str,
    target: str,
    target_function: str | None,
    request: AdoptionRequest | None,
) -> Candidate:
    intake = read_spec(v.definition).intake
    origin = measured.get(v.playbook_id, _Origin(None, None, 0))
    return Candidate(
        kind=kind,
        slug=v.slug,
        version=v.version,
        origin_function=v.function,
        target=target,
        target_function=target_function,
        champion_id=request.champion_id if request is not None else None,
        net_hours=origin.net_hours,
        net_parts=origin.net_parts,
        intake_cases=intake.cases_per_week if intake else None,
        intake_minutes=intake.minutes_per_case if intake else None,
        exception_share=origin.exception_share,
        open_escalations=origin.open_escalations,
    )


def shown(ranked: list[Ranked]) -> list[dict[str, Any]]:
    """The ranking as the templates and pages show it: each with its reason."""
    return [
        dict(
            rank=n,
            kind=r.candidate.kind,
            slug=r.candidate.slug,
            version=r.candidate.version,
            function=r.candidate.origin_function,
            target=r.candidate.target,
            value_hours=r.value_hours,
            reason=r.reason,
        )
        for n, r in enumerate(ranked, start=1)
    ]
