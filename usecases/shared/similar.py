"""The same learning, not paid twice (docs/programme.md; cadence/similarity.py): before
`/rollout new` makes a playbook, or `/rollout adopt` starts a team on a version in a function
new to it, the published versions and active playbooks it closely
matches are shown, with *Adopt it* (a published version: the request form at `new`, the
adopt of it instead at `adopt`: usecases/shared/adopt_offer.py) and *Create anyway* (a
reason, kept as a decision `created-anyway` beside the playbook's creation). Reads only."""

from __future__ import annotations

from dataclasses import dataclass

from cadence.definition import read_spec
from cadence.similarity import Described, Match, matches
from storage.models.governance import RegistryVersion
from storage.store import Store
from usecases.shared import versions as upgrades

SHOWN = 5  # the closest matches a form shows


@dataclass(frozen=True)
class Found:
    """What the form shows: each close match, and whether it can be adopted (a version)."""

    matches: list[Match]

    @property
    def words(self) -> list[str]:
        return [m.words for m in self.matches]


def candidates(store: Store) -> list[Described]:
    """Each origin's newest published version, and each active playbook not already there
    through a version (neither an origin published nor an adopter of one)."""
    versions = sorted(upgrades.newest_of_each(store.registry.versions()).values(), key=lambda v: (v.slug, v.version))
    published = {v.playbook_id for v in versions}
    found = []
    for v in versions:
        spec = read_spec(v.definition)
        found.append(
            Described(
                v.slug,
                spec.title,
                v.function,
                spec.kpi.name,
                spec.kpi.unit,
                tuple(s.name for s in spec.steps),
                v.version,
            )
        )
    for state in store.playbooks.active_states():
        p = state.playbook
        if p.id in published or p.adopted_origin_id in published:
            continue
        found.append(Described(p.slug, p.title, p.function, p.kpi_name, p.kpi_unit, tuple(s.name for s in state.steps)))
    return found


def for_adoption(store: Store, version: RegistryVersion, channel_id: str) -> list[Match]:
    """An adoption into a new function (the team runs no playbook of the version's): the
    close matches of the version among the others, the closest first; [] for the same
    function (usecases/shared/adopt_offer.py offers them)."""
    functions = {
        s.playbook.function.casefold() for s in store.playbooks.states(channel_id) if s.playbook.status == "active"
    }
    if version.function.casefold() in functions:
        return []
    spec = read_spec(version.definition)
    new = Described(
        version.slug, spec.title, version.function, spec.kpi.name, spec.kpi.unit, tuple(s.name for s in spec.steps)
    )
    return matches(new, candidates(store))[:SHOWN]


def found(store: Store, new: Described) -> Found | None:
    """The close matches of a playbook about to be made, the closest first; None: none."""
    close = matches(new, candidates(store))[:SHOWN]
    return Found(close) if close else None
