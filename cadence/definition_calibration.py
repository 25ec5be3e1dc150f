"""A calibration set in a playbook's definition (docs/playbooks.md, "Calibration"):
`calibration: {cases: 40}`, for the playbook or a step, a fixed set of cases with known
right answers that the team keeps and runs again after a change to the step."""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationInfo, field_validator

from cadence.definition_parts import Strict

MAX_CALIBRATION_CASES = 10_000


class CalibrationSpec(Strict):
    cases: int = Field(ge=1, le=MAX_CALIBRATION_CASES)  # the set's size: a run is scored out of it
    # how many of them are messy: exceptions and hard cases (cadence/boundaries.py's gate)
    messy: int | None = Field(default=None, ge=0, le=MAX_CALIBRATION_CASES)

    @field_validator("messy")
    @classmethod
    def _messy_within(cls, messy: int | None, info: ValidationInfo) -> int | None:
        cases = info.data.get("cases")
        if messy is not None and isinstance(cases, int) and messy > cases:
            raise ValueError(f"messy: {messy} is more than the set's {cases} cases")
        return messy


def drop_unset(data: dict[str, Any]) -> None:
    """A definition without a calibration set keeps the plain data it always had."""
    for section in (data, *data["steps"]):
        if section.get("calibration") is None:
            section.pop("calibration", None)
        elif isinstance(section["calibration"], dict) and section["calibration"].get("messy") is None:
            section["calibration"].pop("messy", None)  # and its messy cases, as its boundaries
    if data.get("messy_min") is None:
        data.pop("messy_min", None)
    for step in data["steps"]:
        for key in ("reason", "model", "prompt", "boundaries"):
            if step.get(key) is None:
                step.pop(key, None)


def none_reason(definition: dict[str, Any], step: str) -> str | None:
    """The reason `step` has no calibration set by design (`calibration: none`), or None."""
    for s in definition.get("steps") or []:
        if str(s.get("name", "")).lower() == step.lower() and s.get("calibration") == "none":
            return str(s.get("reason") or "")
    return None


def declared(definition: dict[str, Any], step: str) -> int | None:
    """The calibration set's size for `step` of a stored definition: the step's own, else
    the playbook's for a step with a rubric (`rubric: none` has nothing to calibrate);
    None: not declared."""
    for s in definition.get("steps") or []:
        if str(s.get("name", "")).lower() == step.lower():
            own = s.get("calibration")
            if isinstance(own, dict):
                return int(own["cases"])
            if own == "none" or s.get("rubric") == "none":
                return None
    top = definition.get("calibration")
    return int(top["cases"]) if isinstance(top, dict) else None
