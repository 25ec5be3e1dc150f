"""Readiness judged by its effect (docs/judgement.md, "The bar judged by its effect"): every
criterion of readiness the definition decides, judged again with the current figures under
the definition before and the asked one by the judge `/rollout publish` uses
(cadence/readiness.py `readiness`). The definition decides the attestation's minimum,
each step's cap and `min_cases` (exceptions), the rubric threshold and each step's
`rubric: none` (output accuracy), its calibration sets (`calibration: none` leaves a
step's set out), the inputs' checks and `check: none` (input reliability) and the cycles
asked (`scale_after_cycles`). A criterion moving from ❌ to ✅, or to "none", under the asked
definition is easier: "under the asked bar, readiness's output accuracy would move from ❌
to none: draft: no rubric by design".

What a person completes stays at once: the owners named (criterion 5) keep the figures
read, an input that declared no check declaring `check: none` with its reason completes
(7) (`completed`), and the input contract (3) is judged by cadence/bar_sort.py
(`_readiness`: an input removed, not completed). Pure: what readiness was read on now in, the lines out."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from cadence import inputs, readiness
from cadence.definition_calibration import declared
from cadence.readiness import Criterion, StepRatio, StepRubric
from cadence.verdicts import Thresholds

# The criteria a person completes rather than the bar decides, judged elsewhere or not at all.
COMPLETED = frozenset({"contract", "owner"})
NAMES = {
    "attestation": "attestation",
    "exceptions": "exceptions within the cap",
    "learnings": "learnings",
    "accuracy": "output accuracy",
    "reliability": "input reliability",
    "queue": "exception queue",
}


@dataclass(frozen=True)
class Readiness:
    """What readiness is judged on now, as `/rollout publish` reads it: the arguments of
    cadence/readiness.py `readiness` under the definition in force (`found`)."""

    found: dict[str, Any]


def criteria(definition: dict[str, Any], t: Thresholds, read: Readiness) -> list[Criterion]:
    """Readiness's criteria with the figures read now, under `definition` (`t`, its thresholds)."""
    found = read.found
    steps, scored = _steps_judged(definition, found, t)
    asked = dict(
        found,
        min_attestation=t.ready_min_attestation,
        min_reliability=t.ready_min_reliability,
        steps=steps,
        rubrics=scored,
        rubric_threshold=t.rubric_threshold,
        inputs=list(definition.get("inputs") or []),
        outputs=list(definition.get("outputs") or []),
        input_checks=_checked(definition, found),
        calibration=_held(definition, found),
    )
    return readiness.readiness(**asked, cycles_wanted=t.scale_after_cycles)


def _steps_judged(
    definition: dict[str, Any], found: dict[str, Any], t: Thresholds
) -> tuple[list[StepRatio], list[StepRubric]]:
    """The definition's steps, their ratios and their rubrics, from the figures read now."""
    ratios = {s.step.lower(): s for s in found.get("steps") or []}
    rubrics = {r.step.lower(): r for r in found.get("rubrics") or []}
    cycles = len(found.get("cycles") or [])
    judged = [_step(step, ratios, rubrics, cycles, t) for step in definition.get("steps") or []]
    return [ratio for ratio, _ in judged], [rubric for _, rubric in judged]


def _step(
    step: dict[str, Any], ratios: dict[str, StepRatio], rubrics: dict[str, StepRubric], cycles: int, t: Thresholds
) -> tuple[StepRatio, StepRubric]:
    """A step of the definition, its figures read now (under its name, or the one it `was`)
    judged by the definition's cap, `min_cases` and `rubric: none`."""
    name = str(step["name"])
    was = str(step.get("was") or name).lower()
    ratio = ratios.get(name.lower()) or ratios.get(was)
    exceptions, cases = (ratio.exceptions, ratio.cases) if ratio else (0, 0)
    rubric = rubrics.get(name.lower()) or rubrics.get(was) or StepRubric(name, [[None] * 4] * cycles)
    by_design = step.get("rubric") == "none"
    return (
        StepRatio(name, exceptions, cases, t.exception_cap, t.min_cases),
        replace(rubric, step=name, by_design=by_design, reason=step.get("reason") if by_design else None),
    )


