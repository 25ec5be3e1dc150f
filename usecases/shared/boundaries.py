"""Strict boundaries in readiness and the registry (cadence/boundaries.py): readiness's
news shows each bounded step's out-of-scope share over the cycles it judges, beside the
criteria as information, not a criterion. And what a published version
says of its scope, for the teams that would adopt it: each step's declared boundaries and
its origin's out-of-scope share over every week counted ("send: refund over 500 EUR, legal
threat; the origin: 12% of cases out of scope, 6 of 50"). A version that declares none
shows nothing and reads nothing."""

from __future__ import annotations

from datetime import date

from cadence import boundaries
from cadence.definition import read_spec
from cadence.state import PlaybookState
from storage.models.governance import RegistryVersion
from storage.store import Store
from templates.boundaries_words import out_of_scope_phrase


def readiness_line(store: Store, state: PlaybookState, first: date, last: date) -> str | None:
    """The out-of-scope share of each step that declares boundaries, over the weeks from
    `first` to `last` (the cycles readiness is judged on), beside the criteria as
    information; None where no step declares any."""
    declared = [s.name for s in state.spec.steps if s.boundaries]
    if not declared:
        return None
    seen = store.out_of_scope.seen(state.playbook.id, first, last)
    ids = {s.name: s.id for s in state.steps}
    parts = []
    for name in declared:
        cases, out = seen.get(ids.get(name, -1), (0, 0))
        share = boundaries.out_of_scope_share(cases, out) if ids.get(name) in seen else None
        parts.append(
            f"{name}: {out_of_scope_phrase(share)}, {out} of {cases + out}"
            if share is not None
            else f"{name}: none counted"
        )
    return "; ".join(parts)


def registry_lines(store: Store, versions: list[RegistryVersion]) -> dict[int, str]:
    """Each version's scope in a line, by version id, for those whose steps declare
    boundaries: its origin's counts read once for all of them."""
    declared = {
        v.id: [(s.name, list(s.boundaries)) for s in read_spec(v.definition).steps if s.boundaries] for v in versions
    }
    scoped = [v for v in versions if declared[v.id]]
    seen = store.out_of_scope.seen_of(sorted({v.playbook_id for v in scoped}), date.min, date.max) if scoped else {}
    return {v.id: _registry_line(declared[v.id], seen.get(v.playbook_id, {})) for v in scoped}


def _registry_line(declared: list[tuple[str, list[str]]], seen: dict[int, tuple[int, int]]) -> str:
    scoped = "; ".join(f"{name}: {', '.join(said)}" for name, said in declared)
    cases, out = sum(c for c, _ in seen.values()), sum(o for _, o in seen.values())
    share = boundaries.out_of_scope_share(cases, out) if seen else None
    counted = f"{out_of_scope_phrase(share)}, {out} of {cases + out}" if share is not None else "none counted"
    return f"boundaries: {scoped}; the origin: {counted}"
