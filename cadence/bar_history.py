"""What the replays of a change to a playbook's bar judge in (docs/judgement.md, "The bar
judged by its effect"): each step's kept closed weeks, the last closed cycles, the
guardrail's readings, a trust hold, the open escalations and readiness as a publish reads
it now. Read by usecases/shared/replay_reads.py; judged by cadence/bar_sort.py's judges."""

from __future__ import annotations

from dataclasses import dataclass

from cadence.bar_fallback import Escalations
from cadence.bar_kpi import Cycle, GuardrailWeek
from cadence.bar_readiness import Readiness

REPLAY_WEEKS = 8  # the last closed weeks the replay judges again


@dataclass(frozen=True)
class Week:
    """One step's closed week as the replay reads it: its label ("week 3 of cycle 2"), the
    step's mode that week and the numbers it was judged on (the rubric as counted then)."""

    step: str
    label: str
    mode: str
    cases: int | None
    exceptions: int = 0
    rubric: float | None = None
    reviewed: int | None = None


@dataclass(frozen=True)
class History:
    """What the replay judges in: the kept weeks, whether a trust hold stands, the last
    closed cycles (their weeks' KPI and guardrail) and the kept weeks' guardrail readings."""

    weeks: tuple[Week, ...] = ()
    trust_hold: bool = False
    usage_hold: bool = False  # the last two weeks attested without usage (cadence/usage.py holds)
    cycles: tuple[Cycle, ...] = ()
    guardrail: tuple[GuardrailWeek, ...] = ()
    escalations: Escalations | None = None  # each ai-led step's open escalated items, now
    readiness: Readiness | None = None  # what readiness is judged on now, as a publish reads it
