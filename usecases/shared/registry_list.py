"""The registry's list (`/rollout registry`, the web view, the API): each published version
with its results, its adopters and how far their cycles came, the requests to adopt it and
its wave. Reads only; publishing is usecases/shared/registry.py's."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from cadence import calendar, phases, replication
from cadence.assessment import core_items, counts, pilot_conditions
from cadence.definition import KpiSpec, read_spec
from cadence.state import Playbook
from storage.assessments import Carried
from storage.models.governance import RegistryVersion
from storage.store import Store
from templates import notices_registry
from usecases.shared import boundaries, setup_effort, setup_said, waves
from usecases.shared import versions as upgrades
from usecases.shared.phases import listed

_EVER = datetime.max.replace(tzinfo=UTC)  # "published" after every assessment: the newest


def entries(store: Store, function: str | None) -> list[dict[str, Any]]:
    """The published versions (of one function, or all) with their results, adopters,
    the requests to adopt them and their wave."""
    versions = store.registry.versions(function=function)
    medians = _medians(store, versions)
    adopters = _adopters_by_version(store, versions)
    requests = _requests_by_version(store, versions)
    found = waves.states(store, versions)
    assessed = store.assessments.carried([(v.id, v.playbook_id, v.published_at) for v in versions])
    setups = setup_effort.by_version(store, versions)  # its teams' active setup time (issue 97)
    said = setup_said.by_version(store, versions, setups)  # what its teams said of it (issue 112)
    scoped = boundaries.registry_lines(store, versions)  # strict boundaries, where declared
    return [
        dict(
            _entry(v, medians, adopters.get(v.id, []), requests.get(v.id, [])),
            wave=waves.shown(found[v.id]),
            assessment=carried(assessed.get(v.id)),
            phase=_phase(v, assessed.get(v.id), adopters.get(v.id, [])),
            **({"out_of_scope": scoped[v.id]} if v.id in scoped else {}),
            setup=setups.get(v.id),
            setup_said=said.get(v.id),
        )
        for v in versions
    ]


def _phase(v: RegistryVersion, assessment: Carried | None, adopters: list[dict[str, Any]]) -> dict[str, Any]:
    """The version's phase (cadence/phases.py) as listed: number, name, gate and next, in words."""
    number = assessment.number if assessment is not None else None
    return phases.phase(number, listed(adopters), waves.size(v), v.slug).shown()


def carried(assessment: Carried | None) -> dict[str, Any] | None:
    """The post-pilot assessment a version carries, as listed: its number, how many core
    items and which (`core_items`), and the pilot conditions an adopter must replace; None:
    published without one."""
    if assessment is None:
        return None
    core, _ = counts(assessment.answers)
    return dict(
        number=assessment.number,
        core=core,
        core_items=core_items(assessment.answers),
        pilot_conditions=pilot_conditions(assessment.answers),
    )


def assessed_now(store: Store, playbook_ids: list[int]) -> dict[int, dict[str, Any] | None]:
    """Each playbook's newest post-pilot assessment, as `carried` shows it (None: none yet):
    what a version published now would carry, beside readiness on the "ready to scale" card.
    One read however many."""
    found = store.assessments.carried([(pid, pid, _EVER) for pid in playbook_ids])
    return {pid: carried(found.get(pid)) for pid in playbook_ids}


def _adopters_by_version(store: Store, versions: list[RegistryVersion]) -> dict[int | None, list[dict[str, Any]]]:
    """Each version's adopters. An adopter counts in the history of every version it ran,
    the one it first adopted included after it upgraded: there with that version's
    verdicts and "upgraded to vN"."""
    adopting = store.registry.adopters([v.id for v in versions])
    verdicts = store.registry.replication_verdicts([p.id for p in adopting])
    ran = store.registry.versions_run([p.id for p in adopting])
    number = {v.id: v.version for v in versions}
    adopters: dict[int | None, list[dict[str, Any]]] = {}
    for playbook in adopting:
        for version_id in [*(i for i in ran[playbook.id] if i != playbook.adopted_from_id), playbook.adopted_from_id]:
            adopters.setdefault(version_id, []).append(
                _adopter(playbook, version_id, verdicts[playbook.id], number, versions)
            )
    return adopters


