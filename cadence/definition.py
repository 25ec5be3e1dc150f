"""The playbook definition: the YAML schema (docs/playbooks.md is its reference).

Validation lives here so that every way a playbook enters the system (a YAML file
today, a registry version later) is checked by the same rules. Loading a document and
naming its problems in words a playbook author can act on is cadence/definition_load.py's;
each section of the schema beyond the top level has its module (cadence/definition_*.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import Field, ValidationInfo, field_validator, model_validator

from cadence import step_texts
from cadence.definition_calibration import CalibrationSpec, drop_unset
from cadence.definition_compare import CompareSpec, check_kpi
from cadence.definition_handoff import HandoffSpec
from cadence.definition_intake import IntakeSpec
from cadence.definition_owners import OwnersSpec
from cadence.definition_parts import (
    CostSpec,
    Finite,
    Fraction,
    Placed,
    ReplicationSpec,
    ReviewRateSpec,
    Strict,
    ValueEventSpec,
    ValueSpec,
)
from cadence.definition_rubric import RubricSpec, StepRubric
from cadence.definition_rules import RuleSettings
from cadence.definition_sources import from_problems
from cadence.definition_team_load import TeamLoadMax
from cadence.inputs import InputLine, InputSpec, unique
from cadence.inputs import canonical as canonical_inputs
from cadence.sources import FromSpec, SourceSpec, StepFromSpec
from cadence.usage_sources import TOOL_RE

MODES = ("human-led", "collaborative", "ai-led")
Mode = Literal["human-led", "collaborative", "ai-led"]
MAX_STEPS = 30  # keeps one playbook's status within Block Kit's 50 blocks

SLUG_RE = r"^[a-z0-9][a-z0-9-]{0,62}$"
STEP_RE = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$"  # one word: steps are named in commands
# Slack's ids: a letter for the kind, then capitals and digits; 9 to 11 characters today,
# at most 20 here, so a pasted or forged one never reaches the database (or its columns).
CHANNEL_RE = r"^[CG][A-Z0-9]{6,19}$"
USER_RE = r"^[UW][A-Z0-9]{6,19}$"
SOURCE_NAME_RE = r"^[a-z0-9][a-z0-9_-]{0,24}$"  # `source:<name>` fits a report's reported_by


class KpiSpec(Strict):
    name: str = Field(min_length=1, max_length=80)
    unit: str = Field(default="", max_length=20)
    direction: Literal["up", "down"]
    baseline: Finite
    target: Finite
    from_: FromSpec | None = Field(default=None, alias="from")  # a source feeds it (cadence/sources.py)
    compare: CompareSpec | None = None  # against the rest of the same work (cadence/definition_compare.py)
    rest_baseline: Finite | None = None

    @model_validator(mode="after")
    def _target_beats_baseline(self, info: ValidationInfo) -> KpiSpec:
        check_kpi(self.compare, self.rest_baseline, self.from_)
        if info.context is STORED:  # an adopter's measured baseline may stand past its target
            return self
        if self.direction == "down" and not self.target < self.baseline:
            raise ValueError(
                f"with direction 'down' (lower is better) the target ({self.target:g}) "
                f"must be below the baseline ({self.baseline:g})"
            )
        if self.direction == "up" and not self.target > self.baseline:
            raise ValueError(
                f"with direction 'up' (higher is better) the target ({self.target:g}) "
                f"must be above the baseline ({self.baseline:g})"
            )
        return self


class GuardrailSpec(Strict):
    name: str = Field(min_length=1, max_length=80)
    unit: str = Field(default="", max_length=20)
    min: Finite | None = None
    max: Finite | None = None
    from_: FromSpec | None = Field(default=None, alias="from")

    @model_validator(mode="after")
    def _one_bound(self) -> GuardrailSpec:
        if self.min is None and self.max is None:
            raise ValueError("give a 'min' or a 'max'")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("'min' is above 'max'")
        return self


class StepSpec(Strict):
    name: str = Field(pattern=STEP_RE)
    # the step's name before a rename: it keeps its history, mode and calibration runs
    # (storage/playbook_definitions.py, rewrite); kept in the definition as the rename's record
    was: str | None = Field(default=None, pattern=STEP_RE)
    mode: Mode
    pinned: bool = False
    from_: StepFromSpec | None = Field(default=None, alias="from")
    rubric: StepRubric | None = None  # `rubric: none`: no rubric by design; or its own dimensions
    # its own calibration set (cadence/definition_calibration.py), or `none` by design with a `reason`
    calibration: CalibrationSpec | Literal["none"] | None = None
    reason: str | None = Field(default=None, min_length=1, max_length=300)  # why `calibration: none`
    model: str | None = Field(default=None, min_length=1, max_length=120)  # free text: a change makes
    prompt: str | None = Field(default=None, min_length=1, max_length=120)  # its calibration stale
    # the prompt and the rubric's wording as text, lines (cadence/step_texts.py): as `prompt`, stale
    prompt_text: str | None = Field(default=None, min_length=1, max_length=step_texts.MAX_TEXT)
    rubric_text: str | None = Field(default=None, min_length=1, max_length=step_texts.MAX_TEXT)
    # the AI tool it runs with, as a usage source names it (docs/usage-records.md); the
    # playbook's `tool` where it names none
    tool: str | None = Field(default=None, pattern=TOOL_RE)
    # cases out of scope, routed to people (cadence/boundaries.py): `[refund over 500 EUR, legal threat]`
    boundaries: list[Annotated[str, Field(min_length=1, max_length=200)]] | None = Field(
        default=None, min_length=1, max_length=20
    )
    # a demotion straight to human-led review, and the PASS weeks in a row under it that
    # return the step to collaborative (cadence/recovery.py; 2 where not given)
    demote_to: Literal["human-led"] | None = None
    recover_after: int | None = Field(default=None, ge=1, le=8)

    @field_validator("*", mode="before")
    @classmethod
    def _storable(cls, value: Any, info: ValidationInfo) -> Any:  # type: ignore[override]  # its name replaces Strict's
        return step_texts.storable(value, info.field_name, Strict._storable)  # its texts take lines

    @model_validator(mode="after")
    def _none_says_why(self) -> StepSpec:
        if self.calibration == "none" and self.reason is None:
            raise ValueError(f"step '{self.name}' has calibration: none: give its reason (reason: \"…\")")
        if self.reason is not None and self.calibration != "none" and self.rubric != "none":
            raise ValueError(f"step '{self.name}': a reason goes with calibration: none or rubric: none")
        return self

    @model_validator(mode="after")
    def _pinned_is_human_led(self) -> StepSpec:
        if self.pinned and self.mode != "human-led":
            raise ValueError(f"a pinned step is human-led by design; step '{self.name}' is {self.mode}")
        if self.recover_after is not None and self.demote_to is None:
            raise ValueError(f"step '{self.name}': recover_after goes with demote_to: human-led")
        return self

    @model_validator(mode="after")
    def _no_rubric_no_rubric_source(self) -> StepSpec:
        if self.rubric == "none" and self.from_ is not None and self.from_.rubric is not None:
            raise ValueError(f"step '{self.name}' has no rubric by design (rubric: none), so its from: takes no rubric")
        if self.rubric == "none" and self.calibration not in (None, "none"):
            raise ValueError(
                f"step '{self.name}' has no rubric by design (rubric: none), so it takes no calibration set"
            )
        return self


class PlaybookSpec(Strict):
    playbook: str = Field(pattern=SLUG_RE)
    title: str = Field(min_length=1, max_length=200)
    function: str = Field(min_length=1, max_length=80)
    channel: str = Field(pattern=CHANNEL_RE)
    owner: str = Field(pattern=USER_RE)
    # who moves the exception queue's items and gets its Monday DM; by default the owner
    exception_owner: str | None = Field(default=None, pattern=USER_RE)
    owners: OwnersSpec | None = None  # who owns the business rules and the model updates (optional)
    timezone: str | None = None
    tool: str | None = Field(default=None, pattern=TOOL_RE)  # its steps' AI tool, where a step names none
    kpi: KpiSpec
    guardrail: GuardrailSpec | None = None
    rubric_threshold: Fraction
    exception_cap: Fraction
    steps: list[StepSpec] = Field(min_length=1, max_length=MAX_STEPS)
    # a name, or a contract with its owner and a weekly check (cadence/inputs.py)
    inputs: list[InputLine] = Field(default_factory=list, max_length=30)
    outputs: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(default_factory=list, max_length=30)
    rules: RuleSettings = Field(default_factory=RuleSettings)
    review_rate: ReviewRateSpec | None = None  # None: the defaults (cadence.review.DEFAULT_RATES)
    replication: ReplicationSpec = Field(default_factory=ReplicationSpec)
    value_events: list[ValueEventSpec] = Field(default_factory=list, max_length=50)
    sources: dict[Annotated[str, Field(pattern=SOURCE_NAME_RE)], SourceSpec] = Field(
        default_factory=dict, max_length=20
    )
    value: ValueSpec | None = None
    cost: CostSpec | None = None
    handoff: HandoffSpec | None = None  # escalation with a clock (cadence/definition_handoff.py)
    calibration: CalibrationSpec | None = None  # each step's with a rubric, unless a step has its own
    messy_min: Fraction | None = None  # the messy share a set needs for ai-led (cadence/boundaries.py; 0.2)
    intake: IntakeSpec | None = None  # a pilot worth funding (cadence/definition_intake.py)
    rubric: RubricSpec | None = None  # the dimensions every step's review scores (cadence/dimensions.py)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None:
            return None
        check_timezone(value)
        return value

    @field_validator("steps")
    @classmethod
    def _unique_steps(cls, steps: list[StepSpec]) -> list[StepSpec]:
        seen: set[str] = set()
        for step in steps:
            key = step.name.lower()
            if key in seen:
                raise ValueError(f"step '{step.name}' is listed twice")
            seen.add(key)
        renamed: set[str] = set()
        for step in steps:
            was = (step.was or "").lower()
            if not was:
                continue
            if was == step.name.lower():
                raise ValueError(f"step '{step.name}' says it was '{step.was}': a rename needs another name")
            if was in seen or was in renamed:
                raise ValueError(f"step '{step.name}' says it was '{step.was}', which is still a step or renamed twice")
            renamed.add(was)
        return steps

    @field_validator("inputs")
    @classmethod
    def _unique_inputs(cls, inputs: list[str | InputSpec]) -> list[str | InputSpec]:
        """An input listed twice (ignoring case, as steps are), refused at `inputs`: the
        line of the file that lists it, not the document's first."""
        if (twice := unique(inputs)) is not None:
            raise ValueError(twice)
        return inputs

    @model_validator(mode="after")
    def _events_fit_the_steps(self) -> PlaybookSpec:
        names = {s.name for s in self.steps}
        seen: set[str] = set()
        fed: set[tuple[str | None, str]] = set()
        for index, event in enumerate(self.value_events):
            if event.name in seen:
                raise Placed.at(("value_events", index, "name"), f"value event {event.name} is listed twice")
            seen.add(event.name)
            if event.step is not None and event.step not in names:
                raise Placed.at(
                    ("value_events", index, "step"),
                    f"value event {event.name} names step {event.step!r}, which is not a step of this playbook",
                )
            if (event.step, event.counts) in fed:
                what = "the KPI" if event.counts == "kpi" else f"{event.step}'s {event.counts}"
                raise Placed.at(
                    ("value_events", index), f"value event {event.name}: another event already counts {what}"
                )
            fed.add((event.step, event.counts))
        return self

    @model_validator(mode="after")
    def _sources_fit(self) -> PlaybookSpec:
        """Every `from:` names a source of the playbook and asks it what its kind answers;
        a number a value event carries takes no `from:` too (cadence/definition_sources.py)."""
        problems = from_problems(self)
        if problems:
            raise Placed(problems)
        return self

    def event_for(self, counts: str, step: str | None = None) -> str | None:
        """The event that carries a step's cases or exceptions, or the KPI, if one does."""
        return next((e.name for e in self.value_events if e.counts == counts and e.step == step), None)

    @model_validator(mode="after")
    def _floor_below_threshold(self) -> PlaybookSpec:
        floor = self.rules.rubric_floor
        if floor is not None and floor > self.rubric_threshold:
            raise Placed.at(
                ("rules", "rubric_floor"), f"{floor:g} is above rubric_threshold ({self.rubric_threshold:g})"
            )
        return self

    def rubric_floor(self) -> float:
        return self.rules.floor_for(self.rubric_threshold)

    def canonical(self) -> dict[str, Any]:
        """The definition as plain data, equal for equal files: what "unchanged" compares."""
        data = self.model_dump(mode="json", by_alias=True)
        for key, as_stored in AS_STORED.items():
            value = as_stored(data[key])
            if value is LEFT_OUT:
                del data[key]
            else:
                data[key] = value
        data["replication"] = self.replication.as_stored()  # and a kit's `requires_champion`
        drop_unset(data)  # and a calibration set, and a step's reason, model and prompt
        for step in data["steps"]:
            for key in STEP_LEFT_OUT_UNSET:
                if step.get(key) is None:
                    step.pop(key, None)
        for section in (data["kpi"], data["guardrail"], data.get("value"), *data["steps"]):
            if section is not None:
                _from_as_written(section)
        return data


