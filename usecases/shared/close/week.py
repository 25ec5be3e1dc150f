"""What the close's rules share: the round (its weeks, and each read once however many
rules ask for it), the week as it is judged rule by rule, and the shape of a rule."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, TypeVar

from cadence import calendar, compare, cycle_end, cycle_rules, decisions
from cadence.change import Change
from cadence.closing import Guardrail
from cadence.pulse import Pulse
from cadence.schedule import Due
from cadence.state import PlaybookState
from cadence.verdicts import WeekVerdict
from storage.store import Store

R = TypeVar("R")


def week_of(due: Due) -> calendar.WeekRef:
    assert due.week is not None, "a week close always names its week"
    return due.week


def ends_cycle(state: PlaybookState, week: calendar.WeekRef) -> bool:
    """A cycle's last week: its fourth, or the week a pause or retirement ended the run in."""
    anchor = state.cycle_anchor
    runs = [anchor, anchor.before] if anchor is not None else []
    return week.week == calendar.WEEKS_PER_CYCLE or any(r is not None and r.ends_after == week.week_start for r in runs)


@dataclass
class WeekClose:
    """One playbook's week as the rules judge it, in their order: its change, and what each
    rule leaves for the rules after it and for the week's summary."""

    state: PlaybookState
    due: Due
    change: Change = field(default_factory=Change)
    guardrail: Guardrail | None = None
    failed: dict[str, dict[str, str]] = field(default_factory=dict)  # the sources the week closed without
    pulses: dict[int, Pulse] = field(default_factory=dict)  # by cycle: this one's and the two before, answered
    promotions_held: dict[str, Any] = field(default_factory=dict)  # why the pulse holds promotions to ai-led
    outcomes: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)  # the rule that gave each step its verdict
    evidence: dict[str, Any] = field(default_factory=dict)  # what each confident PASS was judged on
    pools: dict[str, Any] = field(default_factory=dict)  # the small weeks a step's week was pooled with
    verdicts: list[tuple[str, decisions.Decision]] = field(default_factory=list)  # for week_closed
    judged: dict[str, WeekVerdict] = field(default_factory=dict)  # each step's week, as judged
    demoted: set[str] = field(default_factory=set)  # the steps this week demoted
    cycle: cycle_end.CycleFigures | None = None  # at a cycle's last week: its figures, as read
    result: cycle_rules.CycleResult | None = None
    kpi_moved: Any = None
    compared: compare.Comparison | None = None
    pulse: Pulse | None = None  # at a cycle's last week, for the summary: the cycle's pulse...
    previous_pulse: Pulse | None = None  # ...the previous cycle's
    pulse_hold: dict[str, Any] = field(default_factory=dict)  # ...and why it holds promotions
    summary: dict[str, Any] | None = None  # a baseline week's, said by its rule

    @cached_property
    def week(self) -> calendar.WeekRef:
        return week_of(self.due)

    @property
    def baseline(self) -> bool:
        return self.week.baseline

    @cached_property
    def ends_cycle(self) -> bool:
        return ends_cycle(self.state, self.week)

    @property
    def breached(self) -> bool:
        return self.guardrail is not None and self.guardrail.state == cycle_rules.BREACHED


@dataclass
class Round:
    """A round of closes, judged in `store`, the close's unit of work (which has closed the
    weeks to reports); `beside`: the store the steps' history is read on, in a second
    thread (reads.py). Each reader runs once a round, however many rules ask for it."""

    store: Store
    beside: Store
    weeks: list[WeekClose]
    _read: dict[Callable[[Round], Any], Any] = field(default_factory=dict)

    @cached_property
    def batch(self) -> list[tuple[PlaybookState, Due]]:
        """The weeks whose steps are judged: all but the adopters' baseline weeks."""
        return [(w.state, w.due) for w in self.weeks if not w.baseline]

    @cached_property
    def baseline(self) -> list[WeekClose]:
        return [w for w in self.weeks if w.baseline]

    def read(self, reader: Callable[[Round], R]) -> R:
        if reader not in self._read:
            self._read[reader] = reader(self)
        result: R = self._read[reader]
        return result


@dataclass(frozen=True)
class CloseRule(Generic[R]):
    """One rule of the close: `read`, its batch for the round (through `Round.read`, so a
    kind of data shared with another rule is read once); `close`, what it decides for one
    week, by `judge`, its pure judge in cadence/; `baseline`, whether it closes the
    adopters' baseline weeks (and only them) or the weeks whose steps are judged."""

    name: str
    read: Callable[[Round], R]
    close: Callable[[WeekClose, R], None]
    judge: Callable[..., Any]
    baseline: bool = False


def nothing(_round: Round) -> None:
    """The read of a rule that judges on what the round and the rules before it read."""
    return None
