"""What the close's rules share: the round (its weeks, and each read once however many
rules ask for it), the week as it is judged rule by rule, and the shape of a rule. A rule
leaves nothing on the week but its decisions and messages in the week's change: what it
found is its outcome, kept under its name, which a rule after it reads only if it says it
needs it (`needs`, checked against the rules' order by `check_order`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Generic, TypeVar

from cadence import calendar
from cadence.change import Change
from cadence.schedule import Due
from cadence.state import PlaybookState
from storage.store import Store

R = TypeVar("R")
Out = TypeVar("Out")


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
    """One playbook's week as the rules judge it, in their order: the change their decisions
    and messages go in, and each rule's outcome by its name (`outcome`)."""

    state: PlaybookState
    due: Due
    change: Change = field(default_factory=Change)
    _outcomes: dict[str, Any] = field(default_factory=dict, init=False, repr=False)
    _judging: CloseRule[Any, Any] | None = field(default=None, init=False, repr=False)  # the rule closing it now

    @cached_property
    def week(self) -> calendar.WeekRef:
        return week_of(self.due)

    @property
    def baseline(self) -> bool:
        return self.week.baseline

    @cached_property
    def ends_cycle(self) -> bool:
        return ends_cycle(self.state, self.week)

    def judge(self, rule: CloseRule[R, Any], read: R) -> None:
        """The week through `rule`, its outcome kept under the rule's name."""
        self._judging = rule
        try:
            self._outcomes[rule.name] = rule.close(self, read)
        finally:
            self._judging = None

    def outcome(self, rule: CloseRule[Any, Out]) -> Out | None:
        """What `rule` found this week (None: nothing, or it did not close this week). A rule
        reads only the outcomes it declares it needs; the summary, after them all, any."""
        judging = self._judging
        if judging is not None and rule.name not in judging.needs:
            raise ValueError(f"the close rule {judging.name!r} reads {rule.name!r}'s outcome: add it to its needs")
        found: Out | None = self._outcomes.get(rule.name)
        return found


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
class CloseRule(Generic[R, Out]):
    """One rule of the close: `read`, its batch for the round (through `Round.read`, so a
    kind of data shared with another rule is read once); `close`, what it decides for one
    week, by `judge`, its pure judge in cadence/, and its outcome (None: nothing to say);
    `baseline`, whether it closes the adopters' baseline weeks (and only them) or the
    weeks whose steps are judged; `needs`, the names of the rules whose outcomes it reads,
    which run before it; `after` and `before`, rules it runs after or before without
    reading them (a week's change lists their decisions and messages in that order)."""

    name: str
    read: Callable[[Round], R]
    close: Callable[[WeekClose, R], Out]
    judge: Callable[..., Any]
    baseline: bool = False
    needs: tuple[str, ...] = ()
    after: tuple[str, ...] = ()
    before: tuple[str, ...] = ()


def check_order(rules: Sequence[CloseRule[Any, Any]]) -> None:
    """Raises ValueError unless each rule is named once and comes after each rule it
    needs, one closing the same weeks (an adopter's baseline week, or the others)."""
    before: dict[str, CloseRule[Any, Any]] = {}
    for rule in rules:
        if rule.name in before:
            raise ValueError(f"the close rule {rule.name!r} is listed twice")
        for need in rule.needs:
            needed = before.get(need)
            if needed is None:
                raise ValueError(f"the close rule {rule.name!r} needs {need!r}'s outcome, which no rule before it has")
            if needed.baseline != rule.baseline:
                raise ValueError(f"the close rule {rule.name!r} needs {need!r}, which closes other weeks")
        before[rule.name] = rule


def nothing(_round: Round) -> None:
    """The read of a rule that judges on what the round and the rules before it read."""
    return None
