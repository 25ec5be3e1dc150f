"""The words of a week's verdict and the evidence it stands on: exception ratios and rubric
scores with their samples and 95% intervals, why a week was inconclusive, small weeks
pooled, a KPI's change from its baseline. The close, status, the digest and the pages say
them alike; the templates reach them as filters (`FILTERS`, registered in
templates/__init__.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cadence import dimensions
from cadence.figures import StepWeek
from cadence.judgement import Evidence, Interval, KpiChange, ratio_interval, rubric_interval
from cadence.rules import TransitionRule
from cadence.verdicts import Thresholds, VerdictRule
from templates.numbers import MINUS, plural
from templates.numbers import pct as _pct
from templates.numbers import percent as _percent
from templates.pool_words import bar_moved


def _exceptions_phrase(f: dict[str, Any]) -> str:
    """'exceptions 5/20 = 25% > 2 × cap 10%': the numbers a verdict or alert stands on."""
    if f.get("cases") is None:
        return "no case count reported"
    if not f["cases"]:
        return f"{f['exceptions']} exceptions on 0 cases"
    ratio, cap = f["exceptions"] / f["cases"], f["cap"]
    critical = f.get("critical_multiplier", 2) * cap
    if ratio > critical and f.get("rule") == TransitionRule.CRITICAL:
        comparison = f"> {f.get('critical_multiplier', 2):g} × cap {_pct(cap)}"
    else:
        comparison = f"{'>' if ratio > cap else '≤'} cap {_pct(cap)}"
    return f"exceptions {f['exceptions']}/{f['cases']} = {_pct(ratio)} {comparison}"


def _rubric_phrase(f: dict[str, Any]) -> str:
    rubric = f.get("rubric")
    if rubric is None:
        return "no rubric score"
    # by dimension: "rubric accuracy 17/20 = 85%, lowest of 3, < threshold 90%"
    said = f"rubric {dimensions.words(f.get('dimensions'), f.get('reviewed')) or _pct(rubric)}"
    said += "," if f.get("dimensions") and f.get("reviewed") else ""
    if rubric < f["floor"]:
        return f"{said} < floor {_pct(f['floor'])}"
    if rubric >= f["threshold"]:
        return f"{said} ≥ {_pct(f['threshold'])}"
    return f"{said} < threshold {_pct(f['threshold'])}"


def _verdict_phrase(f: dict[str, Any]) -> str:
    """Why a week got its verdict, in numbers."""
    if f.get("cases") is None:
        return "no case count reported"
    if f["cases"] < f.get("min_cases", 0):
        return f"{f['cases']} cases < {f['min_cases']} needed to judge"
    return f"{_exceptions_phrase(f)}, {_rubric_phrase(f)}"


def _ci(interval: Interval | None) -> str:
    """A 95% interval as the bot shows it: "95% CI 4–38%"."""
    return "" if interval is None else f"95% CI {interval.low * 100:.0f}–{interval.high * 100:.0f}%"


def _ratio_ci(s: StepWeek) -> str:
    """A step's week's exception ratio's interval: "95% CI 4–38%" ("" without cases)."""
    return _ci(ratio_interval(s.total_exceptions, s.cases))


def rubric_sample(s: StepWeek) -> str:
    """What a step's week's rubric score was judged on: "18 of 20 reviewed", "every case
    reviewed" (a bare score), "sample too small (2 of the 4 asked)"; "" without a score."""
    if s.rubric is None:
        return ""
    if s.sample_too_small:
        return f"sample too small ({s.reviewed} of the {s.asked} asked)"
    return dimensions.words(s.dimensions, s.reviewed) or sample_words(s.rubric, s.reviewed)


def sample_words(rubric: float, reviewed: int | None) -> str:
    """ "18 of 20 reviewed" for a score of a sample, "every case reviewed" for a bare score."""
    return "every case reviewed" if reviewed is None else f"{round(rubric * reviewed)} of {reviewed} reviewed"


def _rubric_ci(s: StepWeek) -> str:
    """A step's week's rubric score's sample and interval, on the cases reviewed: "18 of 20
    reviewed, 95% CI 70–97%"; a sample too small says it counts as no rubric score."""
    sample = rubric_sample(s)
    if s.sample_too_small:
        return f"{sample}: counts as no rubric score"
    return ", ".join(part for part in (sample, _ci(rubric_interval(s.rubric, s.cases, s.reviewed))) if part)


