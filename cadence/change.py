"""What one decision or one week's close writes, as plain values: a `Change` and its parts,
and the `Message` it sends. The use cases build them; storage writes them in one unit of
work (storage/governance.py, storage/outbox.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cadence.cycle_rules import CycleResult as CycleOutcome
from cadence.decisions import Decision
from cadence.webhooks import Event


@dataclass(frozen=True)
class Message:
    """A message to enqueue. `key` makes enqueueing idempotent."""

    key: str
    method: str
    channel: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class ModeChange:
    """A step's mode, pin or freeze as written (storage/step_modes.py). Built by
    cadence/mode_move.py only: `cleared` says its move went through `take_effect` with its
    gates open, and storage writes no move up (a mode toward ai-led, a pin taken away)
    without it."""

    step_id: int
    expected_mode: str  # compare-and-set: refused if someone changed the mode meanwhile
    new_mode: str | None = None
    freeze: bool | None = None  # True freezes, False unfreezes, None leaves it
    pinned: bool | None = None  # the step's new pin, None leaves it
    cleared: bool = False


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
