"""The playbook definition: the YAML schema (docs/playbooks.md is its reference).

Validation lives here so that every way a playbook enters the system (a YAML file
today, a registry version later) is checked by the same rules. Errors name the
field and the problem in words a playbook author can act on.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import Field, ValidationError, ValidationInfo, field_validator, model_validator

from cadence.definition_calibration import CalibrationSpec, drop_unset
from cadence.definition_compare import CompareSpec, check_kpi
from cadence.definition_handoff import HandoffSpec
from cadence.definition_intake import IntakeSpec
from cadence.definition_owners import OwnersSpec
from cadence.definition_parts import (
    EVENT_RE,
    CostSpec,
    Finite,
    Fraction,
    Placed,
    ReplicationSpec,
    ReviewRateSpec,
    Strict,
    Unstorable,
    ValueEventSpec,
    ValueSpec,
    unstorable_message,
)
from cadence.definition_rubric import DIMENSION_RE, RubricSpec, StepRubric
from cadence.definition_sources import from_problems
from cadence.inputs import InputLine, InputSpec, unique
from cadence.inputs import canonical as canonical_inputs
from cadence.limits import MAX_COUNT
from cadence.problems import described
from cadence.sources import ENV_RE, FromSpec, SourceSpec, StepFromSpec
from cadence.text import unstorable

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
SLOT_RE = r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([01][0-9]|2[0-3]):[0-5][0-9]$"


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
    # (storage/playbooks.py, rewrite); kept in the definition as the rename's record
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


class RuleSettings(Strict):
    """The mode-rule and cadence numbers, with their defaults (docs/playbooks.md)."""

    min_cases: int = Field(default=10, ge=1, le=MAX_COUNT)
    rubric_floor: Fraction | None = None  # default: rubric_threshold - RUBRIC_FLOOR_MARGIN
    grace_hours: float = Field(default=12, ge=0, le=72, allow_inf_nan=False)
    promote_after_weeks: int = Field(default=2, ge=1, le=12)
    cooldown_weeks: int = Field(default=4, ge=0, le=52)
    critical_multiplier: float = Field(default=2, gt=1, le=10, allow_inf_nan=False)
    demote_after_fails: int = Field(default=2, ge=1, le=52)
    demote_window_weeks: int = Field(default=4, ge=1, le=52)
    unobserved_warn_weeks: int = Field(default=2, ge=1, le=52)
    unobserved_demote_weeks: int = Field(default=3, ge=1, le=52)
    freeze_after_changes: int = Field(default=3, ge=1, le=100)
    freeze_window_weeks: int = Field(default=8, ge=1, le=52)
    scale_min_kpi_weeks: int = Field(default=3, ge=1, le=4)
    scale_after_cycles: int = Field(default=2, ge=1, le=12)
    # Replication (docs/usage.md, "Replication"): the attestation rate "ready to
    # scale" asks for, and how many teams may run a version before one has replicated.
    ready_min_attestation: Fraction = 0.75
    ready_min_reliability: Fraction = 0.9  # of sourced numbers arrived before their week closed
    adoption_wave: int = Field(default=3, ge=1, le=100)
    replicate_share: float = Field(default=0.8, gt=0, le=1, allow_inf_nan=False)  # of the origin's relative change
    # fewer cases a week: "funding a demo?" (definition_intake.py)
    intake_min_cases: int = Field(default=10, ge=1, le=MAX_COUNT)
    intake_min_minutes: float = Field(default=5, ge=0, le=10080, allow_inf_nan=False)  # less a case: a demo too
    # Judgement (docs/judgement.md): `confident` judges a week by the
    # 95% intervals of its ratio and rubric (cadence/judgement.py); `classic` by the values.
    judgement: Literal["classic", "confident"] = "classic"
    stale_after_hours: float = Field(default=12, gt=0, le=24 * 365, allow_inf_nan=False)
    # Cadence slots, local time: the nudge in the playbook's zone, DMs in each member's.
    nudge_at: str = Field(default="Mon 09:00", pattern=SLOT_RE)
    checkin_at: str = Field(default="Thu 15:00", pattern=SLOT_RE)
    reminder_at: str = Field(default="Fri 15:00", pattern=SLOT_RE)
    # The pulse (cadence/pulse.py): asked once a cycle unless `off`; shown from this many answers.
    pulse: Literal["on", "off"] = "on"
    pulse_min_answers: int = Field(default=5, ge=5, le=10_000)

    @field_validator("pulse", mode="before")
    @classmethod
    def _on_off(cls, value: Any) -> Any:
        """YAML reads a bare `off` as false and `on` as true: both mean what they say."""
        return {True: "on", False: "off"}.get(value, value) if isinstance(value, bool) else value

    @model_validator(mode="after")
    def _windows(self) -> RuleSettings:
        if self.demote_after_fails > self.demote_window_weeks:
            said = f"{self.demote_after_fails} cannot exceed demote_window_weeks ({self.demote_window_weeks})"
            raise Placed.at(("demote_after_fails",), said)
        if self.unobserved_warn_weeks > self.unobserved_demote_weeks:
            said = (
                f"{self.unobserved_warn_weeks} cannot exceed unobserved_demote_weeks ({self.unobserved_demote_weeks})"
            )
            raise Placed.at(("unobserved_warn_weeks",), said)
        if not _slot_order(self.checkin_at) < _slot_order(self.reminder_at):
            said = f"{self.reminder_at} must come after checkin_at ({self.checkin_at})"
            raise Placed.at(("reminder_at",), said)
        return self

    def floor_for(self, rubric_threshold: float) -> float:
        """The rubric floor: as set, or RUBRIC_FLOOR_MARGIN under the threshold."""
        if self.rubric_floor is not None:
            return self.rubric_floor
        return max(0.0, round(rubric_threshold - RUBRIC_FLOOR_MARGIN, 6))


RUBRIC_FLOOR_MARGIN = 0.10
RULE_FIELDS = frozenset(RuleSettings.model_fields)
# The settings the cadence clock reads; every other setting is a rule threshold
# (cadence.verdicts.Thresholds). A test holds the two lists to the schema.
CADENCE_SETTINGS = frozenset({"grace_hours", "stale_after_hours", "nudge_at", "checkin_at", "reminder_at"})
INTAKE_SETTINGS = frozenset(
    {"intake_min_cases", "intake_min_minutes"}
)  # read when a playbook is made: no rule's, not the bar
PULSE_SETTINGS = frozenset({"pulse", "pulse_min_answers"})  # the pulse's (cadence/pulse.py): no rule's, not the bar
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _slot_order(slot: str) -> tuple[int, str]:
    day, clock = slot.split(" ")
    return WEEKDAYS.index(day), clock


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
        # Sources are new: a playbook without them keeps the definition it always had.
        if not data["sources"]:
            del data["sources"]
        if data["review_rate"] is None:  # newer still: the same
            del data["review_rate"]
        if data["exception_owner"] is None:  # newer still: the same
            del data["exception_owner"]
        data["owners"] = {k: v for k, v in (data["owners"] or {}).items() if v}  # and the operational owners
        if not data["owners"]:
            del data["owners"]
        if data["handoff"] is None:  # and the handoff terms, as written
            del data["handoff"]
        else:
            data["handoff"] = _given(data["handoff"])
        for newest in ("value", "cost", "intake", "rubric"):  # and the value measure, its cost, the intake, its rubric
            if data[newest] is None:
                del data[newest]
        if data.get("cost"):  # a cost as written: per_month, or its source
            data["cost"] = _given(data["cost"])
        if data.get("value"):  # a value event counted, no minutes; and no oversight priced: as written
            for unset in ("minutes_saved", "review_minutes", "exception_minutes"):
                if data["value"][unset] is None:
                    del data["value"][unset]
        data["kpi"] = _given(data["kpi"])  # and `compare`, `rest_baseline`: kept only when given
        data["replication"] = self.replication.as_stored()  # and a kit's `requires_champion`
        drop_unset(data)  # and a calibration set, and a step's reason, model and prompt
        for step in data["steps"]:  # and a step's `was`, written only by a rename
            if step.get("was") is None:
                del step["was"]
        data["inputs"] = canonical_inputs(data["inputs"])  # a contract keeps only what it gives
        for name, source in data.get("sources", {}).items():
            data["sources"][name] = _given(source)
        for section in (data["kpi"], data["guardrail"], data.get("value"), *data["steps"]):
            if section is not None and section.get("from") is None:
                section.pop("from", None)
            elif section is not None:
                given = section["from"]
                section["from"] = _given(given) if "source" in given else {k: _from(v) for k, v in given.items() if v}
        return data


def _from(spec: dict[str, Any]) -> dict[str, Any]:
    """A step's `from:` entry as written: a number's, or a sample's two (passed, reviewed)."""
    return _given(spec) if "source" in spec else {part: _from(number) for part, number in spec.items()}


