"""A version's phase (cadence/phases.py), read from what is kept: the assessment it
carries, its adopters and their replication verdicts, a wave's places; and the gate on
waves that `adopt` passes (usecases/shared/adoption.py): a version before phase 1 takes no
team, one in phase 1 only its second pilot, unless a curator other than the asker
overrides (the adopt's one override, asked through usecases/shared/requests.py)."""

from __future__ import annotations

from typing import Any

from cadence import phases, replication
from cadence.phases import Adopter, Phase
from storage.models.governance import RegistryVersion
from storage.store import Store
from templates.refusals import Refusal
from usecases.shared import waves

RETIRED = "retired"


def listed(adopters: list[dict[str, Any]]) -> list[Adopter]:
    """A version's adopters as the registry's list shows them (usecases/shared/registry_list.py:
    each with its status and its verdicts against that version)."""
    return [
        Adopter(
            a["slug"],
            a.get("status") not in (RETIRED, None) and not str(a.get("status")).startswith("upgraded"),
            any(v.get("verdict") == replication.REPLICATED for v in a.get("verdicts") or []),
        )
        for a in adopters
    ]


def of_version(store: Store, version: RegistryVersion) -> tuple[Phase, list[Adopter]]:
    """The version's phase and its adopters: the ones that adopted it or ran it, each
    replicated when one of its cycles against this version was (five reads)."""
    return _read(store, version)[:2]


def _read(store: Store, version: RegistryVersion) -> tuple[Phase, list[Adopter], int]:
    """The phase, the adopters and how many adopters of the origin's versions run now."""
    kept = store.assessments.carried([(version.id, version.playbook_id, version.published_at)]).get(version.id)
    every = [v.id for v in store.registry.versions(playbook_id=version.playbook_id)]
    adopting = store.registry.adopters(every)
    ran = store.registry.versions_run([p.id for p in adopting])
    verdicts = store.registry.replication_verdicts([p.id for p in adopting])
    found = []
    for p in adopting:
        now = p.adopted_from_id == version.id
        if not now and version.id not in ran.get(p.id, []):
            continue
        own = [
            v
            for v in verdicts.get(p.id, [])
            if v.get("origin_version") == version.version or (now and "origin_version" not in v)
        ]
        replicated = any(v.get("verdict") == replication.REPLICATED for v in own)
        found.append(Adopter(p.slug, now and p.status != RETIRED, replicated))
    number = kept.number if kept is not None else None
    running = sum(1 for p in adopting if p.status != RETIRED)
    return phases.phase(number, found, waves.size(version), version.slug), found, running


def needed(store: Store, version: RegistryVersion) -> bool:
    """Whether an adoption of `version` now needs a curator's override for its phase, storing nothing."""
    current, adopters = of_version(store, version)
    return not phases.may_open(current, adopters)


def check(store: Store, version: RegistryVersion, override: str | None) -> int | None:
    """The gate on waves: refused, nothing stored, while the version is before phase 1, or in
    phase 1 with its second pilot running, unless `override` (a curator's reason, which a
    curator other than the asker approved: usecases/shared/requests.py). Passed as its
    second pilot: how many adopters of the origin may run once it is stored (what the
    adoption's transaction counts again, Registry.adopt's `wave_limit`: two second pilots
    at once, one adopts); else None."""
    current, adopters, running = _read(store, version)
    if override is not None or current.number >= phases.VERIFIED:
        return None
    if phases.may_open(current, adopters):
        return running + 1
    slug, number, words = version.slug, version.version, current.words()
    if current.number == phases.PILOTING:
        raise Refusal.of("adopt_phase_piloting", usage="adopt", slug=slug, version=number, phase=words)
    raise Refusal.of("adopt_phase_assessed", usage="adopt", slug=slug, version=number, phase=words)
