"""The check of a playbook's `from:`s against its sources (PlaybookSpec._sources_fit): every
`from:` names a source of the playbook and asks it what its kind answers, and a number a
value event carries takes no `from:` too. Each problem at the `from:` it is about (its
`source` when the source is unknown), for a file reader to name that line."""

from __future__ import annotations

from typing import Any

from cadence.definition_parts import Place
from cadence.definition_rubric import sourced_entries, sourced_problems
from cadence.inputs import CheckSpec, InputSpec
from cadence.sources import DimensionsFromSpec, FromSpec, SampleFromSpec, check_entry

Asked = tuple[str, Place, FromSpec | None, str | None]  # where as said, its place, the `from:`, what it feeds


def _asked(spec: Any) -> tuple[list[Asked], list[tuple[Place, str, bool]]]:
    """Every `from:` of the playbook with its place; and the value measure's own misplaced one."""
    given: list[Asked] = [
        ("kpi.from", ("kpi", "from"), spec.kpi.from_, "kpi"),
        ("guardrail.from", ("guardrail", "from"), spec.guardrail.from_ if spec.guardrail else None, None),
    ]
    for index, step in enumerate(spec.steps):
        if step.from_ is not None:
            given += _step_asked(index, step)
    value, problems = _value_asked(spec)
    given += value
    if spec.cost is not None and spec.cost.asks() is not None:  # a cost pulled from a source
        given.append(("cost", ("cost",), spec.cost.asks(), None))
    for index, put in enumerate(spec.inputs):  # an input's check asks a source as a `from:` does
        if isinstance(put, InputSpec) and isinstance(put.check, CheckSpec):
            given.append((f"inputs[{put.name}].check", ("inputs", index, "check"), put.check.asks(), None))
    return given, problems


def _value_asked(spec: Any) -> tuple[list[Asked], list[tuple[Place, str, bool]]]:
    """The value measure's `from:`, or its problem where a value event of its own already
    carries the number."""
    value = spec.value
    if value is None or value.from_ is None:
        return [], []
    if value.event in {e.name for e in spec.value_events}:
        said = (
            f"value.from: value event {value.event} arrives as {value.event} reports; "
            "a source counts only an event of the value measure's own"
        )
        return [], [(("value", "from"), said, True)]
    return [("value.from", ("value", "from"), value.from_, None)], []


def _step_asked(index: int, step: Any) -> list[Asked]:
    """A step's `from:`: its cases, its exceptions and its rubric's numbers, each with its place."""
    where, at = f"steps[{step.name}].from", ("steps", index, "from")
    given: list[Asked] = [
        (f"{where}.cases", (*at, "cases"), step.from_.cases, f"cases:{step.name}"),
        (f"{where}.exceptions", (*at, "exceptions"), step.from_.exceptions, f"exception:{step.name}"),
    ]
    rubric = step.from_.rubric
    if isinstance(rubric, DimensionsFromSpec):  # by dimension: its counts, each checked
        given += sourced_entries(f"{where}.rubric", (*at, "rubric"), rubric)
    elif isinstance(rubric, SampleFromSpec):  # a sample: its two numbers, each checked
        given += [
            (f"{where}.rubric.{part}", (*at, "rubric", part), number, None)
            for part, number in (("passed", rubric.passed), ("reviewed", rubric.reviewed))
        ]
    else:
        given.append((f"{where}.rubric", (*at, "rubric"), rubric, None))
    return given


def from_problems(spec: Any) -> list[tuple[Place, str, bool]]:
    """What is wrong with the `from:`s of `spec` (a PlaybookSpec, validated but for this;
    not imported, which would be a cycle), each at its place, in words that say where."""
    given, problems = _asked(spec)
    events = {e.counts if e.step is None else f"{e.counts}:{e.step}": e.name for e in spec.value_events}
    for where, place, entry, fed in given:
        if entry is None:
            continue
        problem = check_entry(where, entry, spec.sources)
        if problem is None and fed in events:
            problem = f"{where}: value event {events[fed]} already carries this number"
        if problem is not None:
            unknown = entry.source not in spec.sources
            problems.append(((*place, "source") if unknown else place, problem, True))
    problems += [(place, said, True) for place, said in sourced_problems(spec.rubric, spec.steps)]
    return problems