def _given(spec: dict[str, Any]) -> dict[str, Any]:
    """A source's or a `from:`'s fields as written: those left out are not kept as nulls."""
    return {key: value for key, value in spec.items() if value is not None}


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


class DefinitionError(ValueError):
    """A playbook definition that cannot be loaded; `problems` are 'where: what' lines,
    and `paths` the keys and indexes of each in the document as written (empty where the
    problem is the whole document), for a file reader to find the line."""

    def __init__(self, problems: list[str], paths: list[tuple[str | int, ...]] | None = None):
        super().__init__("\n".join(problems))
        self.problems = problems
        self.paths = paths if paths is not None else [() for _ in problems]


def parse_playbook(raw: Any, where: str = "") -> PlaybookSpec:
    """Validate one YAML document. Rule settings may sit at the top level
    or under `rules:`; both land in `rules`."""
    if not isinstance(raw, dict):
        raise DefinitionError(
            [f"{where or 'document'}: expected a mapping with 'playbook:', 'title:', ... got {type(raw).__name__}"]
        )
    data = dict(raw)
    top_level_rules = {key: data.pop(key) for key in list(data) if key in RULE_FIELDS}
    if top_level_rules:
        nested = data.get("rules") or {}
        if not isinstance(nested, dict):
            raise DefinitionError([f"{_join(where, 'rules')}: expected a mapping"])
        clash = sorted(set(nested) & set(top_level_rules))
        if clash:
            raise DefinitionError([f"{_join(where, clash[0])}: given both at the top level and under 'rules'"])
        data["rules"] = {**nested, **top_level_rules}
    try:
        return PlaybookSpec.model_validate(data)
    except ValidationError as err:
        errors = [_at_item(e) for e in err.errors()]
        placed = [e for e in errors if isinstance((e.get("ctx") or {}).get("error"), Placed)]
        others = [e for e in errors if not any(e is p for p in placed)]
        said = described(others, PlaybookSpec, data, _PATTERN_HINTS, {(): RULE_FIELDS})
        found = [_describe(where, path, what, set(top_level_rules), raw) for path, what in said]
        found += [found_at for e in placed for found_at in _placed(where, e, set(top_level_rules), raw)]
        raise DefinitionError([text for text, _ in found], [path for _, path in found]) from None


