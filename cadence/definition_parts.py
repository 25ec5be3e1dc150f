"""The playbook definition's parts that stand on their own: the strict base every section
of a playbook shares, and the sections for the replication kit, value events, review
rates, value and cost. cadence/definition.py assembles them into the whole playbook."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from cadence.limits import MAX_VALUE
from cadence.sources import SOURCE_RE, FromSpec
from cadence.text import unstorable
from cadence.value import DAY_MINUTES


class Strict(BaseModel):
    """Every section of a playbook. Strict (pydantic's strict mode): each field takes its
    own type only, so `true` or the text '4' is not read as the number 1 or 4, and a
    whole number's field refuses 4.0; a number's field still takes a whole number."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True, strict=True)

    @field_validator("*", mode="before")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        """Every text of a playbook passes the check every path shares (cadence/text.py),
        before any other check of its field (a step name's pattern would only say it is
        not one word). No text of a playbook takes lines, but spaces, tabs and line breaks
        around it (the line break a YAML block scalar ends with) are trimmed before it is
        stored, so they are not checked. Only those: Python's strip() would also take
        U+001C-U+001F, which pydantic keeps. Nested sections (kpi, steps, ...) check their
        own fields."""
        for index, text in enumerate(value) if isinstance(value, list) else ((None, value),):
            problem = unstorable(text.strip(TRIMMED), line_breaks=False) if isinstance(text, str) else None
            if problem is not None:
                raise Unstorable(problem, index)
        return value


TRIMMED = " \t\n\r"  # trimmed around every text by str_strip_whitespace too


def unstorable_message(problem: str) -> str:
    return f"contains {problem}, which can't be stored: retype it without that character"


class Unstorable(ValueError):
    """A text of a playbook holds a character never stored; `index`: the item of a list."""

    def __init__(self, problem: str, index: int | None):
        super().__init__(unstorable_message(problem))
        self.index = index


Place = tuple[str | int, ...]


class Placed(ValueError):
    """Problems found by comparing fields (a value event listed twice, an unknown source in
    a `from:`, a floor above the threshold), each at the field it is about, for a file
    reader to name that field's line rather than the section's or the document's: its
    place below the model that found it (keys and indexes as written) and its words,
    which say where it is themselves (`steps[draft].from.cases: …`) when `located`, or
    are told where by the place."""

    def __init__(self, problems: list[tuple[Place, str, bool]]):
        super().__init__("; ".join(text for _, text, _ in problems))
        self.problems = problems

    @classmethod
    def at(cls, place: Place, text: str) -> Placed:
        """One problem, told where by its place."""
        return cls([(place, text, False)])


# A number of a playbook (a KPI's baseline, a guardrail's bound, a cost) is a number a
# report could carry: within MAX_VALUE either way (cadence/limits.py), never 1e300.
Finite = Annotated[float, Field(ge=-MAX_VALUE, le=MAX_VALUE, allow_inf_nan=False)]
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]

# What an adopting team may set (`/rollout adopt ... baseline:X target:Y tz:Zone cap:C
# rubric:R`), and by default; a start date is always allowed.
Overridable = Literal["baseline", "target", "timezone", "exception_cap", "rubric_threshold"]
DEFAULT_MAY_CHANGE: tuple[Overridable, ...] = ("baseline", "target", "timezone")
Link = Annotated[str, Field(min_length=1, max_length=500)]
KitLine = Annotated[str, Field(min_length=1, max_length=300)]


def requires_champion(kit: dict[str, Any] | None) -> bool:
    """Whether a stored kit (`replication:`, canonical or as written) asks for a trained
    champion: unless it says `requires_champion: false`."""
    return (kit or {}).get("requires_champion", True) is not False


def _is_link(text: str) -> bool:
    return text.lower().startswith(("http://", "https://")) and " " not in text


class ReplicationSpec(Strict):
    """The replication kit: how to run the workflow, for the teams that adopt it. Every
    field is optional and shown to adopters (docs/playbooks.md)."""

    runbook: Link | None = None  # a link: how to run the workflow
    training: list[KitLine] = Field(default_factory=list, max_length=20)  # links or plain lines
    checks: list[KitLine] = Field(default_factory=list, max_length=20)  # tests before the first cycle
    requires: list[KitLine] = Field(default_factory=list, max_length=20)  # integrations and inputs
    may_change: list[Overridable] = Field(default_factory=lambda: list(DEFAULT_MAY_CHANGE))
    # an adopter's steps stay human-led until its champion's training is done (the default);
    # `false`, set by a version or its origin, lets them go up by the rules alone
    requires_champion: bool = True

    def as_stored(self) -> dict[str, Any]:
        """The kit as a stored definition keeps it: `requires_champion` only when turned off."""
        data = self.model_dump(mode="json")
        if data["requires_champion"]:  # the default: a kit that says nothing keeps the definition it had
            del data["requires_champion"]
        return data

    @field_validator("runbook")
    @classmethod
    def _runbook_is_a_link(cls, value: str | None) -> str | None:
        if value is not None and not _is_link(value):
            raise ValueError(f"must be an http:// or https:// link, got {value!r}")
        return value

    @field_validator("training", "checks", "requires")
    @classmethod
    def _links_are_web_links(cls, lines: list[str]) -> list[str]:
        for line in lines:
            if "://" in line.split(" ")[0] and not _is_link(line):
                raise ValueError(f"links must be http:// or https:// links, got {line!r}")
        return lines


