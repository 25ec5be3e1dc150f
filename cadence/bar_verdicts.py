"""A week's verdict replayed under an asked bar (docs/judgement.md, "The bar judged by its
effect"; cadence/bar_sort.py sorts the change): each kept week and probe weeks at each
bound of the bar before and after, judged again by the close's own judges
(`judge_with_rule`, `critical_demotion`), and what gets easier said in words."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from typing import Any

from cadence.bar_history import History, Week
from cadence.bar_proposals import Judged
from cadence.definition_rules import RuleSettings
from cadence.review import asked, counted, rates
from cadence.rules import critical_demotion
from cadence.verdicts import FAIL, INCONCLUSIVE, MISSING, PASS, Thresholds, WeekNumbers, WeekVerdict, judge_with_rule

_EASE = {FAIL: 0, MISSING: 0, INCONCLUSIVE: 1, PASS: 2}  # toward PASS is easier
_NO_DAY = date(2000, 1, 3)  # a replayed week's day: no judge reads it


def judged_week(week: Week, definition: dict[str, Any], t: Thresholds) -> Judged:
    """A kept week as the rules read it under `definition`: its verdict and numbers, the
    rubric as its review's sample counts under the definition's review rates."""
    outcome, _, _ = judged_under(week, definition, t)
    rubric = week.rubric
    if week.reviewed is not None:
        rubric = counted(rubric, week.reviewed, asked(week.mode, week.cases, rates(definition)))
    return Judged(week.label, week.mode, outcome, WeekNumbers(week.cases, week.exceptions, rubric, week.reviewed))


def thresholds(definition: dict[str, Any]) -> Thresholds:
    rules = {k: v for k, v in (definition.get("rules") or {}).items() if v is not None}
    settings = RuleSettings.model_validate(rules)
    return Thresholds.of(settings, float(definition["exception_cap"]), float(definition["rubric_threshold"]))


def judged_under(week: Week, definition: dict[str, Any], t: Thresholds, over: bool = True) -> tuple[str, str, bool]:
    """A week judged under a definition, by the close's judges: (verdict, rule, demoted
    at once for being clearly over the cap). The rubric counts as its review's sample
    allows under the definition's review rates (cadence/review.py)."""
    by_mode = tuple(sorted(rates(definition).items()))
    return _judged(week.mode, week.cases, week.exceptions, week.rubric, week.reviewed, t, by_mode, over)


@lru_cache(maxsize=65536)
def _judged(
    mode: str,
    cases: int | None,
    exceptions: int,
    rubric: float | None,
    reviewed: int | None,
    t: Thresholds,
    by_mode: tuple[tuple[str, float], ...],
    with_over: bool = True,
) -> tuple[str, str, bool]:
    if reviewed is not None:
        rubric = counted(rubric, reviewed, asked(mode, cases, dict(by_mode)))
    numbers = WeekNumbers(cases, exceptions, rubric, reviewed)
    outcome, rule = judge_with_rule(numbers, mode, t)
    over = with_over and outcome == FAIL and mode != "human-led"  # a probe needs no interval
    over = over and critical_demotion(WeekVerdict(_NO_DAY, outcome, numbers), t) is not None
    return outcome, str(rule), over


def replay(before: dict[str, Any], after: dict[str, Any], history: History) -> list[str]:
    """What gets easier under the asked bar (`after`) than under `before`, in words ("under
    the asked bar, draft's week 3 of cycle 2 would have been INCONCLUSIVE, not FAIL: 6
    cases under min_cases 20"): each kept week whose verdict moves toward PASS (FAIL or
    INCONCLUSIVE → PASS, FAIL → INCONCLUSIVE) or whose over-cap demotion goes; and each
    probe week at a bound of either bar whose verdict moves so, but for a week that only
    has too few cases under a higher `min_cases` (what a higher evidence bar does by design:
    the kept weeks say whether it takes a FAIL away)."""
    tb, ta = thresholds(before), thresholds(after)
    found = _kept_weeks_eased(before, after, history, tb, ta) + _probe_eased(before, after, tb, ta)
    if not found:
        found += _over_cap_probe_eased(before, after, history, tb, ta)
    return found[:6]


def _kept_weeks_eased(
    before: dict[str, Any], after: dict[str, Any], history: History, tb: Thresholds, ta: Thresholds
) -> list[str]:
    """`replay`'s kept weeks whose verdict moves toward PASS or whose over-cap demotion goes, a line each."""
    found = []
    for week in history.weeks:
        old, _, old_over = judged_under(week, before, tb)
        new, new_rule, new_over = judged_under(week, after, ta)
        if _EASE[new] > _EASE[old] or (old_over and not new_over):
            found.append(_words(week, old, new, new_rule, ta, old_over and not new_over))
    return found


def _probe_eased(before: dict[str, Any], after: dict[str, Any], tb: Thresholds, ta: Thresholds) -> list[str]:
    """`replay`'s first probe week whose verdict moves toward PASS, other than for too few
    cases under a higher `min_cases`: its line, or none."""
    for week in probes(tb, ta, before, after):
        old, _, _ = judged_under(week, before, tb, over=False)
        new, new_rule, _ = judged_under(week, after, ta, over=False)
        if _EASE[new] > _EASE[old] and not new_rule.startswith("2-"):
            return [_words(week, old, new, new_rule, ta, False)]  # one probe says it
    return []


