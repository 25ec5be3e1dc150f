"""The pulse (docs/usage.md, "The pulse"): four fixed, optional questions asked once a
cycle of the people doing the work, and what their answers may show and change.

- `summarize`: a cycle's answers as aggregates only, figure by figure: each of trust,
  safety, worked-around and freed time is shown only from `needed` answers to its own
  question (`pulse_min_answers`, never below MIN_ANSWERS); trust and safety as means with
  their 95% t-intervals, the share who worked around a step sometimes or often with its
  95% Wilson interval, the shares of where the freed time went. A figure below its floor
  keeps only its count. storage/pulse.py calls it, and only its result leaves the pulse.
- `rollup`: a function's, the organization's or several cycles' pulse, pooled from the
  groups' shown figures only (a hidden figure enters no rollup), and withheld where the
  answers it leaves out are too few to stand on their own (docs/usage.md, "The pulse").
- `fell`: a clear fall from the previous cycle, the difference of the means' 95%
  interval (Welch's) wholly below zero; `holds`: why the pulse holds the playbook's
  promotion proposals to ai-led through the next cycle (a fall, or a work-around share
  of HOLD_AROUND or more), judged on shown figures only. It never demotes.

The statistics are scipy's (cadence/judgement.py's Wilson; scipy.stats.t). Plain data in,
plain data out."""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from cadence.judgement import CONFIDENCE, Interval, _t_quantile, wilson
from cadence.rules import Kind, Transition

MIN_ANSWERS = 5  # the floor under pulse_min_answers: no figure is shown on fewer
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
QUESTIONS = ("trust", "safety", "around", "freed")  # each figure's own question


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
    """A 1-5 question's mean over `n` answers, with its 95% t-interval (None below 2) and
    the sample standard deviation (0 below 2): enough to pool and to compare, no answer."""

    mean: float
    n: int
    interval: Interval | None
    sd: float = 0.0


class Share(NamedTuple):
    """`hits` of `n` answers, with the share's 95% Wilson interval."""

    hits: int
    n: int
    interval: Interval

    @property
    def share(self) -> float:
        return self.hits / self.n


def _mean(mean: float, n: int, sd: float) -> Mean:
    if n < 2:
        return Mean(mean, n, None, 0.0)
    half = _t_quantile(n - 1) * sd / n**0.5
    return Mean(mean, n, Interval(max(mean - half, SCALE[0]), min(mean + half, SCALE[-1])), sd)


def mean_of(values: Sequence[int]) -> Mean | None:
    """The mean and its 95% t-interval (n - 1 degrees of freedom), clipped to the scale:
    no mean of answers 1 to 5 lies outside it, so neither does its interval ("4.7, 95% CI
    4.1 to 5.2" was said of trust on 1-5); None for no values."""
    if not values:
        return None
    return _mean(statistics.fmean(values), len(values), statistics.stdev(values) if len(values) > 1 else 0.0)


def _share(hits: int, n: int) -> Share:
    return Share(hits, n, wilson(hits, n))


@dataclass(frozen=True)
class Pulse:
    """A cycle's pulse (or a rollup's) as it may be shown: `answers` (who answered anything)
    and `asked` (how many answered each question) always; each figure only when its own
    question has `needed` answers (and, in a rollup, gives no left-out group away)."""

    cycle: int
    answers: int
    needed: int
    asked: dict[str, int] = field(default_factory=dict)  # question -> how many answered it
    trust: Mean | None = None
    safety: Mean | None = None
    around: Share | None = None
    freed: dict[str, Share] = field(default_factory=dict)
    withheld: tuple[str, ...] = ()  # a rollup's questions not shown lest a small group be worked out

    def figure_shown(self, question: str) -> bool:
        return bool(self.freed) if question == "freed" else getattr(self, question) is not None

    @property
    def shown(self) -> bool:
        """Whether any figure is shown."""
        return any(self.figure_shown(q) for q in QUESTIONS)

    def hidden(self) -> dict[str, int]:
        """The questions answered, but by too few to show their figure: how many answered each."""
        return {
            q: n
            for q in QUESTIONS
            if (n := self.asked.get(q, 0)) and not self.figure_shown(q) and q not in self.withheld
        }

    def figures(self) -> dict[str, Any]:
        """Aggregates only, as the API, the CSV and a decision keep them: a figure not
        shown is None, with its count under `hidden` (too few answers) or its question
        under `withheld` (a rollup's)."""

        def mean(m: Mean | None) -> dict[str, Any] | None:
            if m is None:
                return None
            low, high = (round(m.interval.low, 3), round(m.interval.high, 3)) if m.interval else (None, None)
            return {"mean": round(m.mean, 3), "answers": m.n, "low": low, "high": high}

        around = self.around
        return {
            "cycle": self.cycle,
            "answers": self.answers,
            "needed": self.needed,
            "shown": self.shown,
            "trust": mean(self.trust),
            "safety": mean(self.safety),
            "worked_around": None
            if around is None
            else {
                "share": round(around.share, 3),
                "answers": around.n,
                "low": round(around.interval.low, 3),
                "high": round(around.interval.high, 3),
            },
            "freed": {k: round(s.share, 3) for k, s in self.freed.items()},
            "freed_answers": next(iter(self.freed.values())).n if self.freed else None,
            "hidden": self.hidden(),
            "withheld": list(self.withheld),
        }