EVENT_RE = r"^[a-z][a-z0-9_]{0,39}$"


class ValueEventSpec(Strict):
    """A countable event that carries a number (`value_events`): each one reported adds to
    a step's cases, counts as one exception of a step, or adds to the KPI, which is then
    the week's count."""

    name: str = Field(pattern=EVENT_RE)
    step: str | None = None
    counts: Literal["cases", "exception", "kpi"]

    @model_validator(mode="after")
    def _step_for_steps(self) -> ValueEventSpec:
        if self.counts == "kpi" and self.step is not None:
            raise ValueError(f"event {self.name} counts the KPI: it names no step")
        if self.counts != "kpi" and self.step is None:
            raise ValueError(f"event {self.name} counts a step's {self.counts}: name its step")
        return self


class ReviewRateSpec(Strict):
    """The share of a week's cases to review, by mode (cadence/review.py); human-led steps
    are not asked. A rate is in (0, 1]."""

    collaborative: float = Field(default=0.2, gt=0, le=1, allow_inf_nan=False)
    ai_led: float = Field(default=0.1, gt=0, le=1, allow_inf_nan=False, alias="ai-led")


class ValueSpec(Strict):
    """What a value event saves (`value:`): each `event` counted in a closed week saves
    `minutes_saved` minutes (the owner's estimate). The event is one of `value_events`, or
    the playbook's own, sent over the API or counted by a source (`from:`). The oversight
    it costs (cadence/value.py): `review_minutes` per reviewed case, `exception_minutes`
    per exception item closed (0 allowed: no time at all)."""

    event: str = Field(pattern=EVENT_RE)
    minutes_saved: float | None = Field(default=None, allow_inf_nan=False)  # None: counted, no hours estimated
    from_: FromSpec | None = Field(default=None, alias="from")
    review_minutes: float | None = Field(default=None, allow_inf_nan=False)  # None: oversight only as typed
    exception_minutes: float | None = Field(default=None, allow_inf_nan=False)

    @field_validator("minutes_saved")
    @classmethod
    def _within_a_day(cls, value: float | None) -> float | None:
        if value is not None and not 0 < value <= DAY_MINUTES:
            raise ValueError(f"must be more than 0 and at most {DAY_MINUTES} (a day's minutes), got {value:g}")
        return value

    @field_validator("review_minutes", "exception_minutes")
    @classmethod
    def _oversight_within_a_day(cls, value: float | None) -> float | None:
        if value is not None and not 0 <= value <= DAY_MINUTES:
            raise ValueError(f"must be from 0 to {DAY_MINUTES} (a day's minutes), got {value:g}")
        return value


class CostSpec(Strict):
    """What the playbook costs a month (`cost:`), in ROLLOUT_CURRENCY: `per_month`, or pulled
    from a source (`source` with its `query` or `path`), asked at each week's end like any
    sourced number for the month's cost (net value; docs/playbooks.md)."""

    per_month: float | None = Field(default=None, le=MAX_VALUE, allow_inf_nan=False)
    source: str | None = Field(default=None, pattern=SOURCE_RE)
    query: str | None = Field(default=None, min_length=1, max_length=4000)
    path: str | None = Field(default=None, min_length=1, max_length=200)

    @field_validator("per_month")
    @classmethod
    def _not_negative(cls, value: float | None) -> float | None:
        if value is not None and value < 0:
            raise ValueError(f"a cost cannot be negative, got {value:g}")
        return value

    @model_validator(mode="after")
    def _one_way(self) -> CostSpec:
        if (self.per_month is None) == (self.source is None):
            raise ValueError("give per_month (a cost a month) or source with its query or path, one of them")
        if self.source is None and (self.query is not None or self.path is not None):
            raise ValueError("a query or path goes with a source: give source too, or per_month alone")
        return self

    def asks(self) -> FromSpec | None:
        """A sourced cost as the `from:` it is (None: a cost given as per_month)."""
        return None if self.source is None else FromSpec(source=self.source, query=self.query, path=self.path)