def _over_cap_probe_eased(
    before: dict[str, Any], after: dict[str, Any], history: History, tb: Thresholds, ta: Thresholds
) -> list[str]:
    """`replay`'s first week over the cap that FAILs under `before` and not under `after`: its line, or none."""
    for week in over_cap_probes(tb, history, before):
        old, _, _ = judged_under(week, before, tb, over=False)
        new, new_rule, _ = judged_under(week, after, ta, over=False)
        if old == FAIL and new != FAIL:
            return [_words(week, old, new, new_rule, ta, False)]
    return []


def over_cap_probes(tb: Thresholds, history: History, before: dict[str, Any] | None = None) -> Iterator[Week]:
    """Weeks over the cap that have not happened yet: each step at the case counts its kept
    weeks had (the old `min_cases` for a step with none kept), with exceptions just over
    the cap and at twice it, for each mode a step can be demoted from. Demotion cannot be
    switched off: a `min_cases` or `review_rate` that turns such a week from FAIL into
    anything else (a higher evidence bar included, unlike `probes`) is a request even
    before such a week."""
    counts = _over_cap_case_counts(tb, history, before)
    for mode in ("collaborative", "ai-led"):
        for cases in counts:
            for e in _over_cap_exceptions(tb, cases):
                yield Week("", "", mode, cases, e, None, None)


def _over_cap_case_counts(tb: Thresholds, history: History, before: dict[str, Any] | None) -> list[int]:
    """The case counts the kept weeks had, with the old `min_cases` (at least 1) where a
    step has no kept week with cases, or none has; in order."""
    kept = {w.cases for w in history.weeks if w.cases}
    bare = _a_step_without_cases(history, before)
    return sorted(kept | ({max(tb.min_cases, 1)} if bare or not kept else set()))


def _a_step_without_cases(history: History, before: dict[str, Any] | None) -> bool:
    """Whether a step of `before` (the unnamed one, without steps) has no kept week with cases."""
    names = [str(s["name"]).lower() for s in (before or {}).get("steps") or []] or [""]
    return any(not any(w.cases for w in history.weeks if w.step.lower() == n) for n in names)


def _over_cap_exceptions(tb: Thresholds, cases: int) -> list[int]:
    """Exceptions just over the cap and twice that, those no more than the cases."""
    just_over = int(tb.exception_cap * cases) + 1
    return [e for e in sorted({just_over, 2 * just_over}) if e <= cases]


def _words(week: Week, old: str, new: str, rule: str, t: Thresholds, demotion_gone: bool) -> str:
    numbers = f"{week.exceptions} exceptions in {week.cases} cases" if week.cases else "no cases"
    if rule.startswith("2-"):
        why = f"{week.cases} cases under min_cases {t.min_cases}"
    elif week.rubric is not None:
        why = f"{numbers}, rubric {week.rubric:.1%}" + (f" of {week.reviewed} reviewed" if week.reviewed else "")
    else:
        why = numbers
    subject = (
        f"{week.step}'s {week.label}"
        if week.step
        else f"an {week.mode} week"
        if week.mode[0] == "a"
        else f"a {week.mode} week"
    )
    if demotion_gone and old == new:
        return f"under the asked bar, {subject} would not have demoted it at once ({why})"
    tense = "would have been" if week.step else "would be"
    return f"under the asked bar, {subject} {tense} {new}, not {old}: {why}"


def probes(tb: Thresholds, ta: Thresholds, before: dict[str, Any], after: dict[str, Any]) -> Iterator[Week]:
    """Weeks at each bound of either bar: the cases at each `min_cases` and well above,
    exceptions just over each cap, rubric scores just under each threshold and floor,
    reviews just short of and at each rate's ask; for each mode a step can be judged in."""
    caps = {tb.exception_cap, ta.exception_cap}
    rubrics = _probe_rubrics(tb, ta)
    for mode in ("human-led", "collaborative", "ai-led"):
        for cases in sorted({tb.min_cases, ta.min_cases, max(tb.min_cases - 1, 1), ta.min_cases - 1, 200} - {0}):
            reviewed = _probe_reviews(mode, cases, before, after)
            for e in _probe_exceptions(caps, cases):
                for r in rubrics:
                    for n in reviewed if r is not None else (None,):
                        yield Week("", "", mode, cases, e, r, n)


def _probe_rubrics(tb: Thresholds, ta: Thresholds) -> set[float | None]:
    """Rubric scores for a probe: none, the top and bottom, each threshold and floor and just under it."""
    rubrics: set[float | None] = {None, 1.0, 0.0}
    for t in (tb, ta):
        rubrics |= {t.rubric_threshold, round(t.rubric_threshold - 0.005, 4), t.rubric_floor}
        rubrics |= {round(t.rubric_floor - 0.005, 4)}
    return rubrics


def _probe_exceptions(caps: set[float], cases: int) -> list[int]:
    """Exceptions for a probe of `cases` cases, in order: none, all, at and just over each cap."""
    exceptions = {0, cases}
    for cap in caps:
        exceptions |= {int(cap * cases), int(cap * cases) + 1}
    return sorted(x for x in exceptions if 0 <= x <= cases)


def _probe_reviews(mode: str, cases: int, before: dict[str, Any], after: dict[str, Any]) -> set[int | None]:
    """Reviewed counts for a probe: none, and where the review rates change, each rate's
    ask and just short of it."""
    reviewed: set[int | None] = {None}
    for definition in (before, after) if rates(before) != rates(after) else ():
        wanted = asked(mode, cases, rates(definition))
        if wanted is not None:
            reviewed |= {wanted, max(wanted - 1, 1)}
    return reviewed
