"""The rubric's section of a playbook, or of one step: `rubric: {dimensions: [tone,
accuracy, policy]}` (cadence/dimensions.py). A step may still say `rubric: none`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, field_validator

from cadence.definition_parts import Place, Strict
from cadence.dimensions import DIMENSION_RE, MAX_DIMENSIONS
from cadence.sources import DimensionsFromSpec, FromSpec

__all__ = ["DIMENSION_RE", "RubricSpec", "StepRubric"]

Dimension = Annotated[str, Field(pattern=DIMENSION_RE)]


class RubricSpec(Strict):
    """The dimensions a review scores, each out of the one reviewed count."""

    dimensions: list[Dimension] = Field(min_length=1, max_length=MAX_DIMENSIONS)

    @field_validator("dimensions")
    @classmethod
    def _unique(cls, dimensions: list[str]) -> list[str]:
        if len(set(dimensions)) != len(dimensions):
            twice = next(d for d in dimensions if dimensions.count(d) > 1)
            raise ValueError(f"dimension '{twice}' is listed twice")
        if "week" in dimensions:  # `week:N` after a review names its week
            raise ValueError("dimension 'week' would read as week:N in /rollout rubric: name it otherwise")
        return dimensions


def _which(value: Any) -> str | None:
    """A step's `rubric:` is the word none or its own dimensions: judged by its shape, so
    a problem is told of the one it was meant to be (the tag is the model's name, which
    the problem's place leaves out: cadence/problems.py)."""
    if isinstance(value, str) and value != "none":
        return None
    return "none" if isinstance(value, str) else "RubricSpec"


StepRubric = Annotated[
    Annotated[Literal["none"], Tag("none")] | Annotated[RubricSpec, Tag("RubricSpec")],
    Discriminator(
        _which,
        custom_error_type="step_rubric",
        custom_error_message="must be none, or the step's own {dimensions: [...]}",
    ),
]


def sourced_problems(rubric: RubricSpec | None, steps: Sequence[Any]) -> list[tuple[Place, str]]:
    """A step's rubric source against its dimensions: a step whose rubric has dimensions
    takes from its source a count per dimension ({reviewed, dimensions}), each of them and
    no other; a step without dimensions takes none. Each problem with its place."""
    problems: list[tuple[Place, str]] = []
    for index, step in enumerate(steps):
        given = _rubric_source(step)
        problem = _step_source_problem(rubric, index, step, given) if given is not None else None
        if problem is not None:
            problems.append(problem)
    return problems


def _rubric_source(step: Any) -> Any:
    """The source a step's review counts are taken from, None without one or with `rubric: none`."""
    given = step.from_.rubric if step.from_ is not None else None
    return None if step.rubric == "none" else given


def _step_source_problem(rubric: RubricSpec | None, index: int, step: Any, given: Any) -> tuple[Place, str] | None:
    """One step's rubric source against its dimensions, its problem with its place, if any."""
    own = step.rubric if isinstance(step.rubric, RubricSpec) else rubric
    declared = own.dimensions if own is not None else []
    where, at = f"steps[{step.name}].from.rubric", ("steps", index, "from", "rubric")
    if not declared and isinstance(given, DimensionsFromSpec):
        return (at, f"{where}: step {step.name}'s rubric has no dimensions, so its source gives none")
    if declared and not isinstance(given, DimensionsFromSpec):
        return (
            at,
            f"{where}: step {step.name}'s rubric has dimensions ({', '.join(declared)}): its source gives "
            "{reviewed: …, dimensions: {<dimension>: …}}, a count for each",
        )
    if isinstance(given, DimensionsFromSpec) and set(given.dimensions) != set(declared):
        return _dimensions_problem(where, at, step.name, declared, given)
    return None


def _dimensions_problem(
    where: str, at: Place, step_name: str, declared: list[str], given: DimensionsFromSpec
) -> tuple[Place, str]:
    """A source giving other dimensions than its step's: the first one missing, or else the
    first one the step does not have, with its place."""
    missing = [d for d in declared if d not in given.dimensions]
    said = f"dimension {missing[0]} is not given" if missing else None
    unknown = next((d for d in given.dimensions if d not in declared), "")
    place = (*at, "dimensions") if missing else (*at, "dimensions", unknown)
    return (place, f"{where}.dimensions: {said or f'{unknown} is not a dimension of step {step_name}'}")


def sourced_entries(where: str, place: Place, given: DimensionsFromSpec) -> list[tuple[str, Place, FromSpec, None]]:
    """The numbers a review by dimension is asked for, each with its place, to be checked."""
    return [(f"{where}.reviewed", (*place, "reviewed"), given.reviewed, None)] + [
        (f"{where}.dimensions.{name}", (*place, "dimensions", name), spec, None)
        for name, spec in given.dimensions.items()
    ]