def _from_as_written(section: dict[str, Any]) -> None:
    """A section's `from:` as written, and none where not given."""
    if section.get("from") is None:
        section.pop("from", None)
    else:
        given = section["from"]
        section["from"] = _given(given) if "source" in given else {k: _from(v) for k, v in given.items() if v}


def _from(spec: dict[str, Any]) -> dict[str, Any]:
    """A step's `from:` entry as written: a number's, or a sample's two (passed, reviewed)."""
    return _given(spec) if "source" in spec else {part: _from(number) for part, number in spec.items()}


def _given(spec: dict[str, Any]) -> dict[str, Any]:
    """A source's or a `from:`'s fields as written: those left out are not kept as nulls."""
    return {key: value for key, value in spec.items() if value is not None}


LEFT_OUT = object()  # what AS_STORED gives for a field canonical() leaves out


def _unless_none(value: Any) -> Any:
    return LEFT_OUT if value is None else value


def _as_written(section: dict[str, Any] | None) -> Any:
    return LEFT_OUT if section is None else _given(section)


# Rule settings newer than the first definitions, left out at their default (as AS_STORED's fields).
NEWER_RULES: dict[str, Any] = {"team_load_max": TeamLoadMax().model_dump(mode="json")}

# canonical()'s top-level fields that are not kept as dumped: each one's value as stored,
# or LEFT_OUT. A field newer than the first definitions is left out where not given, so a
# playbook without it keeps the definition it always had: a new one is a line here.
AS_STORED: dict[str, Callable[[Any], Any]] = {
    "sources": lambda sources: {name: _given(source) for name, source in sources.items()} or LEFT_OUT,
    "review_rate": _unless_none,
    "exception_owner": _unless_none,
    "owners": lambda owners: {k: v for k, v in (owners or {}).items() if v} or LEFT_OUT,  # those named
    "handoff": _as_written,  # the handoff terms, as written
    "value": _as_written,  # a value event counted, no minutes; and no oversight priced: as written
    "cost": _as_written,  # a cost as written: per_month, or its source
    "intake": _as_written,  # and the self-check's answers, where `/rollout new` asked them
    "rubric": _unless_none,
    "tool": _unless_none,
    "kpi": _given,  # and `compare`, `rest_baseline`: kept only when given
    "inputs": canonical_inputs,  # a contract keeps only what it gives
    "rules": lambda rules: {k: v for k, v in rules.items() if NEWER_RULES.get(k, LEFT_OUT) != v},
}
# a step's fields left out where unset (and drop_unset's): `was`, only by a rename; `tool`, newer
STEP_LEFT_OUT_UNSET = ("was", "tool", *step_texts.TEXT_FIELDS, "demote_to", "recover_after")  # and texts, recovery


