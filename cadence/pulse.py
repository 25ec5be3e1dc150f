"""The pulse (docs/usage.md, "The pulse"): four fixed, optional questions asked once a
cycle of the people doing the work, and what their answers may show and change.

- `summarize`: a cycle's answers as aggregates only, and only from `needed` answers
  (`pulse_min_answers`, never below MIN_ANSWERS): trust and safety as means with their 95%
  t-intervals, the share who worked around a step sometimes or often with its 95% Wilson
  interval, the shares of where the freed time went. Fewer answers: nothing but the count.
- `fell`: a clear fall from the previous cycle, the difference of the means' 95%
  interval (Welch's) wholly below zero; `holds`: why the pulse holds the playbook's
  promotion proposals to ai-led through the next cycle (a fall, or a work-around share
  of HOLD_AROUND or more). It never demotes.
- `rollup_shown`: whether a rollup of groups (a function's playbooks, the organization)
  may be shown without letting a hidden group's answers be worked out.

The statistics are scipy's (cadence/judgement.py's Wilson; scipy.stats.t and
ttest_ind). Plain data in, plain data out."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from cadence.judgement import CONFIDENCE, Interval, _t_quantile, wilson
from cadence.rules import Kind, Transition

MIN_ANSWERS = 5  # the floor under pulse_min_answers: no cycle is shown on fewer
HOLD_AROUND = 0.30  # a work-around share this high holds promotions to ai-led
SCALE = (1, 2, 3, 4, 5)
AROUND = {"never": "never", "sometimes": "sometimes", "often": "often"}
FREED = {
    "same": "more of the same work",
    "new": "new work",
    "quality": "quality",
    "meetings": "meetings and admin",
    "none": "nothing saved yet",
}
WORKED_AROUND = ("sometimes", "often")


def questions(playbook: str) -> dict[str, str]:
    """The four questions, in fixed words so teams compare (docs/usage.md, "The pulse")."""
    return {
        "trust": f"How far could you rely on the AI's output in {playbook} this cycle?",
        "around": "Did you work around an AI-led or collaborative step?",
        "safety": "When a case was unclear, could you escalate it without feeling you had failed?",
        "freed": "Where did the time it saved go?",
    }


class BadAnswer(ValueError):
    """An answer outside its question's scale: names the question."""

    def __init__(self, question: str):
        super().__init__(question)
        self.question = question


@dataclass(frozen=True)
class Answer:
    """One person's answer, every question optional (None: not answered)."""

    trust: int | None = None
    around: str | None = None
    safety: int | None = None
    freed: str | None = None

    def __post_init__(self) -> None:
        for name in ("trust", "safety"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or value not in SCALE):
                raise BadAnswer(name)
        if self.around is not None and self.around not in AROUND:
            raise BadAnswer("around")
        if self.freed is not None and self.freed not in FREED:
            raise BadAnswer("freed")

    @property
    def empty(self) -> bool:
        return self.trust is None and self.around is None and self.safety is None and self.freed is None


class Mean(NamedTuple):
    """A 1-5 question's mean over `n` answers, with its 95% t-interval (None below 2)."""

    mean: float
    n: int
    interval: Interval | None


class Share(NamedTuple):
    """`hits` of `n` answers, with the share's 95% Wilson interval."""

    hits: int
    n: int
    interval: Interval

    @property
    def share(self) -> float:
        return self.hits / self.n


def mean_of(values: Sequence[int]) -> Mean | None:
    """The mean and its 95% t-interval (n - 1 degrees of freedom), clipped to the scale:
    no mean of answers 1 to 5 lies outside it, so neither does its interval ("4.7, 95% CI
    4.1 to 5.2" was said of trust on 1-5); None for no values."""
    if not values:
        return None
    mean = statistics.fmean(values)
    if len(values) < 2:
        return Mean(mean, len(values), None)
    half = _t_quantile(len(values) - 1) * statistics.stdev(values) / len(values) ** 0.5
    return Mean(mean, len(values), Interval(max(mean - half, SCALE[0]), min(mean + half, SCALE[-1])))


@dataclass(frozen=True)
class Pulse:
    """A cycle's pulse as it may be shown: `answers` always; the rest only when shown."""

    cycle: int
    answers: int
    needed: int
    trust: Mean | None = None
    safety: Mean | None = None
    around: Share | None = None
    freed: dict[str, Share] = field(default_factory=dict)

    @property
    def shown(self) -> bool:
        return self.answers >= self.needed

    def figures(self) -> dict[str, Any]:
        """Aggregates only, as the API, the CSV and a decision keep them."""

        def mean(m: Mean | None) -> dict[str, Any] | None:
            if m is None:
                return None
            low, high = (round(m.interval.low, 3), round(m.interval.high, 3)) if m.interval else (None, None)
            return {"mean": round(m.mean, 3), "answers": m.n, "low": low, "high": high}

        figures: dict[str, Any] = {"cycle": self.cycle, "answers": self.answers, "needed": self.needed}
        figures["shown"] = self.shown
        if not self.shown:
            return figures
        figures["trust"], figures["safety"] = mean(self.trust), mean(self.safety)
        around = self.around
        figures["worked_around"] = (
            None
            if around is None
            else {
                "share": round(around.share, 3),
                "answers": around.n,
                "low": round(around.interval.low, 3),
                "high": round(around.interval.high, 3),
            }
        )
        figures["freed"] = {k: round(s.share, 3) for k, s in self.freed.items()}
        return figures


