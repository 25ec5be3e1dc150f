"""Usage cohorts (docs/usage-records.md, "Usage cohorts"; issue 111): like DX's none /
light / moderate / heavy, each team-week is put in a cohort by how its people used the AI
tools, and the KPI's movement is compared across the cohorts, with intervals, only where
each cohort compared has enough teams.

A team-week's cohort, from its counts (cadence/usage.py, `TeamWeek`: team figures, never a
person's), by the share of its people active and their active days per active person:

- `none`: no one in the team used the tool that week;
- `heavy`: at least three in four of its people (MOST_ACTIVE) used it, on at least 3 days
  of the week each on average (HEAVY_DAYS): most of the team, most working days;
- `light`: fewer than half of its people (HALF_ACTIVE) used it, or those who did on fewer
  than 2 days each on average (LIGHT_DAYS): a few people, or a try now and then;
- `moderate`: the rest (half or more active, 2 days or more each, short of heavy).

A team that counted fewer people than its anonymity floor (`pulse_min_answers`, the
pulse's) is put in no cohort: its figures would be a handful of people's. A team-week of
several tools is in the heaviest of its tools' cohorts (a team that works in one tool
every day is a heavy user whatever it left unopened).

The comparison: for each cohort, its teams (one team-week each: a playbook's) and the
median of their KPI movement with a 95% interval. The interval is scipy's distribution-free
one for a median (`scipy.stats.quantile_test`'s, from the order statistics: no shape of
the movements assumed, the same interval however often the digest is rendered), which
exists from 6 values on (of 5, the widest, min to max, covers 93.75% only): so MIN_TEAMS.
A cohort with fewer teams shows its count only; the comparison is shown when at least two
cohorts have MIN_TEAMS teams each, else it says why not.

Plain data in, plain data out; scipy imported when first needed (cadence/judgement.py's note)."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from cadence.figures import progress_to_target
from cadence.judgement import CONFIDENCE, Interval
from cadence.usage import TeamWeek

NONE, LIGHT, MODERATE, HEAVY = "none", "light", "moderate", "heavy"
COHORTS = (HEAVY, MODERATE, LIGHT, NONE)  # heaviest first, as the digest lists them

HALF_ACTIVE = 0.5  # fewer than half of the team's people active: light
MOST_ACTIVE = 0.75  # three in four or more active (and HEAVY_DAYS): heavy
LIGHT_DAYS = 2.0  # fewer active days a week per active person than this: light
HEAVY_DAYS = 3.0  # this many or more (and MOST_ACTIVE): heavy
MIN_TEAMS = 6  # a cohort's teams for its median and interval to be shown: the fewest whose 95% interval exists
TOO_FEW_TEAMS = "too few teams in each to compare"


def cohort(week: TeamWeek) -> str:
    """A team's week of one tool, by the share of its people active and their active days
    per active person (the module's note); no floor applied: `team_cohort` applies it."""
    if week.active == 0 or week.people == 0:
        return NONE
    share, days = week.active / week.people, week.active_days / week.active
    if share < HALF_ACTIVE or days < LIGHT_DAYS:
        return LIGHT
    if share >= MOST_ACTIVE and days >= HEAVY_DAYS:
        return HEAVY
    return MODERATE


def team_cohort(weeks: Sequence[TeamWeek], floor: int) -> str | None:
    """A team-week's cohort from its tools' counts: the heaviest of them; None without
    counts, or for a team that counted fewer than `floor` people (pulse_min_answers)."""
    if not weeks or max(w.people for w in weeks) < floor:
        return None
    return min((cohort(w) for w in weeks), key=COHORTS.index)


def counted(
    kept: Mapping[tuple[str, str, date], TeamWeek],
    through: Mapping[str, date | None],
    tools: Iterable[str],
    channel: str,
    week: date,
) -> list[TeamWeek] | None:
    """The team's counts of `week` (its Monday) of each tool a usage source covers (`tools`),
    or None, its usage unknown, where a tool's week is not kept or its source is not pulled
    through the week's Sunday (`through`, each tool's last day pulled whole): a gap is
    never a 0, nor a week counted short its lighter cohort."""
    sunday, found = week + timedelta(days=6), []
    for tool in sorted(tools):
        row = kept.get((channel, tool, week))
        if row is None or (through.get(tool) or date.min) < sunday:
            return None
        found.append(row)
    return found or None


def movement(kpi: float | None, baseline: float, target: float) -> float | None:
    """A team's KPI movement in a week, as the digest shows each playbook's
    (cadence.digest.PlaybookDigest.progress): its KPI's share of the way from the
    baseline to the target (cadence.figures.progress_to_target: 0 at the baseline, 1 at
    the target, negative the wrong way), so the direction the KPI wants is up for every
    team, whatever its unit. None without a KPI that week, or with no way to go."""
    return None if kpi is None or target == baseline else progress_to_target(kpi, baseline, target)


def median_interval(values: Sequence[float]) -> Interval | None:
    """The 95% distribution-free interval of the median of `values` (scipy.stats.quantile_test,
    from their order statistics); None where too few values give one (below MIN_TEAMS)."""
    from scipy.stats import quantile_test  # imported when first needed: see the module's note

    if len(values) < MIN_TEAMS:
        return None
    ci = quantile_test(values, q=statistics.median(values), p=0.5).confidence_interval(confidence_level=CONFIDENCE)
    return Interval(float(ci.low), float(ci.high))


@dataclass(frozen=True)
class CohortMovement:
    """A cohort's teams and, where it has MIN_TEAMS of them, their median KPI movement and
    its interval (None: too few teams to show one)."""

    cohort: str
    teams: int
    median: float | None = None
    interval: Interval | None = None

    @property
    def shown(self) -> bool:
        return self.median is not None


@dataclass(frozen=True)
class Comparison:
    """The KPI's movement across the cohorts, heaviest first; `left_out`, the teams put in
    no cohort (under the floor, or their usage unknown)."""

    cohorts: tuple[CohortMovement, ...]
    left_out: int = 0

    @property
    def compared(self) -> bool:
        """At least two cohorts with MIN_TEAMS teams each: else no movement is shown."""
        return sum(1 for c in self.cohorts if c.shown) >= 2

    @property
    def why_not(self) -> str | None:
        return None if self.compared else TOO_FEW_TEAMS


def compare(movements: Iterable[tuple[str | None, float | None]]) -> Comparison:
    """Each team's (cohort, KPI movement) compared: a team without a cohort or a movement is
    left out; a cohort's median and interval shown from MIN_TEAMS teams, and only where
    another cohort has as many (a single cohort compares with nothing)."""
    by_cohort: dict[str, list[float]] = {name: [] for name in COHORTS}
    left_out = 0
    for name, moved in movements:
        if name is None or moved is None:
            left_out += 1
        else:
            by_cohort[name].append(moved)
    enough = sum(1 for values in by_cohort.values() if len(values) >= MIN_TEAMS) >= 2
    return Comparison(tuple(_movement(name, by_cohort[name], enough) for name in COHORTS), left_out)


def _movement(name: str, values: list[float], shown: bool) -> CohortMovement:
    if not shown or len(values) < MIN_TEAMS:
        return CohortMovement(name, len(values))
    return CohortMovement(name, len(values), statistics.median(values), median_interval(values))
