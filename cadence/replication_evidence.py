"""Replication on evidence (docs/judgement.md, "Replication on real numbers"; issue 93,
item 6): an adopting cycle whose steps gave no evidence of their exceptions, or that had a
FAIL week, is not `replicated`, whatever its KPI did. Pure: the cycle's verdicts in, the
reason out (cadence/replication.py `held_back` gives it its place among the others)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from cadence.verdicts import FAIL, WeekVerdict

NO_CASES = "no evidence of exceptions: report cases"


def evidence_gap(cycle: Mapping[str, list[WeekVerdict]], cycle_start: date) -> str | None:
    """What keeps an adopting cycle from `replicated` for want of evidence (`cycle`: by
    step, its weeks' verdicts in the cycle): a step with no case count in any week ("no
    evidence of exceptions: report cases"), or a FAIL week ("week 2 FAILed: fix the rubric
    before scaling"). None: the evidence is there."""
    weeks = [w for verdicts in cycle.values() for w in verdicts]
    if any(verdicts and all(w.numbers.cases is None for w in verdicts) for verdicts in cycle.values()):
        return NO_CASES
    failed = sorted({(w.week_start - cycle_start).days // 7 + 1 for w in weeks if w.outcome == FAIL})
    if failed:
        return f"week {failed[0]} FAILed: fix the rubric before scaling"
    return None