def needed(setting: int | None) -> int:
    """`pulse_min_answers`, never below the floor (the definition refuses less; this holds anyway)."""
    return max(setting or MIN_ANSWERS, MIN_ANSWERS)


def summarize(cycle: int, answers: Sequence[Answer], min_answers: int | None = None) -> Pulse:
    """The cycle's pulse, figure by figure: a figure whose question has fewer than
    `min_answers` answers (the floor at least) keeps only its count."""
    floor = needed(min_answers)
    values = _answered(answers)
    asked = {q: len(v) for q, v in values.items()}
    enough = {q for q, n in asked.items() if n >= floor}
    arounds, freed = values["around"], values["freed"]
    return Pulse(
        cycle,
        sum(1 for a in answers if not a.empty),
        floor,
        asked,
        trust=mean_of(values["trust"]) if "trust" in enough else None,
        safety=mean_of(values["safety"]) if "safety" in enough else None,
        around=_around_share(arounds) if "around" in enough else None,
        freed=_freed_shares(freed) if "freed" in enough else {},
    )


def _answered(answers: Sequence[Answer]) -> dict[str, list[Any]]:
    """Question by question, the answers given to it (an empty one left out)."""
    return {q: [getattr(a, q) for a in answers if getattr(a, q) is not None] for q in QUESTIONS}


def _around_share(arounds: Sequence[Any]) -> Share:
    """The share of the answers to `around` that say the work was worked around."""
    return _share(sum(1 for a in arounds if a in WORKED_AROUND), len(arounds))


def _freed_shares(freed: Sequence[Any]) -> dict[str, Share]:
    """The share of the answers to `freed` naming each place the freed time went, those named."""
    return {k: _share(c, len(freed)) for k in FREED if (c := freed.count(k))}


def _pooled(means: Sequence[Mean]) -> Mean:
    """The mean and standard deviation of the groups' answers together, from their aggregates."""
    n = sum(m.n for m in means)
    mean = sum(m.n * m.mean for m in means) / n
    squares = sum((m.n - 1) * m.sd**2 + m.n * m.mean**2 for m in means)
    return _mean(mean, n, math.sqrt(max(squares - n * mean**2, 0.0) / (n - 1)) if n > 1 else 0.0)


def _entering(pulses: Sequence[Pulse], floor: int) -> tuple[dict[str, list[Pulse]], tuple[str, ...]]:
    """Question by question, the groups whose shown figure enters the rollup (none where
    too few enter, or where the answers left out are more than none but fewer than the
    floor); and the questions withheld: answered by the floor in all, yet not shown."""
    entering: dict[str, list[Pulse]] = {}
    withheld = []
    for q in QUESTIONS:
        shown = [p for p in pulses if p.figure_shown(q)]
        n = sum(p.asked.get(q, 0) for p in shown)
        left_out = sum(p.asked.get(q, 0) for p in pulses) - n
        if n >= floor and (left_out == 0 or left_out >= floor):
            entering[q] = shown
        elif n + left_out >= floor:
            withheld.append(q)
    return entering, tuple(withheld)


def _pooled_mean(groups: Sequence[Pulse], question: str) -> Mean | None:
    """A 1-5 question's figure pooled over the groups (each shows it), None for no group."""
    return _pooled([m for p in groups if (m := getattr(p, question)) is not None]) if groups else None


def _pooled_around(groups: Sequence[Pulse]) -> Share | None:
    """The work-around share pooled over the groups (each shows it), None for no group."""
    shares = [p.around for p in groups if p.around is not None]
    return _share(sum(s.hits for s in shares), sum(s.n for s in shares)) if groups else None


