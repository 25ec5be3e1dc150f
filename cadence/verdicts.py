"""A closed week's verdict of a step (docs/usage.md, "How steps gain and lose autonomy").

The week's numbers (`WeekNumbers`), every threshold the rules use (`Thresholds`, from a
playbook's settings) and the five verdict rules (`judge_with_rule`), each verdict named by
the rule that gave it (`VerdictRule`). What the verdicts then cause, the transitions, is
cadence/rules.py's."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import NamedTuple

from cadence.definition_rules import RuleSettings
from cadence.judgement import CLASSIC, CONFIDENT, Evidence, confident_rule

PASS, FAIL, INCONCLUSIVE, MISSING = "PASS", "FAIL", "INCONCLUSIVE", "MISSING"


@dataclass(frozen=True)
class Thresholds:
    """Every number the rules use, from a playbook's settings (`of`): their schema,
    cadence.definition_rules.RuleSettings, is the one place the defaults are stated."""

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
        return _confident_verdict(numbers, numbers.cases, mode, t, pooled)
    return _classic_verdict(numbers, mode, t)


def _confident_verdict(
    numbers: WeekNumbers, cases: int, mode: str, t: Thresholds, pooled: Evidence | None
) -> tuple[str, VerdictRule]:
    """Rules 3 to 5 under `judgement: confident`, by the 95% intervals' bounds (cadence.judgement.confident_rule)."""
    bounds = (mode == "ai-led", t.exception_cap, t.rubric_threshold, t.rubric_floor, pooled, numbers.reviewed)
    rule = VerdictRule(confident_rule(cases, numbers.exceptions, numbers.rubric, *bounds))
    return (FAIL if rule.startswith("3") else PASS if rule.startswith("4") else INCONCLUSIVE), rule


def _classic_verdict(numbers: WeekNumbers, mode: str, t: Thresholds) -> tuple[str, VerdictRule]:
    """Rules 3 to 5 as written: the week's ratio against the cap, its rubric against the floor and threshold."""
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
