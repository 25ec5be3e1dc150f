"""Strict boundaries in the registry (cadence/boundaries.py): what a published version
says of its scope, for the teams that would adopt it: each step's declared boundaries and
its origin's out-of-scope share over every week counted ("send: refund over 500 EUR, legal
threat; the origin: 12% of cases out of scope, 6 of 50"). A version that declares none
shows nothing and reads nothing."""

from __future__ import annotations

from datetime import date

from cadence import boundaries
from cadence.definition import read_spec
from storage.models.governance import RegistryVersion
from storage.store import Store
from templates.boundaries_words import out_of_scope_phrase


def registry_line(store: Store, version: RegistryVersion) -> str | None:
    """The version's scope in a line, or None where no step declares boundaries."""
    declared = [(s.name, list(s.boundaries)) for s in read_spec(version.definition).steps if s.boundaries]
    if not declared:
        return None
    scoped = "; ".join(f"{name}: {', '.join(said)}" for name, said in declared)
    seen = store.out_of_scope.seen(version.playbook_id, date.min, date.max).values()
    cases, out = sum(c for c, _ in seen), sum(o for _, o in seen)
    share = boundaries.out_of_scope_share(cases, out) if seen else None
    counted = f"{out_of_scope_phrase(share)}, {out} of {cases + out}" if share is not None else "none counted"
    return f"boundaries: {scoped}; the origin: {counted}"