def _join(where: str, field: str) -> str:
    return f"{where}.{field}" if where else field


def _at_item(error: Any) -> Any:  # pydantic ErrorDetails
    """An error of a list's item that holds a character never stored, at that item."""
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, Unstorable) and cause.index is not None:
        return {**error, "loc": (*error["loc"], cause.index)}  # the item of a list, as its author finds it
    return error


def _placed(
    where: str, error: Any, top_level_rules: set[str], raw: dict[str, Any]
) -> list[tuple[str, tuple[str | int, ...]]]:
    """A comparison's problems (Placed), each at the field it is about: below the error's
    own place, said as its words say it or as its place does."""
    found = []
    for place, text, located in error["ctx"]["error"].problems:
        path = (*error["loc"], *place)
        if not located:
            found.append(_describe(where, path, text, top_level_rules, raw))
            continue
        if len(path) > 1 and path[0] == "rules" and path[1] in top_level_rules:
            path = path[1:]
        found.append((_join(where, text) if where else text, path))
    return found


def _describe(
    where: str, path: tuple[str | int, ...], message: str, top_level_rules: set[str], raw: dict[str, Any]
) -> tuple[str, tuple[str | int, ...]]:
    """The problem as a 'where: what' line (cadence/problems.py's words), and its path in
    the document as written."""
    if len(path) > 1 and path[0] == "rules" and path[1] in top_level_rules:
        path = path[1:]  # name the field where the author wrote it
    loc = ""
    hidden = None  # a field whose name holds a character never stored: named by where it is
    for index, part in enumerate(path):
        if isinstance(part, int):
            loc += f"[{_step_name(raw, path[:index], part) or part}]"
        elif (hidden := unstorable(part, line_breaks=False)) is not None:
            break
        else:
            loc += f".{part}" if loc else str(part)
    if hidden is not None:
        message = f"a field's name {unstorable_message(hidden)}"
    return f"{_join(where, loc) if loc else where or 'document'}: {message}", path


