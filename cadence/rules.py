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

from datetime import date
from typing import Any, NamedTuple

from cadence.definition import MODES
from cadence.judgement import CONFIDENT, EVIDENCE_WEEKS, Evidence, above, evidence
from cadence.judgement import clearly_over_cap as _clearly_over_cap
from cadence.recovery import BACK_TO, HUMAN_LED, to_review
from cadence.transitions import Kind as Kind
from cadence.transitions import Transition as Transition
from cadence.transitions import TransitionRule as TransitionRule
from cadence.verdicts import FAIL, MISSING, PASS, WeekNumbers, WeekVerdict

# Importable from here too while work on issue 93 that reads them from here is in flight
# (their home is cadence/verdicts.py).
from cadence.verdicts import Thresholds as Thresholds
from cadence.verdicts import judge_with_rule as judge_with_rule

LEVELS = MODES  # the modes in order of the AI's autonomy


def promoted(mode: str) -> str | None:
    """One level up, or None at the top: promotions move one level at a time."""
    index = LEVELS.index(mode)
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else None


def demoted(mode: str) -> str | None:
    """One level down, or None at the bottom."""
    index = LEVELS.index(mode)
    return LEVELS[index - 1] if index > 0 else None


def pooled(numbers: WeekNumbers, t: Thresholds, before: StepState, leave_out: tuple[date, ...] = ()) -> Evidence | None:
    """What a confident PASS is judged on: this week's cases pooled with the step's last weeks since its mode
    changed (StepState.evidence, less `leave_out`: a small weeks' pool holds them); None under `classic`."""
    return evidence([numbers, *before.evidence(leave_out)]) if t.judgement == CONFIDENT else None


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
    recover_after: int | None = None  # its `demote_to: human-led`'s PASS weeks back (None: declares none)
    review_since: date | None = None  # the week such a demotion took it to human-led, its last mode change

    @property
    def recovering(self) -> bool:
        """Human-led by a `demote_to` demotion, its way back declared (cadence/recovery.py)."""
        return self.mode == HUMAN_LED and self.review_since is not None and self.recover_after is not None

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
    figures = _figures(week, t)
    transitions, state = _withdrawals(state, week, figures, guardrail_breached)

    demotion = to_review(_demotion(state, week, t, figures), state.recover_after)
    if demotion is not None:
        transitions.append(demotion)
        state = _changed(state, demotion)
        freeze = _freeze(state, week.week_start, t)
        if freeze is not None:
            transitions.append(freeze)
            state = state._replace(frozen=True)
        return transitions, state

    warning = _unobserved_warning(state, week, t, figures)
    if warning is not None:
        transitions.append(warning)
    if state.recovering:  # its way back is the recovery, not a proposal
        return _recovered(state, week, t, figures, transitions)

    proposal = _proposal(state, week, t, figures)
    if proposal is not None:
        transitions.append(proposal)
        state = state._replace(open_proposal=True)
    return transitions, state


def _withdrawals(
    state: StepState, week: WeekVerdict, figures: dict[str, Any], guardrail_breached: bool
) -> tuple[list[Transition], StepState]:
    """An open proposal withdrawn by a FAIL week or a BREACHED guardrail, and the state after:
    a breach restarts the PASS streak."""
    transitions: list[Transition] = []
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
    return transitions, state


def _unobserved_warning(
    state: StepState, week: WeekVerdict, t: Thresholds, figures: dict[str, Any]
) -> Transition | None:
    """An ai-led step MISSING as many weeks in a row as warn, fewer than demote: a warning."""
    if state.mode != "ai-led" or week.outcome != MISSING:
        return None
    missing = state.trailing(MISSING)
    if missing != t.unobserved_warn_weeks or missing >= t.unobserved_demote_weeks:
        return None
    return Transition(
        Kind.WARNING,
        TransitionRule.UNOBSERVED,
        week.week_start,
        state.mode,
        counter=f"MISSING {missing} weeks in a row",
        figures={**figures, "missing_weeks": missing, "demote_after": t.unobserved_demote_weeks},
    )


