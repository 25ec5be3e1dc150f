"""What the playbook form's answers are (`Answers`, read by the handler) and the definition
they make (usecases/playbook_form.py submits it): every check of `rollout playbook load`
(cadence/definition.py) applies, and a problem is raised as `FormProblems`, on the form's
field that can fix it."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from cadence.definition import PlaybookSpec
from cadence.definition_load import DefinitionError, parse_playbook
from templates.refusals import Refusal
from usecases import intake_form as pilot
from usecases import value_form as worth
from usecases.shared.caller import Caller


class FormProblems(Exception):
    """What is wrong, by the form's field: {block_id: sentence (a Refusal or words)}."""

    def __init__(self, problems: Mapping[str, Refusal | str]):
        super().__init__(", ".join(problems))
        self.problems = dict(problems)


@dataclass(frozen=True)
class StepLine:
    name: str
    mode: str
    pinned: bool = False
    was: str | None = None  # `new-name (was old-name): mode`: the step renamed
    boundaries: tuple[str, ...] = ()  # `... out of scope: a; b`: its strict boundaries (cadence/boundaries.py)

    def declared(self) -> dict[str, Any]:
        """The step as a new one is declared: its name, mode, pin and boundaries."""
        pinned = {"pinned": True} if self.pinned else {}
        return {"name": self.name, "mode": self.mode, **pinned, **self.bounded()}

    def bounded(self) -> dict[str, Any]:
        return {"boundaries": list(self.boundaries)} if self.boundaries else {}


@dataclass(frozen=True)
class Answers:
    """What the form's fields said, read as values by the handler."""

    title: str
    function: str
    channel: str
    kpi_name: str
    kpi_unit: str
    direction: str
    baseline: float
    target: float
    steps: list[StepLine]
    exception_cap: float
    rubric_threshold: float
    timezone: str
    guardrail: tuple[str, str, float] | None = None  # name, min | max, bound
    starts_on: date | None = None  # new only; default the next Monday
    override: str | None = None  # edit of an adopted playbook past its kit: a curator's reason
    value: worth.ValueAnswers = field(default_factory=worth.ValueAnswers)  # none: no value measure, no cost
    intake: pilot.IntakeAnswers = field(default_factory=pilot.IntakeAnswers)  # how often, how long, structured
    why: str | None = None  # edit: why; needed when a change loosens the bar (a bar change request), told to the team


_WHERE = {
    "playbook": "title",
    "title": "title",
    "function": "function",
    "channel": "channel",
    "timezone": "timezone",
    "rubric_threshold": "rubric",
    "exception_cap": "cap",
    "steps": "steps",
}


def field_of(path: tuple[str | int, ...]) -> str:
    if not path:
        return "title"
    value_field = worth.field_of(path) or pilot.field_of(path)
    if value_field is not None:
        return value_field
    if path[0] == "kpi":
        return {"name": "kpi_name", "unit": "kpi_unit", "direction": "direction", "baseline": "baseline"}.get(
            str(path[1]) if len(path) > 1 else "", "target"
        )
    if path[0] == "guardrail":
        return "guardrail_name" if len(path) > 1 and path[1] == "name" else "guardrail_value"
    return _WHERE.get(str(path[0]), "title")


def spec_of(raw: dict[str, Any], field_of: Callable[[tuple[str | int, ...]], str] = field_of) -> PlaybookSpec:
    try:
        return parse_playbook(raw)
    except DefinitionError as err:
        problems: dict[str, Refusal | str] = {}
        for problem, path in zip(err.problems, err.paths, strict=True):
            where = field_of(path)
            text = problem.split(": ", 1)[1] if ": " in problem else problem
            problems.setdefault(where, text[:1].upper() + text[1:])
        raise FormProblems(problems) from None


def shown(caller: Caller, answers: Answers, base: dict[str, Any]) -> dict[str, Any]:
    """`base` (a definition) with what the form shows set from the answers."""
    wrong = worth.problems(answers.value, caller.services.currency)
    if wrong:
        raise FormProblems(wrong)
    try:
        intake = pilot.with_template(caller.store, answers.intake)
    except Refusal as refusal:
        raise FormProblems({"template": refusal}) from None
    kpi = {
        **base.get("kpi", {}),
        "name": answers.kpi_name,
        "unit": answers.kpi_unit,
        "direction": answers.direction,
        "baseline": answers.baseline,
        "target": answers.target,
    }
    raw = {
        **base,
        "title": answers.title,
        "function": answers.function,
        "channel": answers.channel,
        "timezone": answers.timezone,
        "kpi": kpi,
        "exception_cap": answers.exception_cap,
        "rubric_threshold": answers.rubric_threshold,
    }
    if answers.guardrail is None:
        raw["guardrail"] = None
    else:
        name, bound, value = answers.guardrail
        kept = dict(base.get("guardrail") or {})
        kept.pop("min", None)
        kept.pop("max", None)
        raw["guardrail"] = {**kept, "name": name, bound: value}
    return pilot.applied(worth.applied(raw, base, answers.value), base, intake)


_SLUG_CLEAN = re.compile(r"[^a-z0-9]+")


def slug_for(title: str, taken: set[str]) -> str:
    """A slug made from the title, unique: `-2`, `-3`, ... appended when taken."""
    base = _SLUG_CLEAN.sub("-", title.lower()).strip("-")[:60].strip("-") or "playbook"
    slug, n = base, 2
    while slug in taken:
        slug = f"{base[:57].strip('-')}-{n}"
        n += 1
    return slug
