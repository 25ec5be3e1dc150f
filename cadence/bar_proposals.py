"""When a proposal is made, judged by its effect (docs/judgement.md, "The bar judged by its
effect"): the rule numbers that decide when a promotion is proposed (`promote_after_weeks`,
`cooldown_weeks`, `freeze_after_changes`, `freeze_window_weeks`) and when a scale
proposal is (`scale_after_cycles`) are replayed under the bar before and the asked bar.

- Each step's kept weeks, oldest first, go through the close's own judge
  (cadence/rules.py `evaluate`), the step's mode each week as the history shows it (a move
  between two weeks is set as a person's, `override`, which keeps the cooldown and the
  freeze). A promotion the asked bar would have proposed at an earlier week of the same
  mode than the bar before did, or at all where it did not, is sooner ("under the asked
  bar, draft's promotion to ai-led would have been proposed at week 2 of cycle 3, not
  week 4 of cycle 3").
- The kept cycles' hits (cadence/bar_kpi.py) through the scale rule (`ready_to_scale`):
  the rule holding at an earlier cycle is sooner.
- With nothing kept that says so, probes: a run of PASS weeks in each mode from a fresh
  step, after a demotion, after 1 to N mode changes; a run of cycles that hit. The first
  that moves sooner is named.

Later or the same is a tightening. Pure: the weeks as judged under each bar in, the lines
a card shows out (empty: no proposal is made sooner)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from cadence.rules import LEVELS, Kind, StepState, evaluate, override
from cadence.verdicts import PASS, Thresholds, WeekNumbers, WeekVerdict

# The rule numbers whose change moves when a proposal is made.
PROPOSAL_FIELDS = (
    "rules.promote_after_weeks",
    "rules.cooldown_weeks",
    "rules.freeze_after_changes",
    "rules.freeze_window_weeks",
    "rules.scale_after_cycles",
)
_DAY = date(2000, 1, 3)  # a replayed week's day: the rules count weeks, not days
_PASSING = WeekNumbers(100, 0, 1.0)


@dataclass(frozen=True)
class Judged:
    """A step's kept week as the rules read it under one bar: its label, the step's mode
    that week, its verdict and numbers."""

    label: str
    mode: str
    outcome: str
    numbers: WeekNumbers


def proposed(weeks: list[Judged], t: Thresholds) -> list[str | None]:
    """Week by week, the mode a promotion was proposed to at its close under `t` (None: none)."""
    state: StepState | None = None
    made: list[str | None] = []
    for at, week in enumerate(weeks):
        day = _DAY + timedelta(days=7 * at)
        if state is None:
            state = StepState("", week.mode)
        elif week.mode != state.mode:  # moved between the two weeks: by a rule or a person
            _, state = override(state, week.mode, day - timedelta(days=7), t)
        transitions, state = evaluate(state, WeekVerdict(day, week.outcome, week.numbers), t)
        made.append(next((str(tr.to_mode) for tr in transitions if tr.kind is Kind.PROPOSAL), None))
    return made


def _firsts(weeks: list[Judged], made: list[str | None]) -> dict[int, int]:
    """Each run of weeks in one mode (by its first week's index): its first proposal's index."""
    firsts: dict[int, int] = {}
    start = 0
    for at, week in enumerate(weeks):
        if at and week.mode != weeks[at - 1].mode:
            start = at
        if made[at] is not None:
            firsts.setdefault(start, at)
    return firsts


def sooner(old: list[Judged], new: list[Judged], tb: Thresholds, ta: Thresholds) -> tuple[int, int | None] | None:
    """The first run of one mode whose promotion the asked bar proposes sooner: (its week
    under the asked bar, its week under the bar before, None: not at all); None: none."""
    was, now = _firsts(old, proposed(old, tb)), _firsts(new, proposed(new, ta))
    for start, at in sorted(now.items()):
        if start not in was or at < was[start]:
            return at, was.get(start)
    return None


def steps_sooner(kept: dict[str, tuple[list[Judged], list[Judged]]], tb: Thresholds, ta: Thresholds) -> list[str]:
    """Each step (by name: its kept weeks under the bar before and the asked one) whose
    promotion the asked bar would have proposed sooner, in words."""
    found = []
    for step, (old, new) in kept.items():
        moved = sooner(old, new, tb, ta)
        if moved is None:
            continue
        at, was = moved
        higher = LEVELS[min(LEVELS.index(new[at].mode) + 1, len(LEVELS) - 1)]
        not_ = f"not {old[was].label}" if was is not None else "where it was not proposed"
        found.append(
            f"under the asked bar, {step}'s promotion to {higher} would have been proposed at {new[at].label}, {not_}"
        )
    return found


def _runs(tb: Thresholds, ta: Thresholds) -> Iterator[tuple[str, list[Judged]]]:
    """Probe histories: PASS weeks in each mode from a fresh step, after a demotion, and
    after 1 to N mode changes, long enough for either bar's streak, cooldown and freeze."""
    length = max(tb.promote_after_weeks, ta.promote_after_weeks) + max(tb.cooldown_weeks, ta.cooldown_weeks) + 2
    most = max(tb.freeze_after_changes, ta.freeze_after_changes)
    for mode in LEVELS[:-1]:
        passes = [Judged("", mode, PASS, _PASSING)] * length
        yield f"a {mode} step with PASS weeks", passes
        upper = LEVELS[LEVELS.index(mode) + 1]
        yield f"a step demoted to {mode}, then with PASS weeks", [Judged("", upper, PASS, _PASSING), *passes]
        for changes in range(1, most + 1):
            moves = [Judged("", mode if (changes - i) % 2 == 0 else upper, PASS, _PASSING) for i in range(changes)]
            yield f"a {mode} step moved {changes} times, then with PASS weeks", [*moves, *passes]


def probe(tb: Thresholds, ta: Thresholds) -> list[str]:
    """The first probe history whose promotion the asked bar proposes sooner, in words."""
    for what, weeks in _runs(tb, ta):
        moved = sooner(weeks, weeks, tb, ta)
        if moved is not None:
            at, was = moved
            start = max(i for i in range(at + 1) if i == 0 or weeks[i].mode != weeks[i - 1].mode)
            n = at - start + 1
            not_ = f"not {was - start + 1}" if was is not None else "where none would be proposed"
            return [
                f"under the asked bar, {what} would have a promotion proposed after {n} PASS week{'s' if n != 1 else ''}, {not_}"
            ]
    return []


def scale_sooner(
    hits_old: list[tuple[int, bool]], hits_new: list[tuple[int, bool]], tb: Thresholds, ta: Thresholds
) -> list[str]:
    """The scale rule over the kept cycles ((number, hit) under each bar, oldest first),
    and else over a probe run of hits: where it would hold at an earlier cycle, in words."""
    old, new = _held(hits_old, tb.scale_after_cycles), _held(hits_new, ta.scale_after_cycles)
    if new is not None and (old is None or new < old):
        not_ = f"not cycle {hits_old[old][0]}'s" if old is not None else "where it did not hold"
        return [f"under the asked bar, the scale rule would have held at cycle {hits_new[new][0]}'s end, {not_}"]
    if ta.scale_after_cycles < tb.scale_after_cycles:
        return [
            f"under the asked bar, {ta.scale_after_cycles} cycle{'s' if ta.scale_after_cycles != 1 else ''} "
            f"hitting the target in a row would propose scaling, not {tb.scale_after_cycles}"
        ]
    return []


def _held(hits: list[tuple[int, bool]], needed: int) -> int | None:
    """The index of the first cycle at whose end the last `needed` cycles all hit."""
    for at in range(len(hits)):
        recent = hits[max(0, at + 1 - needed) : at + 1]
        if len(recent) == needed and all(hit for _, hit in recent):
            return at
    return None