def _adopter(
    playbook: Playbook,
    version_id: int | None,
    verdicts: list[dict[str, Any]],
    number: dict[int, int],
    versions: list[RegistryVersion],
) -> dict[str, Any]:
    """An adopter as the history of version `version_id` shows it: running it now (its
    status, and what it runs), or upgraded since; its verdicts against that version."""
    now = version_id == playbook.adopted_from_id
    own = [
        v
        for v in verdicts
        if v.get("origin_version") == number.get(version_id or 0) or (now and "origin_version" not in v)
    ]
    latest = own[-1] if own else None
    return dict(
        slug=playbook.slug,
        status=playbook.status if now else f"upgraded to v{number.get(playbook.adopted_from_id or 0)}",
        runs=upgrades.runs(versions, playbook.adopted_from_id) if now else None,  # "runs v2; v3 published 1 Mar"
        verdict=latest["verdict"] if latest else None,
        cycle=latest["cycle"] if latest else None,
        match=latest if latest and "change" in latest else None,  # its change against the origin's
        verdicts=own,  # each completed cycle's against this version, oldest first, with its numbers
    )


def _requests_by_version(store: Store, versions: list[RegistryVersion]) -> dict[int, list[dict[str, Any]]]:
    """Each version's requests to adopt it: pending first, then decided, newest first."""
    requests: dict[int, list[dict[str, Any]]] = {}
    for r in sorted(store.registry.requests([v.id for v in versions]), key=lambda r: (r.status != "pending", -r.id)):
        requests.setdefault(r.version_id, []).append(
            dict(
                channel=r.channel_id,
                requester=r.requester_id,
                champion=r.champion_id,
                why=r.answers.get("why") or r.answers.get("similar"),
                status=r.status,
                decided_by=r.decided_by,
                reason=r.reason,
                adopted=r.adopted_slug,
                on=r.created_at.date().isoformat(),
            )
        )
    return requests


def _entry(
    v: RegistryVersion,
    medians: dict[tuple[int, int], float | None],
    adopters: list[dict[str, Any]],
    requests: list[dict[str, Any]],
) -> dict[str, Any]:
    spec = read_spec(v.definition)
    kpi, kit = spec.kpi, spec.replication
    return dict(
        slug=v.slug,
        version=v.version,
        function=v.function,
        requests=requests,  # pending first, then decided, newest first: where next, and why
        published_on=v.published_at.date().isoformat(),
        # each cycle's result with its median weekly KPI and that median's share of the
        # way: the statistic the replication verdicts judge by (cadence.replication)
        results=[
            dict(
                r,
                median=medians.get((v.playbook_id, r.get("cycle"))),
                progress=_progress(medians.get((v.playbook_id, r.get("cycle"))), kpi),
            )
            for r in v.cycle_results
        ],
        target=kpi.target,
        unit=kpi.unit,
        adopters=sorted(adopters, key=lambda a: a["slug"]),
        learnings=len(v.learnings),
        latest_learnings=v.learnings[:3],
        kit=bool(kit.runbook),
        kit_runbook=kit.runbook,
        replication=kit.as_stored(),
        all_learnings=v.learnings,
        override=v.override_reason,  # published by override: the KPI was not sustained
        # "published over readiness: 3 criteria not met — <reason>", and which
        over_readiness=notices_registry.over_readiness(v.over_readiness),
        not_met=list((v.over_readiness or {}).get("not_met") or []),
    )


def _medians(store: Store, versions: list[RegistryVersion]) -> dict[tuple[int, int], float | None]:
    """Each published cycle's median weekly KPI, by (origin playbook id, cycle), from the
    origin's reports of the cycle's four weeks: two reads however many versions."""
    starts = store.governance.cycle_starts_of(sorted({v.playbook_id for v in versions}))
    cycles = {(v.playbook_id, r.get("cycle")) for v in versions for r in v.cycle_results}
    weeks = {
        key: [starts[key] + timedelta(days=7 * i) for i in range(calendar.WEEKS_PER_CYCLE)]
        for key in cycles
        if key in starts
    }
    kpis = store.reports.week_kpis([(pid, w) for (pid, _), ws in weeks.items() for w in ws])
    return {
        (pid, cycle): replication.cycle_median([kpis.get((pid, w)) for w in ws]) for (pid, cycle), ws in weeks.items()
    }


def _progress(middle: float | None, kpi: KpiSpec) -> float | None:
    if middle is None or kpi.baseline == kpi.target:
        return None
    return replication.progress(middle, kpi.baseline, kpi.target)


def phase_seen(entry: dict[str, Any], visible: Callable[[str], bool]) -> dict[str, Any]:
    """A registry entry's phase as a reader who sees only some teams reads it: an adopter it
    may not see is named "another team" (the API's scoped tokens)."""
    if all(visible(a["slug"]) for a in entry["adopters"]):
        return dict(entry["phase"])
    adopters = [replace(a, slug=a.slug if visible(a.slug) else "another team") for a in listed(entry["adopters"])]
    number = entry["assessment"]["number"] if entry.get("assessment") else None
    return phases.phase(number, adopters, int(entry["wave"]["size"]), entry["slug"]).shown()
