"""A step's calibration set and whether its latest run still speaks for the step
(docs/playbooks.md, "Calibration"). Pure: a stored definition and the runs in, a
standing out.

A run is recorded against the step as declared then (its `basis`: the step's mode,
rubric and dimensions, the set's size, and its declared `model` and `prompt`). A revision
that changes any of them makes the run **stale** until the set is run again, with no box to
tick (a `prompt-changed` mark the edit form's old box left after a run still does). A
promotion to ai-led needs a set (or `calibration: none` with a reason) and waits for a
current run at or above the rubric threshold (`hold`: a week's close holds it back, the owner
told why), and so does readiness's output accuracy."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from cadence import bar_structure, rules
from cadence.definition_calibration import declared

MISSING, STALE, BELOW, NO_SET = "missing", "stale", "below", "no-set"
AI_LED = "ai-led"  # the mode a set must be run for


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
    # declared, and its texts (cadence/step_texts.py): a change of any makes a run stale by itself
    for key in ("model", "prompt", "prompt_text", "rubric_text"):
        if own.get(key) is not None:
            shape[key] = own[key]
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
    `changed_after`: a `prompt-changed` mark (left by the edit form's old box) came after `latest`;
    `revisions`: the (before, after) definitions of each revision since it was run, so that
    a step changed and changed back is stale still."""
    cases = declared(definition, step)
    if cases is None:
        return None
    changed = changed_after or any(
        basis(before, _before(before, after, step)) != basis(after, step) for before, after in revisions
    )
    current = latest is not None and not changed and latest.basis == basis(definition, step)
    return Standing(cases, latest, current, threshold)


def _before(before: dict[str, Any], after: dict[str, Any], step: str) -> str:
    """The step's name in `before`: its `was` where the revision renamed it."""
    had = {str(s.get("name", "")).lower(): s for s in before.get("steps") or []}
    own = next((s for s in after.get("steps") or [] if str(s.get("name", "")).lower() == step.lower()), {"name": step})
    return bar_structure.named_before(had, own)


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
    `latest`, each step's latest run and whether a `prompt-changed` mark (the edit form's
    old box's) came after it, by step name lowercased; `revisions`, the playbook's (id, before, after)
    since `since` of those runs, oldest first."""
    found = {}
    for step in steps:
        run, changed = latest.get(step.lower(), (None, False))
        after = [(b, a) for rid, b, a in revisions if run is not None and rid > (run.revision or 0)]
        one = standing(definition, step, run, changed, threshold, after)
        if one is not None:
            found[step] = one
    return found


def may_hold(definition: dict[str, Any], step: str, mode: str) -> bool:
    """Whether a close may hold back a proposal of the step in `mode`: a proposal from
    `mode` would be to ai-led (one level at a time, cadence.rules), and it declares a set."""
    return rules.promoted(mode) == AI_LED and declared(definition, step) is not None


def declares_any(definition: dict[str, Any]) -> bool:
    """Whether a stored definition declares a calibration set at all, the playbook's or a
    step's: most do not, and are told so without looking for each step's."""
    return "calibration" in definition or any("calibration" in s for s in definition.get("steps") or [])


@dataclass(frozen=True)
class Wait:
    """A proposal to ai-led held back: why (MISSING, STALE or BELOW), the standing in
    words, and when the latest run was made (None: never)."""

    why: str
    standing: str
    run_at: datetime | None


def hold(
    transitions: list[rules.Transition], one: Standing | None, none_reason: str | None = None
) -> tuple[list[rules.Transition], list[Wait]]:
    """A step's transitions at a close with a proposal to ai-led held back while `one`,
    the step's calibration standing, is stale, missing or below the threshold (the
    `Wait` says why); a proposal that goes shows the latest run in its figures. A step
    with no set declared (`one` None) is held back too (NO_SET: calibration is a
    promotion's evidence), unless it says `calibration: none` with a reason
    (`none_reason`), which its proposal shows."""
    if not any(_to_ai_led(t) for t in transitions):
        return transitions, []
    kept, waits = [], []
    for t in transitions:
        if not _to_ai_led(t):
            kept.append(t)
        elif one is None and none_reason is not None:
            kept.append(replace(t, figures={**t.figures, "calibration": f"no calibration set: {none_reason}"}))
        elif one is None:
            waits.append(Wait(NO_SET, "no calibration set", None))
        elif one.holds is None:
            kept.append(replace(t, figures={**t.figures, "calibration": one.words()}))
        else:
            waits.append(Wait(one.holds, one.words(), one.latest.at if one.latest is not None else None))
    return kept, waits


def _to_ai_led(t: rules.Transition) -> bool:
    return t.kind is rules.Kind.PROPOSAL and t.to_mode == AI_LED