def ratio_with_ci(exceptions: int | None, cases: int | None, cap: float | None = None) -> str:
    """An exception ratio with its cases and 95% Wilson interval, as every surface shows
    it: "2 of 15 = 13% (95% CI 4–38%, cap 10%)"; "" without cases."""
    interval = ratio_interval(exceptions or 0, cases)
    if interval is None or not cases:
        return ""
    limit = "" if cap is None else f", cap {_pct(cap)}"
    return f"{exceptions or 0} of {cases} = {_percent((exceptions or 0) / cases)} ({_ci(interval)}{limit})"


def rubric_with_ci(
    rubric: float | None, cases: int | None, threshold: float | None = None, reviewed: int | None = None
) -> str:
    """A rubric score with its sample and interval: "90% of 20 reviewed (95% CI 70–97%,
    threshold 90%)", a bare score "88% of 15 cases (every case reviewed, 95% CI 64–96%,
    threshold 90%)"; the score alone without a sample, "" without a score."""
    if rubric is None:
        return ""
    interval = rubric_interval(rubric, cases, reviewed)
    limit = "" if threshold is None else f", threshold {_pct(threshold)}"
    if interval is not None and reviewed:
        return f"{_percent(rubric)} of {reviewed} reviewed ({_ci(interval)}{limit})"
    if interval is None or not cases:
        return _pct(rubric)
    return f"{_percent(rubric)} of {plural(cases, 'case')} (every case reviewed, {_ci(interval)}{limit})"


def _delta(value: float) -> str:
    return f"{value:+.1f}".replace("-", MINUS)


def _kpi_change_phrase(k: KpiChange, unit: str) -> str:
    """ "−11.5 min from baseline, 95% CI −13.6 to −9.4", "within noise" when the interval
    includes zero; one weekly value has no interval."""
    if k.change is None:
        return "no KPI reported"
    said = f"{_delta(k.change)}{' ' + unit if unit else ''} from baseline"
    if k.interval is None:
        return f"{said} (one weekly value: no interval)"
    said += f", 95% CI {_delta(k.interval.low)} to {_delta(k.interval.high)}"
    return f"{said}: within noise" if k.within_noise else said


def inconclusive_reason(
    rule: str | None,
    cases: int | None,
    rubric: float | None,
    t: Thresholds,
    exceptions: int = 0,
    pooled: Evidence | None = None,
    reviewed: int | None = None,
    by_dimension: str | None = None,
) -> str:
    """Why a week was INCONCLUSIVE (cadence.rules.VerdictRule), for its close: "6 cases, fewer
    than the 10 needed", "rubric 85% is between the floor 80% and the threshold 90%", "no
    rubric score reported". A rule this does not know is named as it is, never worded as
    one it knows; a verdict kept before its rule was (None): "reason not recorded"."""
    if rule is None:
        return "reason not recorded"
    said = None
    if rule == VerdictRule.TOO_FEW_CASES:
        said = _too_few_words(cases, t)
    elif rule == VerdictRule.RUBRIC_BETWEEN and rubric is not None:
        said = _between_words(rubric, t, reviewed, by_dimension)
    elif rule == VerdictRule.NO_RUBRIC and rubric is None:
        said = "no rubric score reported"
    elif rule == VerdictRule.CONFIDENT_UNSURE:
        said = _unsure_words(cases, exceptions, rubric, reviewed, pooled, t)
    return said if said is not None else f"by rule {rule}"


def _too_few_words(cases: int | None, t: Thresholds) -> str | None:
    """Too few cases: how many of how many needed (none without a case count)."""
    if cases == 0:
        return "no cases"  # never within the cap
    if cases is not None:
        return f"{plural(cases, 'case')}, fewer than the {t.min_cases} needed"
    return None


def _unsure_words(
    cases: int | None,
    exceptions: int,
    rubric: float | None,
    reviewed: int | None,
    pooled: Evidence | None,
    t: Thresholds,
) -> str | None:
    """A confident judgement not sure yet: over the weeks pooled, or on its week's own cases (none without cases)."""
    if pooled is not None and pooled.weeks > 1:
        return _pooled_unsure_words(pooled, rubric, t)
    if cases:
        return _week_unsure_words(cases, exceptions, rubric, reviewed, t)
    return None