def _checked(definition: dict[str, Any], found: dict[str, Any]) -> list[Any]:
    """The inputs' weeks read now, of the inputs the definition checks, against its mins."""
    checks = {c.name: c.min for c in inputs.checks(definition)}
    return [replace(w, min=checks[w.name]) for w in found.get("input_checks") or [] if w.name in checks]


def _held(definition: dict[str, Any], found: dict[str, Any]) -> dict[str, str]:
    """The steps whose calibration run holds accuracy back, of those the definition gives a set."""
    return {step: why for step, why in (found.get("calibration") or {}).items() if declared(definition, step)}


def replay(
    before: dict[str, Any], after: dict[str, Any], tb: Thresholds, ta: Thresholds, read: Readiness | None
) -> list[str]:
    """Each criterion the asked definition would move from ❌ to ✅ or to "none", in words;
    without figures read, or with none that say so, a lower attestation minimum is named
    by a probe: a rate between the two."""
    found = _moved(before, after, tb, ta, read) if read is not None else []
    lower, higher = ta.ready_min_attestation, tb.ready_min_attestation
    if lower < higher and not any("attestation" in line for line in found):
        found.append(
            f"under the asked bar, an attestation rate of {(lower + higher) / 2:.0%} would meet readiness's "
            f"attestation minimum, {lower:.0%}, not miss {higher:.0%}"
        )
    return found


def completed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """`before` with what the asked definition completes: an input that declared no check
    and now says `check: none` with its reason has declared what silence did not (PRODUCT:
    "silence is never a pass; a declared none with its reason is"), as a contract filled
    in has; a check removed or made none is the bar's, judged as asked."""
    now = {inputs.name_of(given).lower(): given for given in after.get("inputs") or []}
    declared_inputs = []
    for given in before.get("inputs") or []:
        kept = now.get(inputs.name_of(given).lower())
        silent = not isinstance(given, dict) or given.get("check") is None
        declared_inputs.append(kept if silent and kept is not None and inputs.declared_none(kept) else given)
    return {**before, "inputs": declared_inputs}


def _moved(before: dict[str, Any], after: dict[str, Any], tb: Thresholds, ta: Thresholds, read: Readiness) -> list[str]:
    old = {c.name: c for c in criteria(completed(before, after), tb, read)}
    found = []
    for new in criteria(after, ta, read):
        was = old.get(new.name)
        if was is None or new.name in COMPLETED:
            continue
        if new.none is not None and was.none is None:
            found.append(
                f"under the asked bar, readiness's {NAMES[new.name]} would move from {_state(was)} to none: {new.none}"
            )
        elif new.met and not was.met:
            found.append(f"under the asked bar, readiness's {NAMES[new.name]} would move from ❌ to ✅{_why(new, was)}")
    return found


def _why(criterion: Criterion, was: Criterion) -> str:
    """What moved it: the attestation's rate against the asked minimum; the steps that held
    exceptions or output accuracy back and would not."""
    f = criterion.figures
    if criterion.name == "attestation" and f.get("rate") is not None:
        return f": {f['answered']} of {f['asked']} check-ins answered, {f['rate']:.0%} against {f['minimum']:.0%}"
    held = [*was.figures.get("below", []), *was.figures.get("over", []), *was.figures.get("short", [])]
    now = {*f.get("below", []), *f.get("over", []), *f.get("short", [])}
    freed = list(dict.fromkeys(step for step in held if step not in now))
    return f": {', '.join(freed)} would no longer hold it back" if freed else ""


def _state(criterion: Criterion) -> str:
    return "✅" if criterion.met else "❌"
