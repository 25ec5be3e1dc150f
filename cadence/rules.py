"""The mode rules (docs/usage.md, "How steps gain and lose autonomy"), as plain data in, plain decisions out.

A closed week gives each step one verdict (`judge`). Verdicts and the step's recent
history give transitions (`evaluate`): demotions, warnings, promotion proposals,
withdrawals and freezes. People's decisions (`approve`, `override`) go through the
same bookkeeping. Nothing here reads the clock, Slack or the database.

Where the rules leave room, these readings are taken:
- A critical demotion needs a week that FAILed, i.e. enough cases to judge: a ratio
  over 2 x cap on 3 cases is noise, not evidence.
- Counters (FAILs in the last 4 weeks, MISSING in a row, PASS in a row) count only weeks after the step's
  last mode change: a step is not demoted twice for the same bad weeks, and a manual override restarts every streak.
- A rejected proposal restarts the PASS streak; an open proposal is not repeated. Small weeks: cadence/pooling.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, NamedTuple

from cadence.definition import MODES, RuleSettings
from cadence.figures import meets_target
from cadence.judgement import CLASSIC, CONFIDENT, EVIDENCE_WEEKS, Evidence, above, confident_rule, evidence
from cadence.judgement import clearly_over_cap as _clearly_over_cap

PASS, FAIL, INCONCLUSIVE, MISSING = "PASS", "FAIL", "INCONCLUSIVE", "MISSING"
LEVELS = MODES  # the modes in order of the AI's autonomy


def promoted(mode: str) -> str | None:
    """One level up, or None at the top: promotions move one level at a time."""
    index = LEVELS.index(mode)
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else None


def demoted(mode: str) -> str | None:
    """One level down, or None at the bottom."""
    index = LEVELS.index(mode)
    return LEVELS[index - 1] if index > 0 else None


@dataclass(frozen=True)
class Thresholds:
    """Every number the rules use, from a playbook's settings (`of`): their schema,
    cadence.definition.RuleSettings, is the one place the defaults are stated."""

    exception_cap: float
    rubric_threshold: float
    rubric_floor: float
    min_cases: int
    critical_multiplier: float
    demote_after_fails: int
    demote_window_weeks: int
    unobserved_warn_weeks: int
    unobserved_demote_weeks: int
    promote_after_weeks: int
    cooldown_weeks: int
    freeze_after_changes: int
    freeze_window_weeks: int
    scale_min_kpi_weeks: int
    scale_after_cycles: int
    ready_min_attestation: float = 0.75
    adoption_wave: int = 3
    ready_min_reliability: float = 0.9
    replicate_share: float = (
        0.8  # of the origin's relative KPI change an adopting cycle must reach (cadence.replication)
    )
    judgement: str = CLASSIC  # or CONFIDENT: verdicts by the intervals' bounds (cadence.judgement)

    @classmethod
    def of(cls, settings: RuleSettings, exception_cap: float, rubric_threshold: float) -> Thresholds:
        return cls(
            exception_cap=exception_cap,
            rubric_threshold=rubric_threshold,
            rubric_floor=settings.floor_for(rubric_threshold),
            min_cases=settings.min_cases,
            critical_multiplier=settings.critical_multiplier,
            demote_after_fails=settings.demote_after_fails,
            demote_window_weeks=settings.demote_window_weeks,
            unobserved_warn_weeks=settings.unobserved_warn_weeks,
            unobserved_demote_weeks=settings.unobserved_demote_weeks,
            promote_after_weeks=settings.promote_after_weeks,
            cooldown_weeks=settings.cooldown_weeks,
            freeze_after_changes=settings.freeze_after_changes,
            freeze_window_weeks=settings.freeze_window_weeks,
            scale_min_kpi_weeks=settings.scale_min_kpi_weeks,
            scale_after_cycles=settings.scale_after_cycles,
            ready_min_attestation=settings.ready_min_attestation,
            adoption_wave=settings.adoption_wave,
            ready_min_reliability=settings.ready_min_reliability,
            replicate_share=settings.replicate_share,
            judgement=settings.judgement,
        )

    @property
    def lookback_weeks(self) -> int:
        """How many past weeks any rule looks at."""
        weeks = (self.demote_window_weeks, self.unobserved_demote_weeks, self.promote_after_weeks, self.cooldown_weeks)
        return max(*weeks, self.freeze_window_weeks) + 1


# Named tuples, not frozen dataclasses: a close builds tens of thousands, in half the time.
class WeekNumbers(NamedTuple):
    cases: int | None  # None: no case count reported
    exceptions: int  # owner-logged exceptions plus members' deviations
    rubric: float | None  # None too for a sample below the review rate (cadence/review.py)
    reviewed: int | None = None  # the rubric's sample; None: every case reviewed
    dimensions: str | None = None  # its counts per rubric dimension (cadence/dimensions.py)

    @property
    def ratio(self) -> float | None:
        return self.exceptions / self.cases if self.cases else None


class WeekVerdict(NamedTuple):
    week_start: date
    outcome: str
    numbers: WeekNumbers
    rule: str | None = None  # VerdictRule's value as kept; None for a verdict kept before the rule was


class VerdictRule(StrEnum):
    """Which of the five verdict rules gave a week its verdict, and so why: kept with the
    verdict's decision, worded by the week's close (templates/week_closed.json.j2). Rule 5
    is split by why the week tells nothing (a rubric between floor and threshold, or none)."""

    NO_CASE_COUNT = "1-no-case-count"
    SOURCE_FAILED = "1-source-failed"  # its sourced cases, exceptions or rubric never arrived
    TOO_FEW_CASES = "2-too-few-cases"
    EXCEPTIONS_OVER_CAP = "3-exceptions-over-cap"
    RUBRIC_BELOW_FLOOR = "3-rubric-below-floor"
    RUBRIC_MET = "4-within-cap-rubric-met"
    AI_LED_NO_RUBRIC = "4-within-cap-ai-led-no-rubric"
    RUBRIC_BETWEEN = "5-rubric-between-floor-and-threshold"
    NO_RUBRIC = "5-no-rubric"
    # `judgement: confident` (cadence.judgement.confident_rule): by the 95% intervals' bounds
    CONFIDENT_OVER_CAP = "3c-exceptions-surely-over-cap"
    CONFIDENT_BELOW_FLOOR = "3c-rubric-surely-below-floor"
    CONFIDENT_RUBRIC_MET = "4c-surely-within-cap-rubric-met"
    CONFIDENT_AI_LED_NO_RUBRIC = "4c-surely-within-cap-ai-led-no-rubric"
    CONFIDENT_UNSURE = "5c-interval-spans-a-bound"


def judge(numbers: WeekNumbers, mode: str, t: Thresholds) -> str:
    return judge_with_rule(numbers, mode, t)[0]


def pooled(numbers: WeekNumbers, t: Thresholds, before: StepState, leave_out: tuple[date, ...] = ()) -> Evidence | None:
    """What a confident PASS is judged on: this week's cases pooled with the step's last weeks since its mode
    changed (StepState.evidence, less `leave_out`: a small weeks' pool holds them); None under `classic`."""
    return evidence([numbers, *before.evidence(leave_out)]) if t.judgement == CONFIDENT else None


def judge_with_rule(
    numbers: WeekNumbers, mode: str, t: Thresholds, pooled: Evidence | None = None, source_failed: bool = False
) -> tuple[str, VerdictRule]:
    """The five verdict rules, in their order: (verdict, the rule that gave it). `pooled`: a
    confident PASS's evidence; `source_failed`: a sourced number of the step never came."""
    if source_failed:
        return MISSING, VerdictRule.SOURCE_FAILED
    if numbers.cases is None:
        return MISSING, VerdictRule.NO_CASE_COUNT
    if numbers.cases < t.min_cases:
        return INCONCLUSIVE, VerdictRule.TOO_FEW_CASES
    if t.judgement == CONFIDENT:
        bounds = (mode == "ai-led", t.exception_cap, t.rubric_threshold, t.rubric_floor, pooled, numbers.reviewed)
        rule = VerdictRule(confident_rule(numbers.cases, numbers.exceptions, numbers.rubric, *bounds))
        return (FAIL if rule.startswith("3") else PASS if rule.startswith("4") else INCONCLUSIVE), rule
    ratio = numbers.ratio or 0.0
    if ratio > t.exception_cap:
        return FAIL, VerdictRule.EXCEPTIONS_OVER_CAP
    if numbers.rubric is not None and numbers.rubric < t.rubric_floor:
        return FAIL, VerdictRule.RUBRIC_BELOW_FLOOR
    if numbers.rubric is not None and numbers.rubric >= t.rubric_threshold:
        return PASS, VerdictRule.RUBRIC_MET
    if numbers.rubric is None and mode == "ai-led":
        return PASS, VerdictRule.AI_LED_NO_RUBRIC
    if numbers.rubric is None:
        return INCONCLUSIVE, VerdictRule.NO_RUBRIC
    return INCONCLUSIVE, VerdictRule.RUBRIC_BETWEEN  # at or above the floor, below the threshold


class StepState(NamedTuple):
    """What the rules know of a step before a week is evaluated, derived anew (`_replace`)."""

    name: str
    mode: str
    pinned: bool = False
    frozen: bool = False
    verdicts: tuple[WeekVerdict, ...] = ()  # closed weeks, oldest first
    changes: tuple[date, ...] = ()  # weeks in which the mode changed, by any rule or person
    demotions: tuple[date, ...] = ()  # weeks in which it was demoted
    streak_reset: date | None = None  # latest week a proposal was rejected
    open_proposal: bool = False
    ceiling: str | None = None  # no proposal above this mode (an adopting team's first cycle)

    def since_change(self) -> tuple[WeekVerdict, ...]:
        """Verdicts of the weeks after the last mode change: the ones counters count."""
        last = self.changes[-1] if self.changes else None
        return tuple(v for v in self.verdicts if last is None or v.week_start > last)

    def evidence(self, leave_out: tuple[date, ...] = ()) -> tuple[WeekNumbers, ...]:
        """The last EVIDENCE_WEEKS - 1 weeks' numbers since the last mode change, less MISSING and `leave_out`."""
        recent = self.since_change()[-(EVIDENCE_WEEKS - 1) :]
        return tuple(v.numbers for v in recent if v.outcome != MISSING and v.week_start not in leave_out)

    def trailing(self, outcome: str, after: date | None = None) -> int:
        """How many of the latest weeks (after the last change, and after `after`) had `outcome` in a row."""
        run = 0
        for v in reversed(self.since_change()):
            if (after is not None and v.week_start <= after) or v.outcome != outcome:
                break
            run += 1
        return run


class Kind(StrEnum):
    """What a transition does to a step. A new kind is added here, mapped to its
    decision in cadence.decisions.decision_kind (the type checker insists), given to the
    rules that make it (`TransitionRule`), and worded in templates/mode_alert.json.j2."""

    DEMOTION = "demotion"
    PROMOTION = "promotion"
    WARNING = "warning"
    PROPOSAL = "proposal"
    WITHDRAWAL = "withdrawal"
    FREEZE = "freeze"
    OVERRIDE = "override"
    REJECTION = "rejection"
    UNFREEZE = "unfreeze"


class TransitionRule(StrEnum):
    """Why a transition happened: the rule that made it, or what a person did. Each member
    names the kinds it makes (`kinds`); a transition of another kind by it is refused when
    built. The value is kept as the decision's `rule` (its actor "rule:<value>"): never
    change one, add one. templates/mode_alert.json.j2 words every kind but a proposal
    (templates/proposal.json.j2) by kind and rule, and refuses a pair it has no words for."""

    kinds: frozenset[Kind]

    def __new__(cls, value: str, *kinds: Kind) -> TransitionRule:
        member = str.__new__(cls, value)
        member._value_ = value
        member.kinds = frozenset(kinds)
        return member

    CRITICAL = "critical", Kind.DEMOTION  # a FAIL over critical_multiplier x the cap
    OVER_CAP = "over-cap", Kind.DEMOTION  # a FAIL clearly over the cap: its 95% Wilson lower bound above it
    FAILS = "fails", Kind.DEMOTION  # demote_after_fails FAILs in demote_window_weeks
    UNOBSERVED = "unobserved", Kind.WARNING, Kind.DEMOTION  # an AI-led step MISSING weeks in a row
    GUARDRAIL = "guardrail", Kind.WITHDRAWAL, Kind.DEMOTION  # a BREACHED week; two in a row demote
    FAIL_WITHDRAWS = "fail-withdraws", Kind.WITHDRAWAL  # a FAIL week withdraws an open proposal
    STREAK = "streak", Kind.PROPOSAL  # promote_after_weeks PASS weeks in a row
    FREEZE = "freeze", Kind.FREEZE  # freeze_after_changes mode changes in freeze_window_weeks
    APPROVAL = "approval", Kind.PROMOTION  # a person approved the proposal
    REJECTION = "rejection", Kind.REJECTION  # a person rejected it
    OVERRIDE = "override", Kind.OVERRIDE, Kind.WITHDRAWAL  # a person set the mode (withdrawing a proposal)
    UNFREEZE = "unfreeze", Kind.UNFREEZE  # a curator unfroze the step


@dataclass(frozen=True)
class Transition:
    kind: Kind
    rule: TransitionRule
    week_start: date
    from_mode: str
    to_mode: str | None = None
    counter: str = ""  # the counter that tripped, e.g. "FAIL 2 of last 4 weeks"
    figures: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in self.rule.kinds:
            raise ValueError(f"rule {self.rule} makes no {self.kind} (only {', '.join(sorted(self.rule.kinds))})")

    @property
    def changes_mode(self) -> bool:
        return self.to_mode is not None and self.to_mode != self.from_mode


def _window_start(state: StepState, current: date, n: int) -> date:
    """Where the step's last `n` evaluated weeks begin (`current` among them): weeks after
    the returned date are in the window. Windows count evaluated weeks, not calendar
    weeks, so weeks while the playbook was paused neither widen nor narrow them."""
    weeks = sorted({v.week_start for v in state.verdicts} | {current})
    return weeks[-n - 1] if len(weeks) > n else date.min


def _figures(week: WeekVerdict, t: Thresholds) -> dict[str, Any]:
    n = week.numbers
    return {
        "outcome": week.outcome,
        "cases": n.cases,
        "exceptions": n.exceptions,
        "ratio": n.ratio,
        "rubric": n.rubric,
        "cap": t.exception_cap,
        "threshold": t.rubric_threshold,
        "floor": t.rubric_floor,
        "min_cases": t.min_cases,
        "critical_multiplier": t.critical_multiplier,
    } | ({"dimensions": n.dimensions, "reviewed": n.reviewed} if n.dimensions else {})


def _week_figures(week: WeekVerdict, t: Thresholds) -> dict[str, Any]:
    return {"week": week.week_start.isoformat(), **_figures(week, t)}


def evaluate(
    step: StepState, week: WeekVerdict, t: Thresholds, guardrail_breached: bool = False
) -> tuple[list[Transition], StepState]:
    """The transitions a newly closed week causes, and the step's state after them.
    A week whose guardrail was BREACHED counts as a non-PASS week for the promotion
    streak, whatever the step's verdict, and withdraws an open proposal.

    Evaluating a week the state already holds changes nothing."""
    if step.verdicts and step.verdicts[-1].week_start >= week.week_start:  # oldest first
        return [], step
    state = step._replace(verdicts=(*step.verdicts, week))
    transitions: list[Transition] = []
    figures = _figures(week, t)

    if week.outcome == FAIL and state.open_proposal:
        transitions.append(
            Transition(
                Kind.WITHDRAWAL,
                TransitionRule.FAIL_WITHDRAWS,
                week.week_start,
                state.mode,
                counter="a FAIL week withdraws an open proposal",
                figures=figures,
            )
        )
        state = state._replace(open_proposal=False)
    if guardrail_breached:
        if state.open_proposal:
            transitions.append(
                Transition(
                    Kind.WITHDRAWAL,
                    TransitionRule.GUARDRAIL,
                    week.week_start,
                    state.mode,
                    counter="the guardrail was BREACHED",
                    figures=figures,
                )
            )
        state = state._replace(open_proposal=False, streak_reset=week.week_start)

    demotion = _demotion(state, week, t, figures)
    if demotion is not None:
        transitions.append(demotion)
        state = _changed(state, demotion)
        freeze = _freeze(state, week.week_start, t)
        if freeze is not None:
            transitions.append(freeze)
            state = state._replace(frozen=True)
        return transitions, state

    if state.mode == "ai-led" and week.outcome == MISSING:
        missing = state.trailing(MISSING)
        if missing == t.unobserved_warn_weeks and missing < t.unobserved_demote_weeks:
            transitions.append(
                Transition(
                    Kind.WARNING,
                    TransitionRule.UNOBSERVED,
                    week.week_start,
                    state.mode,
                    counter=f"MISSING {missing} weeks in a row",
                    figures={**figures, "missing_weeks": missing, "demote_after": t.unobserved_demote_weeks},
                )
            )

    proposal = _proposal(state, week, t, figures)
    if proposal is not None:
        transitions.append(proposal)
        state = state._replace(open_proposal=True)
    return transitions, state


def _demotion(state: StepState, week: WeekVerdict, t: Thresholds, figures: dict[str, Any]) -> Transition | None:
    lower = demoted(state.mode)
    if lower is None:
        return None  # human-led is the floor
    critical = critical_demotion(week, t) if week.outcome == FAIL else None
    if critical is not None:
        rule, counter, extra = critical
        return Transition(
            Kind.DEMOTION, rule, week.week_start, state.mode, lower, counter, {**figures, "rule": rule, **extra}
        )
    window_start = _window_start(state, week.week_start, t.demote_window_weeks)
    recent = [v for v in state.since_change() if v.week_start > window_start]
    fails = sum(1 for v in recent if v.outcome == FAIL)
    if week.outcome == FAIL and fails >= t.demote_after_fails:
        return Transition(
            Kind.DEMOTION,
            TransitionRule.FAILS,
            week.week_start,
            state.mode,
            lower,
            counter=f"FAIL {fails} of last {t.demote_window_weeks} weeks",
            figures={
                **figures,
                "fails": fails,
                "window": t.demote_window_weeks,
                "fail_weeks": [_week_figures(v, t) for v in recent if v.outcome == FAIL],
            },
        )
    if state.mode == "ai-led" and week.outcome == MISSING:
        missing = state.trailing(MISSING)
        if missing >= t.unobserved_demote_weeks:
            missed = [v.week_start.isoformat() for v in state.since_change()[-missing:]]
            return Transition(
                Kind.DEMOTION,
                TransitionRule.UNOBSERVED,
                week.week_start,
                state.mode,
                "collaborative",
                counter=f"MISSING {missing} weeks in a row",
                figures={**figures, "missing_weeks": missing, "missed": missed},
            )
    return None


def critical_demotion(week: WeekVerdict, t: Thresholds) -> tuple[TransitionRule, str, dict[str, Any]] | None:
    """A FAIL week that demotes at once: over critical_multiplier x the cap (`critical`),
    or else clearly over the cap, its 95% Wilson interval's lower bound above it (`over-cap`)."""
    n = week.numbers
    if n.ratio is not None and n.ratio > t.critical_multiplier * t.exception_cap:
        return TransitionRule.CRITICAL, f"exceptions over {t.critical_multiplier:g} × cap in one week", {}
    over = _clearly_over_cap(n.exceptions, n.cases, t.exception_cap, t.min_cases)
    if over is None:
        return None
    ci = f"95% CI {over.low * 100:.1f}-{over.high * 100:.1f}% > cap {t.exception_cap * 100:g}%"
    counter = f"exceptions clearly over the cap in one week ({ci})"
    return TransitionRule.OVER_CAP, counter, {"ci_low": over.low, "ci_high": over.high}


def _proposal(state: StepState, week: WeekVerdict, t: Thresholds, figures: dict[str, Any]) -> Transition | None:
    higher = promoted(state.mode)
    if higher is None or state.pinned or state.frozen or state.open_proposal or week.outcome != PASS:
        return None
    if above(higher, state.ceiling):
        return None  # a second pilot, not a copy: cadence.judgement.pilot_ceiling
    streak = state.trailing(PASS, after=state.streak_reset)
    if streak < t.promote_after_weeks:
        return None
    cooldown_start = _window_start(state, week.week_start, t.cooldown_weeks)
    if any(d > cooldown_start for d in state.demotions):
        return None
    passes = [v for v in state.since_change()][-streak:]
    return Transition(
        Kind.PROPOSAL,
        TransitionRule.STREAK,
        week.week_start,
        state.mode,
        higher,
        counter=f"PASS {streak} weeks in a row",
        figures={**figures, "streak": streak, "pass_weeks": [_week_figures(v, t) for v in passes]},
    )


def _changed(state: StepState, transition: Transition) -> StepState:
    demotions = state.demotions + ((transition.week_start,) if transition.kind is Kind.DEMOTION else ())
    return state._replace(
        mode=transition.to_mode or state.mode,
        changes=(*state.changes, transition.week_start),
        demotions=demotions,
        open_proposal=False,
    )


def _freeze(state: StepState, week_start: date, t: Thresholds) -> Transition | None:
    if state.frozen:
        return None
    window_start = _window_start(state, week_start, t.freeze_window_weeks)
    changes = [c for c in state.changes if c > window_start]
    if len(changes) >= t.freeze_after_changes:
        return Transition(
            Kind.FREEZE,
            TransitionRule.FREEZE,
            week_start,
            state.mode,
            counter=f"{len(changes)} mode changes in {t.freeze_window_weeks} weeks",
            figures={
                "changes": len(changes),
                "window": t.freeze_window_weeks,
                "change_weeks": [c.isoformat() for c in changes],
            },
        )
    return None


def approve(state: StepState, week_start: date, t: Thresholds) -> tuple[list[Transition], StepState]:
    """An owner or curator approves the open proposal: one level up, maybe a freeze."""
    higher = promoted(state.mode)
    if higher is None or not state.open_proposal:
        return [], state
    promotion = Transition(Kind.PROMOTION, TransitionRule.APPROVAL, week_start, state.mode, higher)
    state = _changed(state, promotion)
    transitions = [promotion]
    freeze = _freeze(state, week_start, t)
    if freeze is not None:
        transitions.append(freeze)
        state = state._replace(frozen=True)
    return transitions, state


def reject(state: StepState, week_start: date) -> StepState:
    """A rejected proposal closes, and the PASS streak starts over."""
    return state._replace(open_proposal=False, streak_reset=week_start)


def override(state: StepState, mode: str, week_start: date, t: Thresholds) -> tuple[list[Transition], StepState]:
    """A person sets the mode (any level, with a reason recorded by the caller)."""
    if mode == state.mode:
        return [], state
    transitions = []
    if state.open_proposal:
        transitions.append(
            Transition(
                Kind.WITHDRAWAL, TransitionRule.OVERRIDE, week_start, state.mode, counter="the mode was set by hand"
            )
        )
    change = Transition(Kind.OVERRIDE, TransitionRule.OVERRIDE, week_start, state.mode, mode)
    transitions.append(change)
    state = _changed(state, change)
    if LEVELS.index(mode) < LEVELS.index(change.from_mode):
        state = state._replace(demotions=(*state.demotions, week_start))
    freeze = _freeze(state, week_start, t)
    if freeze is not None:
        transitions.append(freeze)
        state = state._replace(frozen=True)
    return transitions, state


@dataclass(frozen=True)
class CycleResult:
    cycle: int
    kpi_weeks: int  # weeks of the cycle with a KPI value
    mean: float | None
    target: float
    direction: str
    hit: bool
    weeks_met: int = 0  # weeks whose KPI met the target (unknown, 0, for results older than the count)
    met: tuple[bool | None, ...] = ()  # week by week: met, missed, or no value
    breached: bool = False  # a week of the cycle breached the guardrail: no hit, whatever the KPI
    interrupted: bool = False  # paused or retired before its fourth week: never a hit


def cycle_result(
    cycle: int,
    weekly_kpi: list[float | None],
    target: float,
    direction: str,
    t: Thresholds,
    guardrail_breached: bool = False,
    interrupted: bool = False,
) -> CycleResult:
    """Scale rule: a cycle hits target when at least `scale_min_kpi_weeks` (3) of its 4 weeks
    each have a KPI value that meets the target (lower is better for direction 'down').
    Week by week, so one outlier week cannot carry a cycle as it would carry a mean."""
    values = [v for v in weekly_kpi if v is not None]
    mean = sum(values) / len(values) if values else None
    met = tuple(None if v is None else meets_target(v, target, direction) for v in weekly_kpi)
    weeks_met = sum(1 for m in met if m)
    hit = weeks_met >= t.scale_min_kpi_weeks and not guardrail_breached and not interrupted
    return CycleResult(
        cycle, len(values), mean, target, direction, hit, weeks_met, met, guardrail_breached, interrupted
    )


HOLDS, BREACHED = "HOLDS", "BREACHED"


def guardrail_state(value: float | None, minimum: float | None, maximum: float | None) -> str:
    """A closed week's guardrail: MISSING without a report, BREACHED past its bound, else HOLDS."""
    if value is None:
        return MISSING
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        return BREACHED
    return HOLDS


def guardrail_demotion(
    state: StepState, week_start: date, breaches: int, figures: dict[str, Any] | None = None
) -> Transition | None:
    """Two BREACHED weeks in a row take an AI-led step back to collaborative."""
    if state.mode != "ai-led" or breaches < 2:
        return None
    counter, figures = f"guardrail BREACHED {breaches} weeks in a row", {**(figures or {}), "breaches": breaches}
    return Transition(Kind.DEMOTION, TransitionRule.GUARDRAIL, week_start, "ai-led", "collaborative", counter, figures)


def ready_to_scale(results: list[CycleResult], t: Thresholds) -> bool:
    """The last `scale_after_cycles` cycles (counted since the last publish or scale
    proposal, which the caller passes) all hit target."""
    recent = results[-t.scale_after_cycles :]
    return len(recent) == t.scale_after_cycles and all(r.hit for r in recent)