def needed(setting: int | None) -> int:
    """`pulse_min_answers`, never below the floor (the definition refuses less; this holds anyway)."""
    return max(setting or MIN_ANSWERS, MIN_ANSWERS)


def summarize(cycle: int, answers: Sequence[Answer], min_answers: int | None = None) -> Pulse:
    """The cycle's pulse: only the count below `min_answers` (the floor at least)."""
    floor = needed(min_answers)
    count = sum(1 for a in answers if not a.empty)
    if count < floor:
        return Pulse(cycle, count, floor)
    arounds = [a.around for a in answers if a.around is not None]
    freed = [a.freed for a in answers if a.freed is not None]
    return Pulse(
        cycle,
        count,
        floor,
        trust=mean_of([a.trust for a in answers if a.trust is not None]),
        safety=mean_of([a.safety for a in answers if a.safety is not None]),
        around=(
            Share(n := sum(1 for a in arounds if a in WORKED_AROUND), len(arounds), wilson(n, len(arounds)))
            if arounds
            else None
        ),
        freed={k: Share(c, len(freed), wilson(c, len(freed))) for k in FREED if (c := freed.count(k))},
    )


def difference(before: Sequence[int], after: Sequence[int]) -> Interval | None:
    """The 95% interval of mean(after) - mean(before) (Welch's t); None below 2 values a side
    or where neither side varies (no interval to speak of)."""
    if len(before) < 2 or len(after) < 2:
        return None
    if statistics.pvariance(before) == 0 and statistics.pvariance(after) == 0:
        gap = statistics.fmean(after) - statistics.fmean(before)
        return Interval(gap, gap)  # every answer the same on each side: the difference is exact
    from scipy.stats import ttest_ind  # imported when first needed: see cadence/judgement.py

    ci = ttest_ind(after, before, equal_var=False).confidence_interval(confidence_level=CONFIDENCE)
    return Interval(float(ci.low), float(ci.high))


def fell(before: Sequence[int], after: Sequence[int]) -> Interval | None:
    """The difference's interval if it is wholly below zero (a clear fall), else None."""
    gap = difference(before, after)
    return gap if gap is not None and gap.high < 0 else None


def holds(this: Sequence[Answer], previous: Sequence[Answer] | None, min_answers: int | None = None) -> dict[str, Any]:
    """Why this cycle's pulse holds promotions to ai-led ({} for no hold): trust or safety
    fell clearly from the previous cycle (both cycles shown), or the work-around share
    is HOLD_AROUND or more. Only a shown cycle holds anything."""
    floor = needed(min_answers)
    pulse = summarize(0, this, floor)
    if not pulse.shown:
        return {}
    why: dict[str, Any] = {}
    if previous is not None and summarize(0, previous, floor).shown:
        for question in ("trust", "safety"):
            gap = fell(
                [getattr(a, question) for a in previous if getattr(a, question) is not None],
                [getattr(a, question) for a in this if getattr(a, question) is not None],
            )
            if gap is not None:
                why[question] = {"low": round(gap.low, 3), "high": round(gap.high, 3)}
    if pulse.around is not None and pulse.around.share >= HOLD_AROUND:
        why["worked_around"] = round(pulse.around.share, 3)
    return why


def rollup_shown(groups: Sequence[tuple[int, bool]], min_answers: int = MIN_ANSWERS) -> bool:
    """Whether a rollup of groups, each (answers, shown), may be shown: it has enough
    answers, and the answers of the groups it does not show are none or enough on their
    own (so a rollup that shows all groups but one never lets that one be worked out)."""
    total = sum(n for n, _ in groups)
    hidden = sum(n for n, shown in groups if not shown)
    return total >= needed(min_answers) and (hidden == 0 or hidden >= needed(min_answers))


def without_promotions_to_ai_led(transitions: Sequence[Transition]) -> list[Transition]:
    """A step's transitions at a close while the pulse holds: its proposals to ai-led left
    out, everything else (demotions, other proposals, warnings) as it was."""
    return [t for t in transitions if not (t.kind is Kind.PROPOSAL and t.to_mode == "ai-led")]
