"""A playbook as the use cases read it: its row, its current steps and the cycles its clock
runs from (`PlaybookState`). Storage reads it (storage/playbooks.py); the rows are storage's
tables, seen here only through the Protocols below, which name the columns the domain reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any, Protocol

from cadence.calendar import CycleAnchor, week_containing
from cadence.definition import PlaybookSpec, read_spec
from cadence.definition_rules import RuleSettings

BASELINE_WEEK = "baseline"  # an adopter's baseline week, as a week's label names it (PlaybookState.week_label)


class Playbook(Protocol):
    """A playbook's row (storage/models/playbooks.py `Playbook`)."""

    id: int
    slug: str
    title: str
    function: str
    channel_id: str
    owner_id: str
    timezone: str
    status: str
    status_since: datetime | None
    status_reason: str | None
    kpi_name: str
    kpi_unit: str
    kpi_direction: str
    kpi_baseline: float
    kpi_target: float
    guardrail_name: str | None
    guardrail_min: float | None
    guardrail_max: float | None
    rubric_threshold: float
    exception_cap: float
    rules: dict[str, Any]
    inputs: list[Any]
    outputs: list[Any]
    definition: dict[str, Any]
    adopted_from_id: int | None
    adopted_origin_id: int | None
    closed_through: date | None
    champion_id: str | None
    handoff_since: datetime | None
    handoff_backlog_at: datetime | None
    baseline_measured: float | None
    created_at: datetime
    updated_at: datetime


class Step(Protocol):
    """A step's row (`Step`)."""

    id: int
    playbook_id: int
    name: str
    position: int
    mode: str
    pinned: bool
    frozen: bool
    retired_at: datetime | None
    fallback_mode: str | None
    fallback_since: datetime | None


class Cycle(Protocol):
    """A cycle's row (`Cycle`)."""

    id: int
    playbook_id: int
    number: int
    starts_on: date
    started_by: str
    created_at: datetime
    ends_after: date | None
    baseline_week: date | None


@dataclass(frozen=True)
class PlaybookState:
    playbook: Playbook
    steps: list[Step]  # the steps in the current definition, in order
    anchor: Cycle | None  # the latest started cycle; later cycles follow from it
    previous: Cycle | None = None  # the cycle row before it: the run a pause ended before a resume
    # How often the playbook's channel's membership changed, and whether Slack calls its
    # owner's account deactivated, read with it (None: not read; the lists of many
    # playbooks leave them out).
    channel_changes: int | None = None
    owner_deactivated: bool | None = None

    @cached_property
    def cycle_anchor(self) -> CycleAnchor | None:
        """Where the playbook's cycles start, or None before its first cycle is started;
        with the run before it when it was resumed (that run's last week may still be open)."""
        if self.anchor is None:
            return None
        before = None
        if self.previous is not None and self.previous.ends_after is not None:
            p = self.previous
            before = CycleAnchor(p.number, p.starts_on, p.ends_after, p.created_at)
        a = self.anchor
        return CycleAnchor(a.number, a.starts_on, a.ends_after, a.created_at, before, a.baseline_week)

    def running(self) -> CycleAnchor:
        """The cycle anchor of a playbook whose cycles run (an active playbook always has one)."""
        anchor = self.cycle_anchor
        if anchor is None:
            raise ValueError(f"playbook {self.playbook.slug} has no cycle")
        return anchor

    def week_label(self, week_start: date) -> str:
        """A week as a playbook's page and the overview name it: "C2W3" in its cycles, the
        Monday's date before its first cycle, "baseline" for an adopter's baseline week
        (in no cycle: never "C0W0"), "–" between runs."""
        if self.anchor is None:
            return week_start.isoformat()
        week = week_containing(self.running(), week_start)
        if week is None:
            return "–"
        return f"C{week.cycle}W{week.week}" if week.cycle else BASELINE_WEEK

    @cached_property
    def spec(self) -> PlaybookSpec:
        """The playbook's definition, typed (read once a state)."""
        return read_spec(self.playbook.definition)

    @property
    def no_rubric_steps(self) -> set[str]:
        """The steps whose definition says `rubric: none`: no rubric by design."""
        return {s.name for s in self.spec.steps if s.rubric == "none"}

    @property
    def guardrail_unit(self) -> str:
        """The guardrail's unit, as its definition gives it ("" without one)."""
        return self.spec.guardrail.unit if self.spec.guardrail else ""

    @cached_property
    def settings(self) -> RuleSettings:
        """The playbook's rule and cadence settings, defaults filled in by the schema.
        A stored setting the schema does not know is an error, never silently dropped. Read
        as the JSON column holds them, as a stored definition is (cadence.definition.read_spec)."""
        return RuleSettings.model_validate(self.playbook.rules, strict=False)

    def step(self, name: str) -> Step | None:
        wanted = name.lower()
        return next((s for s in self.steps if s.name.lower() == wanted), None)