def _demotion(state: StepState, week: WeekVerdict, t: Thresholds, figures: dict[str, Any]) -> Transition | None:
    lower = demoted(state.mode)
    if lower is None:
        return None  # human-led is the floor
    critical = critical_demotion(week, t) if week.outcome == FAIL else None
    if critical is None and state.mode == "ai-led":
        critical = clearly_over_whatever_min_cases(week, t)
    if critical is not None:
        rule, counter, extra = critical
        return Transition(
            Kind.DEMOTION, rule, week.week_start, state.mode, lower, counter, {**figures, "rule": rule, **extra}
        )
    fails = _fails_demotion(state, week, t, figures, lower)
    return fails if fails is not None else _unobserved_demotion(state, week, t, figures)


def _fails_demotion(
    state: StepState, week: WeekVerdict, t: Thresholds, figures: dict[str, Any], lower: str
) -> Transition | None:
    """A FAIL week that makes demote_after_fails FAILs within the window since the last change."""
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
    return None


def _unobserved_demotion(
    state: StepState, week: WeekVerdict, t: Thresholds, figures: dict[str, Any]
) -> Transition | None:
    """An ai-led step MISSING unobserved_demote_weeks in a row goes to collaborative."""
    if state.mode != "ai-led" or week.outcome != MISSING:
        return None
    missing = state.trailing(MISSING)
    if missing < t.unobserved_demote_weeks:
        return None
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


def clearly_over_whatever_min_cases(
    week: WeekVerdict, t: Thresholds
) -> tuple[TransitionRule, str, dict[str, Any]] | None:
    """An ai-led step's week clearly over the cap (its 95% Wilson lower bound above it)
    whatever its verdict and `min_cases` say: demotion cannot be switched off by a
    `min_cases` no week reaches (docs/judgement.md, "The invariants"). The interval says
    how sure on its own sample: 3 of 3 is clearly over a 10% cap, 1 of 3 is not."""
    n = week.numbers
    over = _clearly_over_cap(n.exceptions, n.cases, t.exception_cap, 1) if n.cases else None
    if over is None:
        return None
    ci = f"95% CI {over.low * 100:.1f}-{over.high * 100:.1f}% > cap {t.exception_cap * 100:g}%"
    counter = f"exceptions clearly over the cap in one week ({ci}), whatever min_cases {t.min_cases} says"
    return TransitionRule.OVER_CAP, counter, {"ci_low": over.low, "ci_high": over.high}


def _proposal(state: StepState, week: WeekVerdict, t: Thresholds, figures: dict[str, Any]) -> Transition | None:
    higher = _open_to_promotion(state, week)
    if higher is None:
        return None
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


def _recovered(
    state: StepState, week: WeekVerdict, t: Thresholds, figures: dict[str, Any], transitions: list[Transition]
) -> tuple[list[Transition], StepState]:
    """A recovering step back to collaborative after `recover_after` PASS weeks in a row
    under human-led review (a frozen or pinned step, or one at its pilot's ceiling, waits)."""
    streak = state.trailing(PASS, after=state.streak_reset)
    needed = state.recover_after or 0
    if week.outcome != PASS or streak < needed or state.frozen or state.pinned or above(BACK_TO, state.ceiling):
        return transitions, state
    passes = state.since_change()[-streak:]
    recovery = Transition(
        Kind.PROMOTION,
        TransitionRule.RECOVERY,
        week.week_start,
        state.mode,
        BACK_TO,
        counter=f"PASS {streak} weeks in a row under human-led review",
        figures={
            **figures,
            "streak": streak,
            "recover_after": needed,
            "pass_weeks": [_week_figures(v, t) for v in passes],
        },
    )
    state = _changed(state, recovery)
    freeze = _freeze(state, week.week_start, t)
    if freeze is not None:
        state = state._replace(frozen=True)
    return [*transitions, recovery, *([freeze] if freeze is not None else [])], state


def _open_to_promotion(state: StepState, week: WeekVerdict) -> str | None:
    """The mode a PASS week may propose the step to: none for a pinned, frozen or top step,
    one with a proposal open, or one at its pilot's ceiling."""
    higher = promoted(state.mode)
    if higher is None or state.pinned or state.frozen or state.open_proposal or week.outcome != PASS:
        return None
    if above(higher, state.ceiling):
        return None  # a second pilot, not a copy: cadence.judgement.pilot_ceiling
    return higher


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
