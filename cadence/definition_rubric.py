"""The rubric's section of a playbook, or of one step: `rubric: {dimensions: [tone,
accuracy, policy]}` (cadence/dimensions.py). A step may still say `rubric: none`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag, field_validator

from cadence.definition_parts import Strict
from cadence.dimensions import DIMENSION_RE, MAX_DIMENSIONS

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
