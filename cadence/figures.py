"""A week's numbers for one playbook, as plain data, and what they mean against the
playbook's baseline, target and caps."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class StepWeek:
    name: str
    mode: str
    pinned: bool
    cases: int | None  # None: no case count reported this week
    exceptions: int  # logged by the owner
    deviations: int  # members who attested a deviation on this step
    rubric: float | None
    reviewed: int | None = None  # the rubric's sample (`18/20`); None: every case reviewed (a bare score)
    asked: int | None = None  # the cases its mode's review rate asks to review (cadence/review.py)
    dimensions: str | None = None  # the review's counts per rubric dimension (cadence/dimensions.py)
    review_minutes: float | None = None  # the week form's minutes spent reviewing (net value); None: none typed

    @property
    def sample_too_small(self) -> bool:
        """A review whose sample is below what its review rate asks."""
        return (
            self.rubric is not None
            and self.reviewed is not None
            and self.asked is not None
            and self.reviewed < self.asked
        )

    @property
    def counted_rubric(self) -> float | None:
        """The rubric score the verdict and output accuracy count: none for a sample too small."""
        return None if self.sample_too_small else self.rubric

    @property
    def total_exceptions(self) -> int:
        """A member's deviation counts as one exception for its step."""
        return self.exceptions + self.deviations

    @property
    def exception_ratio(self) -> float | None:
        if not self.cases:
            return None
        return self.total_exceptions / self.cases


@dataclass(frozen=True)
class Attestation:
    user_id: str
    attestation: str  # followed | deviated
    step: str | None
    note: str | None


# How far a week's KPI reports are counted: status says "latest of 3 reports", and past
# this "latest of more than 100", so reading a busy week costs the same as a quiet one.
REPORTS_COUNTED_UP_TO = 100


@dataclass(frozen=True)
class WeekFigures:
    week_start: date
    kpi: float | None  # the latest report for the week
    kpi_reports: int  # how many reports the week has, up to REPORTS_COUNTED_UP_TO + 1
    steps: list[StepWeek] = field(default_factory=list)
    guardrail: float | None = None  # the latest guardrail report for the week, if the playbook has one
    attestations: list[Attestation] = field(default_factory=list)
    kpi_by: str | None = None  # who reported the KPI that counts: a user id, token:<name> or source:<name>
    rest: float | None = None  # the rest's KPI that counts, for a KPI with `compare` (cadence/compare.py)

    @property
    def followed(self) -> int:
        return sum(1 for a in self.attestations if a.attestation == "followed")

    @property
    def deviated(self) -> int:
        return sum(1 for a in self.attestations if a.attestation == "deviated")


def progress_to_target(value: float, baseline: float, target: float) -> float:
    """How far `value` has moved from the baseline towards the target: 0 at the baseline,
    1 at the target, above 1 beyond it, negative when it went the wrong way. Works for
    both directions because the target sits on the better side of the baseline."""
    return (value - baseline) / (target - baseline)


def meets_target(value: float, target: float, direction: str) -> bool:
    return value <= target if direction == "down" else value >= target


SPARK_BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[float | None]) -> str:
    """Unicode blocks scaled between the series' min and max; a missing week is '·'."""
    known = [v for v in values if v is not None]
    if not known:
        return "·" * len(values)
    low, high = min(known), max(known)
    span = high - low
    marks = []
    for value in values:
        if value is None:
            marks.append("·")
        elif span == 0:
            marks.append(SPARK_BLOCKS[len(SPARK_BLOCKS) // 2])
        else:
            marks.append(SPARK_BLOCKS[round((value - low) / span * (len(SPARK_BLOCKS) - 1))])
    return "".join(marks)
