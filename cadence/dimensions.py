"""Rubric dimensions (docs/playbooks.md, "Rubric dimensions"): a review that scores each
of the rubric's declared dimensions (`tone`, `accuracy`, `policy`) out of one reviewed
count. The step's score for the week is its lowest dimension's, and the verdict names it.

A review's counts are kept as the command writes them, in the declared order:
`tone:19 accuracy:18 policy:20` (rubric_score.dimensions, step_verdict.dimensions).

Plain data in, plain data out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

DIMENSION_RE = r"^[a-z][a-z0-9_-]{0,23}$"  # one word: typed as `name:count`
MAX_DIMENSIONS = 8


def declared(definition: Mapping[str, Any] | None, step: str) -> tuple[str, ...]:
    """The dimensions a step's reviews score: its own `rubric: {dimensions}`, else the
    playbook's; none for a step with `rubric: none` or where none are declared."""
    definition = definition or {}
    wanted = step.lower()
    spec = next((s for s in definition.get("steps") or [] if str(s.get("name", "")).lower() == wanted), None)
    own = (spec or {}).get("rubric")
    if own == "none":
        return ()
    return _dimensions_of(own) or _dimensions_of(definition.get("rubric"))


def _dimensions_of(rubric: Any) -> tuple[str, ...]:
    """The dimensions a `rubric:` section declares; none for another value or none declared."""
    if isinstance(rubric, Mapping) and rubric.get("dimensions"):
        return tuple(str(d) for d in rubric["dimensions"])
    return ()


@dataclass(frozen=True)
class Problem:
    """Why a review by dimension is refused: `kind` missing | unknown | over | not_asked."""

    kind: str
    dimension: str = ""
    passed: int = 0


def check(declared: Sequence[str], given: Sequence[tuple[str, int]], reviewed: int | None) -> Problem | None:
    """A review's dimensions against the step's: every declared one given once (the first
    left out is named), none unknown or given twice, none passed more than reviewed.
    Dimensions given to a step that declares none are unknown ones; a step that declares
    some needs a reviewed count and each of them."""
    names = {d.lower(): d for d in declared}
    seen: set[str] = set()
    problem = _given_problem(names, given, reviewed, seen)
    if problem is not None:
        return problem
    if declared and (reviewed is None or not given):
        return Problem("not_asked", declared[0])
    for name in declared:
        if name.lower() not in seen:
            return Problem("missing", name)
    return None


def _given_problem(
    names: dict[str, str], given: Sequence[tuple[str, int]], reviewed: int | None, seen: set[str]
) -> Problem | None:
    """The first dimension given that is unknown, given twice or passed more than reviewed;
    `seen` gathers the dimensions read (lowercased)."""
    for name, passed in given:
        key = name.lower()
        if key not in names or key in seen:
            return Problem("unknown" if key not in names else "twice", name)
        seen.add(key)
        if reviewed is not None and passed > reviewed:
            return Problem("over", names[key], passed)
    return None


def in_order(declared: Sequence[str], given: Sequence[tuple[str, int]]) -> tuple[tuple[str, int], ...]:
    """The counts given, under their declared names and in the declared order."""
    counts = {name.lower(): passed for name, passed in given}
    return tuple((name, counts[name.lower()]) for name in declared if name.lower() in counts)


def encode(counts: Sequence[tuple[str, int]]) -> str | None:
    """`tone:19 accuracy:18 policy:20` (None: a review without dimensions)."""
    return " ".join(f"{name}:{passed}" for name, passed in counts) or None


def decode(stored: str | None) -> tuple[tuple[str, int], ...]:
    """A stored review's counts, as `encode` wrote them."""
    if not stored:
        return ()
    pairs = (part.rsplit(":", 1) for part in stored.split())
    return tuple((name, int(passed)) for name, passed in pairs)


@dataclass(frozen=True)
class Lowest:
    """The dimension a review's score is: its name, how many passed, of how many
    dimensions. The first declared of equal counts."""

    name: str
    passed: int
    of: int


def lowest(stored: str | None) -> Lowest | None:
    counts = decode(stored)
    if not counts:
        return None
    name, passed = min(counts, key=lambda pair: pair[1])
    return Lowest(name, passed, len(counts))


def score(counts: Sequence[tuple[str, int]], reviewed: int) -> float:
    """The review's score: its lowest dimension's share of the reviewed cases."""
    return round(min(passed for _, passed in counts) / reviewed, 6)


def words(stored: str | None, reviewed: int | None) -> str:
    """ "accuracy 18/20 = 90%, lowest of 3" ("" for a review without dimensions)."""
    low = lowest(stored)
    if low is None or not reviewed:
        return ""
    share = f"{low.passed / reviewed * 100:.1f}".rstrip("0").rstrip(".") + "%"
    return f"{low.name} {low.passed}/{reviewed} = {share}, lowest of {low.of}"