def _step_name(raw: dict[str, Any], parent: tuple[str | int, ...], index: int) -> str | None:
    """A step named by its name, as its author knows it ('steps[draft-reply].mode'), when
    the item at `index` of `steps` has one; else None (its index is shown)."""
    if parent != ("steps",) or not isinstance(raw.get("steps"), list) or index >= len(raw["steps"]):
        return None
    item = raw["steps"][index]
    name = item.get("name") if isinstance(item, dict) else None
    shown = isinstance(name, str) and name.strip() and len(name) <= 40
    return name if shown and unstorable(name, line_breaks=False) is None else None


_PATTERN_HINTS = {
    SLUG_RE: "must be a slug of lowercase letters, digits and dashes (e.g. support-replies)",
    STEP_RE: "must be one word of letters, digits, '-', '_' or '.' (at most 40 characters)",
    CHANNEL_RE: "must be a Slack channel id (e.g. C0123456789)",
    USER_RE: "must be a Slack user id (e.g. U0123456789)",
    SLOT_RE: "must be a weekday and a 24-hour time, e.g. 'Thu 15:00'",
    EVENT_RE: "must be one word of lowercase letters, digits and '_', from a letter (e.g. reply_accepted)",
    SOURCE_NAME_RE: "must be a name of lowercase letters, digits, '-' and '_' (at most 25 characters)",
    ENV_RE: "must be an environment variable's name: letters, digits and '_'",
    DIMENSION_RE: "must be one lowercase word of letters, digits, '-' or '_' (e.g. accuracy)",
}


STORED: dict[str, Any] = {}  # the context of a stored definition's read


def read_spec(stored: dict[str, Any]) -> PlaybookSpec:
    """A stored definition (canonical()'s) as the typed value today's schema reads: the
    defaults of fields added since filled in, a field only a newer bot knows left out. Its
    KPI's target is not checked against its baseline again: an adopter's baseline is the
    one its baseline week measured (storage/governance.py), which may beat its target.
    Its types are read as a JSON column holds them (not strictly): each was checked,
    strictly, when the definition was loaded."""
    return PlaybookSpec.model_validate(stored, context=STORED, extra="ignore", strict=False)


def as_written(definition: dict[str, Any]) -> dict[str, Any]:
    """A stored definition as its author would write it: today's canonical form with every
    field that only repeats its default left out, so that parsing what is left gives the
    same canonical definition (`rollout playbook export`: load ∘ export changes nothing)."""
    full = parse_playbook(definition).canonical()
    written: dict[str, Any] = _copy(full)

    def prune(node: Any) -> None:
        if isinstance(node, list):
            for child in node:
                prune(child)
            return
        if not isinstance(node, dict):
            return
        order = list(node)
        for key in order:
            child = node.pop(key)
            try:
                if parse_playbook(written).canonical() == full:
                    continue
            except DefinitionError:
                pass
            node[key] = child
            prune(child)
        kept = [(key, node[key]) for key in order if key in node]  # the schema's order, as before
        node.clear()
        node.update(kept)

    prune(written)
    return written


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