def _between_words(rubric: float, t: Thresholds, reviewed: int | None, by_dimension: str | None) -> str:
    """A rubric between the floor and the threshold: its score, or its lowest dimension's."""
    floor, threshold = _pct(t.rubric_floor), _pct(t.rubric_threshold)
    lowest = dimensions.words(by_dimension, reviewed)  # "accuracy 17/20 = 85%, lowest of 3"
    rubric_said = f"rubric {lowest}," if lowest else f"rubric {_pct(rubric)}"
    return f"{rubric_said} is between the floor {floor} and the threshold {threshold}"


def _pooled_unsure_words(pooled: Evidence, rubric: float | None, t: Thresholds) -> str:
    """A confident judgement not sure yet over the weeks pooled: their intervals against the bounds."""
    said = [f"exceptions {pooled.exceptions} of {pooled.cases}, {_ci(pooled.ratio)} (cap {_pct(t.exception_cap)})"]
    if rubric is not None:
        said.append(f"rubric {_ci(pooled.rubric)} (threshold {_pct(t.rubric_threshold)})")
    return f"not sure yet over the last {pooled.weeks} weeks: " + ", ".join(said)


def _week_unsure_words(cases: int, exceptions: int, rubric: float | None, reviewed: int | None, t: Thresholds) -> str:
    """A confident judgement with too few cases in its week alone: the week's intervals against the bounds."""
    said = [f"exceptions {_ci(ratio_interval(exceptions, cases))} (cap {_pct(t.exception_cap)})"]
    if rubric is not None:
        said.append(f"rubric {_ci(rubric_interval(rubric, cases, reviewed))} (threshold {_pct(t.rubric_threshold)})")
    return "too few cases to be sure: " + ", ".join(said)


def pool_phrase(pool: Mapping[str, Any], t: Thresholds) -> str:
    """Small weeks pooled (cadence.closing.pool_figures): "weeks 1–3 pooled: 8 of 27 = 30%
    (95% CI 16–48%)", or still short: "weeks 1–2 pooled: 7 cases, fewer than the 10 needed";
    and when the bar changed within the pool, which bar judged it: ", judged by week 3's
    bar (cap 10%; 15% before)"."""
    weeks = pool["weeks"]
    said = f"weeks {weeks[0]}–{weeks[-1]} pooled"
    if pool["cases"] < t.min_cases:
        return f"{said}: {plural(pool['cases'], 'case')}, fewer than the {t.min_cases} needed" + bar_moved(pool, t)
    rubric = "" if pool.get("rubric") is None else f", rubric {_percent(pool['rubric'])}"
    return f"{said}: {ratio_with_ci(pool['exceptions'], pool['cases'])}{rubric}" + bar_moved(pool, t)


def _sure_over(pooled: Evidence) -> str:
    """What a confident PASS pooled: "sure over the last 3 weeks: exceptions 4 of 180, 95% CI 1–6%"."""
    said = f"sure over the last {pooled.weeks} weeks: exceptions {pooled.exceptions} of {pooled.cases}, {_ci(pooled.ratio)}"
    return said + (f", rubric {_ci(pooled.rubric)}" if pooled.rubric is not None else "")


# The templates' filters of this capability, by name.
FILTERS = {
    "exceptions_phrase": _exceptions_phrase,
    "rubric_phrase": _rubric_phrase,
    "verdict_phrase": _verdict_phrase,
    "inconclusive_reason": inconclusive_reason,
    "sure_over": _sure_over,
    "pool_phrase": pool_phrase,
    "ratio_ci": _ratio_ci,
    "rubric_ci": _rubric_ci,
    "rubric_sample": rubric_sample,
    "lowest_dimension": lambda f: dimensions.words(f.get("dimensions"), f.get("reviewed")),  # a verdict's figures
    "ratio_with_ci": ratio_with_ci,
    "rubric_with_ci": rubric_with_ci,
    "kpi_change_phrase": _kpi_change_phrase,
}