def _pooled_freed(groups: Sequence[Pulse]) -> dict[str, Share]:
    """The shares of where the freed time went, pooled over the groups (each shows them)."""
    n = sum(p.asked["freed"] for p in groups)
    counts = {k: sum(p.freed[k].hits for p in groups if k in p.freed) for k in FREED}
    return {k: _share(c, n) for k, c in counts.items() if c} if groups else {}


def rollup(pulses: Sequence[Pulse], min_answers: int | None = None) -> Pulse:
    """The groups' pulse pooled (a function's playbooks, the organization, several cycles),
    figure by figure from the groups' shown figures only: a figure hidden for too few
    answers enters no rollup, so no difference of two shown figures isolates it. A rollup
    figure is withheld too where the answers it leaves out are more than none but fewer
    than the floor (a rollup that would show all but one small group), and shown only
    from the floor. `min_answers`: at least every group's."""
    floor = max([needed(min_answers), *(p.needed for p in pulses)])
    entering, withheld = _entering(pulses, floor)
    return Pulse(
        0,
        sum(p.answers for p in pulses),
        floor,
        {q: sum(p.asked.get(q, 0) for p in pulses) for q in QUESTIONS},
        trust=_pooled_mean(entering.get("trust", []), "trust"),
        safety=_pooled_mean(entering.get("safety", []), "safety"),
        around=_pooled_around(entering.get("around", [])),
        freed=_pooled_freed(entering.get("freed", [])),
        withheld=withheld,
    )


def difference_of(before: Mean, after: Mean) -> Interval | None:
    """The 95% interval of after's mean - before's (Welch's t), from the two aggregates;
    None below 2 answers a side. Where neither side varies, the difference is exact."""
    if before.n < 2 or after.n < 2:
        return None
    gap = after.mean - before.mean
    if before.sd == 0 and after.sd == 0:
        return Interval(gap, gap)  # every answer the same on each side: the difference is exact
    from scipy.stats import t  # imported when first needed: see cadence/judgement.py

    va, vb = after.sd**2 / after.n, before.sd**2 / before.n
    df = (va + vb) ** 2 / (va**2 / (after.n - 1) + vb**2 / (before.n - 1))
    half = float(t.ppf((1 + CONFIDENCE) / 2, df)) * math.sqrt(va + vb)
    return Interval(gap - half, gap + half)


def difference(before: Sequence[int], after: Sequence[int]) -> Interval | None:
    """The 95% interval of mean(after) - mean(before) (Welch's t); None below 2 values a side."""
    b, a = mean_of(before), mean_of(after)
    return difference_of(b, a) if a is not None and b is not None else None


def fell(before: Sequence[int], after: Sequence[int]) -> Interval | None:
    """The difference's interval if it is wholly below zero (a clear fall), else None."""
    gap = difference(before, after)
    return gap if gap is not None and gap.high < 0 else None


def holds(this: Pulse, previous: Pulse | None) -> dict[str, Any]:
    """Why this cycle's pulse holds promotions to ai-led ({} for no hold): trust or safety
    fell clearly from the previous cycle (the figure shown in both), or the work-around
    share, shown, is HOLD_AROUND or more. A figure not shown holds nothing."""
    why: dict[str, Any] = {}
    for question in ("trust", "safety"):
        now, before = getattr(this, question), getattr(previous, question) if previous is not None else None
        gap = difference_of(before, now) if now is not None and before is not None else None
        if gap is not None and gap.high < 0:
            why[question] = {"low": round(gap.low, 3), "high": round(gap.high, 3)}
    if this.around is not None and this.around.share >= HOLD_AROUND:
        why["worked_around"] = round(this.around.share, 3)
    return why


def without_promotions_to_ai_led(transitions: Sequence[Transition]) -> list[Transition]:
    """A step's transitions at a close while the pulse holds: its proposals to ai-led left
    out, everything else (demotions, other proposals, warnings) as it was."""
    return [t for t in transitions if not (t.kind is Kind.PROPOSAL and t.to_mode == "ai-led")]


def held(pulses: Mapping[int, Pulse], cycle: int, last_week: bool) -> dict[str, Any]:
    """Why a close in `cycle` proposes no step to ai-led ({}: it may), on the answered
    pulses by cycle: the previous cycle's pulse holds through this cycle, and at the
    cycle's last week (`last_week`) this cycle's pulse too."""

    def of(this: Pulse | None, previous: Pulse | None) -> dict[str, Any]:
        return holds(this, previous) if this is not None else {}

    why = of(pulses.get(cycle - 1), pulses.get(cycle - 2))
    if not why and last_week:
        why = of(pulses.get(cycle), pulses.get(cycle - 1))
    return why
