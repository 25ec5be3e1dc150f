"""A step's calibration set and whether its latest run still speaks for the step
(docs/playbooks.md, "Calibration"). Pure: a stored definition and the runs in, a
standing out.

A run is recorded against the step as declared then (its `basis`: the step's mode,
rubric and dimensions, and the set's size). A revision that changes any of them, or an
edit with *Prompt or model changed* ticked after the run, makes the run **stale** until
the set is run again. Where a set is declared, a promotion to ai-led waits for a current
run at or above the rubric threshold, and so does readiness's output accuracy."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cadence.definition_calibration import declared

MISSING, STALE, BELOW = "missing", "stale", "below"


@dataclass(frozen=True)
class Run:
    """A run of a step's calibration set, as recorded."""

    passed: int
    total: int
    basis: str
    by: str
    at: datetime
    revision: int | None = None  # the playbook's latest revision (a decision's id) when run
    note: str | None = None

    @property
    def share(self) -> float:
        return self.passed / self.total


def basis(definition: dict[str, Any], step: str) -> str:
    """What a run is recorded against: the step's declared mode and rubric (its
    dimensions, its own or the playbook's) and the set's size, as a short fingerprint."""
    steps: list[dict[str, Any]] = definition.get("steps") or []
    own = next((s for s in steps if str(s.get("name", "")).lower() == step.lower()), {})
    shape = {
        "mode": own.get("mode"),
        "rubric": own.get("rubric"),
        "dimensions": own.get("dimensions"),
        "playbook_rubric": definition.get("rubric"),
        "playbook_dimensions": definition.get("dimensions"),
        "cases": declared(definition, step),
    }
    return hashlib.sha256(json.dumps(shape, sort_keys=True, default=str).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Standing:
    """A step's calibration: its set's size, the latest run, and whether that run is
    current and meets the threshold."""

    cases: int
    latest: Run | None
    current: bool
    threshold: float

    @property
    def meets(self) -> bool:
        return self.latest is not None and self.latest.share + 1e-9 >= self.threshold

    @property
    def holds(self) -> str | None:
        """Why a promotion to ai-led waits (MISSING, STALE or BELOW), or None: it may go."""
        if self.latest is None:
            return MISSING
        if not self.current:
            return STALE
        return None if self.meets else BELOW

    def words(self) -> str:
        """The standing in a line ("37/40 = 92.5%, current")."""
        if self.latest is None:
            return f"no run of its {self.cases} cases yet"
        run = self.latest
        shown = f"{run.passed}/{run.total} = {run.share * 100:.1f}%".replace(".0%", "%")
        if not self.current:
            return f"{shown}, stale: the step changed since it was run"
        if not self.meets:
            return f"{shown}, below the threshold {self.threshold * 100:g}%"
        return f"{shown}, current"


def standing(
    definition: dict[str, Any],
    step: str,
    latest: Run | None,
    changed_after: bool,
    threshold: float,
    revisions: Sequence[tuple[dict[str, Any], dict[str, Any]]] = (),
) -> Standing | None:
    """The step's calibration standing, or None where no set is declared for it.
    `changed_after`: an edit with *Prompt or model changed* ticked came after `latest`;
    `revisions`: the (before, after) definitions of each revision since it was run, so that
    a step changed and changed back is stale still."""
    cases = declared(definition, step)
    if cases is None:
        return None
    changed = changed_after or any(basis(before, step) != basis(after, step) for before, after in revisions)
    current = latest is not None and not changed and latest.basis == basis(definition, step)
    return Standing(cases, latest, current, threshold)


def since(runs: Iterable[Run | None]) -> int | None:
    """The revision a playbook's revisions are wanted after, to judge whether its runs
    are stale: its earliest run's (0: a run before any revision), None without a run."""
    return min((r.revision or 0 for r in runs if r is not None), default=None)


def standings(
    definition: dict[str, Any],
    steps: Sequence[str],
    latest: Mapping[str, tuple[Run | None, bool]],
    revisions: Sequence[tuple[int, dict[str, Any], dict[str, Any]]],
    threshold: float,
) -> dict[str, Standing]:
    """A playbook's steps' standings, by step name, for the steps with a set declared:
    `latest`, each step's latest run and whether a *Prompt or model changed* mark came
    after it, by step name lowercased; `revisions`, the playbook's (id, before, after)
    since `since` of those runs, oldest first."""
    found = {}
    for step in steps:
        run, changed = latest.get(step.lower(), (None, False))
        after = [(b, a) for rid, b, a in revisions if run is not None and rid > (run.revision or 0)]
        one = standing(definition, step, run, changed, threshold, after)
        if one is not None:
            found[step] = one
    return found
