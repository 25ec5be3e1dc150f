"""A step's calibration runs (handlers/grammar_calibrate.py, usecases/calibration.py): the refusals, each a key of
the catalogue this module registers (templates/refusals.py) and no other does."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
    "calibrate_arguments": "`calibrate` needs a playbook, a step and the run's score as passed/cases (37/40).",
    "calibrate_score": "“{word}” is not a calibration run's score: write passed/cases, e.g. 37/40.",
    "calibrate_over_total": "{passed} passed of {total} cases: no more cases can pass than the set holds.",
    "calibrate_undeclared": (
        "Step {step} of {slug} has no calibration set: declare one with `calibration: {{cases: N}}` "
        "in its definition first."
    ),
    "calibrate_total": (
        "Step {step} of {slug} has a calibration set of {cases} cases, not {total}: a run is scored out of the whole set."
    ),
}
