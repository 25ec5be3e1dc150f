"""Mode governance's rows as plain values (storage/governance.py writes and reads them):
what one decision or one week's close writes (`Change` and its parts), what the rules'
look back reads (`StepHistory`, `Stalls`); and a typed decision or any flat dataclass as
the columns of its row."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from operator import attrgetter
from typing import Any, NamedTuple

from cadence.cycle_rules import CycleResult as CycleOutcome
from cadence.decisions import Decision
from cadence.rules import StepState
from cadence.webhooks import Event
from storage.models.governance import Proposal
from storage.outbox import Message


class StaleState(Exception):
    """The step or proposal changed since it was read: nothing was written; read again."""


@dataclass(frozen=True)
class ModeChange:
    step_id: int
    expected_mode: str  # compare-and-set: refused if someone changed the mode meanwhile
    new_mode: str | None = None
    freeze: bool | None = None  # True freezes, False unfreezes, None leaves it


@dataclass(frozen=True)
class NewProposal:
    key: str
    kind: str  # promotion | scale
    playbook_id: int
    week_start: date
    step_id: int | None = None
    from_mode: str | None = None
    to_mode: str | None = None
    figures: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class NewVerdict:
    """A step's verdict for a closed week (a step_verdict row)."""

    playbook_id: int
    step_id: int
    week_start: date
    mode: str
    outcome: str
    cases: int | None
    exceptions: int
    rubric: float | None
    rule: str | None = None  # cadence.verdicts.VerdictRule: why
    reviewed: int | None = None  # the rubric's sample; None: every case reviewed
    dimensions: str | None = None  # its counts per rubric dimension (cadence/dimensions.py)


@dataclass(frozen=True)
class NewCycleResult:
    """A cycle's result under the scale rule (a cycle_result row)."""

    playbook_id: int
    starts_on: date
    result: CycleOutcome
    closed_at: datetime | None = None  # when its last week closed; None: when it is recorded


@dataclass(frozen=True)
class NewCycleBar:
    """The KPI bar a cycle is judged by (a cycle_bar row): recorded by its first close."""

    playbook_id: int
    cycle: int
    starts_on: date
    kpi_baseline: float
    kpi_target: float


@dataclass(frozen=True)
class MeasuredBaseline:
    """An adopter's KPI baseline as its baseline week measured it: the week's mean."""

    playbook_id: int
    value: float


@dataclass
class Change:
    """Everything one decision or one week close writes, besides its job record."""

    decisions: list[Decision] = field(default_factory=list)
    verdicts: list[NewVerdict] = field(default_factory=list)
    mode_changes: list[ModeChange] = field(default_factory=list)
    new_proposals: list[NewProposal] = field(default_factory=list)
    withdraw_for_steps: list[int] = field(default_factory=list)  # close these steps' open promotion proposals
    cycle_results: list[NewCycleResult] = field(default_factory=list)
    cycle_bars: list[NewCycleBar] = field(default_factory=list)
    baselines: list[MeasuredBaseline] = field(default_factory=list)  # a baseline week's close
    messages: list[Message] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)  # for webhooks, besides its decisions' (a week's close)
    # Messages telling of its first decision (a revision), each key completed with that row's
    # id (`<key>:<id>`) so that it is told once; enqueued before `messages`. Not merged.
    told_of_first: list[Message] = field(default_factory=list)

    def merge(self, other: Change) -> None:
        if other.told_of_first:
            raise ValueError("what is told of a change's first decision is applied with it, not merged")
        self.decisions += other.decisions
        self.verdicts += other.verdicts
        self.mode_changes += other.mode_changes
        self.new_proposals += other.new_proposals
        self.withdraw_for_steps += other.withdraw_for_steps
        self.messages += other.messages
        self.cycle_results += other.cycle_results
        self.cycle_bars += other.cycle_bars
        self.baselines += other.baselines
        self.events += other.events


class Stalls(NamedTuple):
    """A playbook's stalls (figures by cycle) and its completed cycles, oldest first."""

    by_cycle: dict[int, dict[str, Any]]
    completed: list[int]


@dataclass
class StepHistory:
    states: dict[int, StepState]  # by step id
    open_proposals: dict[int, Proposal]  # open promotion proposals by step id
    guardrail: dict[int, dict[date, str]] = field(default_factory=dict)  # playbook -> week -> HOLDS|BREACHED|MISSING
    proposals: list[Proposal] = field(default_factory=list)  # every open proposal of the playbooks, oldest first


def decision_columns(decision: Decision, at: datetime) -> dict[str, Any]:
    """A typed decision (cadence.decisions) as the columns of its `decision` row."""
    return {**shallow_columns(decision), "kind": str(decision.kind), "decided_at": at}


def shallow_columns(row: Any) -> dict[str, Any]:
    """A flat dataclass as a row's columns. Not asdict(): a week's close writes thousands,
    and asdict deep-copies every nested dict only for it to be serialised at once."""
    kind: type = type(row)  # not type[Any], which mypy does not take for Hashable (functools.cache)
    names, values = _columns_of(kind)
    return dict(zip(names, values(row), strict=True))


@functools.cache
def _columns_of(kind: type) -> tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]:
    """A dataclass's field names, and a getter of all their values at once (read once a type)."""
    names = tuple(f.name for f in fields(kind))
    getter = attrgetter(*names)
    return names, (getter if len(names) > 1 else lambda row: (getter(row),))
