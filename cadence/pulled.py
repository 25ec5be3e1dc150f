"""A pulled number: one the clock asks a source for once a week, until it is settled or
its week closes, a sourced number (cadence/sources.py) or an input's check
(cadence/inputs.py). Plain Python: what the clock keeps of its asks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

FAILED = "failed"  # an ask that brought no number; any other outcome settles the number for its week


@dataclass(frozen=True)
class Asked:
    """A pulled number of a week as the clock left it: when it was last asked, whether
    it is settled (a value came back, or an override was typed), and how many asks failed."""

    last_at: datetime
    settled: bool
    failures: int = 0