@cache
def _zones() -> frozenset[str]:
    """The IANA names, read once a process: reading them walks the time zone database's
    folders (4 ms, and every settings object and playbook checks its zone)."""
    return frozenset(available_timezones())


def check_timezone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"'{name}' is not an IANA time zone (e.g. Europe/Berlin, America/New_York)") from None
    if name not in _zones() and name != "UTC":
        raise ValueError(f"'{name}' is not an IANA time zone (e.g. Europe/Berlin, America/New_York)")


STORED: dict[str, Any] = {}  # the context of a stored definition's read


def read_spec(stored: dict[str, Any]) -> PlaybookSpec:
    """A stored definition (canonical()'s) as the typed value today's schema reads: the
    defaults of fields added since filled in, a field only a newer bot knows left out. Its
    KPI's target is not checked against its baseline again: an adopter's baseline is the
    one its baseline week measured (storage/governance.py), which may beat its target.
    Its types are read as a JSON column holds them (not strictly): each was checked,
    strictly, when the definition was loaded."""
    try:
        text = json.dumps(stored)
    except TypeError:  # not as a JSON column holds it: read as it is
        return _validated(stored)
    return _read_text(text)


# Each request that reads a playbook's state reads its definition (a kpi report's 0.2 ms of
# validation, a tenth of its CPU): the same stored text reads as the same typed value, which
# is frozen, so it is read once per text and process. Its JSON text is the key, as its column
# holds it (a quarter of the validation's cost); a thousand definitions kept at most.
@lru_cache(maxsize=1024)
def _read_text(text: str) -> PlaybookSpec:
    return _validated(json.loads(text))


def _validated(stored: dict[str, Any]) -> PlaybookSpec:
    return PlaybookSpec.model_validate(stored, context=STORED, extra="ignore", strict=False)
