"""What the clock asked about each checked input, and what came back (`input_check`;
docs/sources.md, "Input checks"): the clock's memory of which checks are still due,
status's and the web view's latest results, and readiness's weeks met."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from storage.models.reports import InputCheckResult
from storage.pulled import AlreadyPulled, PulledNumbers


class AlreadyChecked(AlreadyPulled):
    """An input's check of a week was settled already (by another clock): nothing of the
    unit of work that tried again was written."""


def check_row(
    playbook_id: int,
    week_start: date,
    name: str,
    source: str,
    asked: str,
    minimum: float,
    at: datetime,
    value: float | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    """An `input_check` row: met or below its min (a value), or failed (an error)."""
    outcome = "failed" if error is not None or value is None else ("met" if value >= minimum else "below")
    kept = dict(source=source, asked=asked, minimum=minimum, outcome=outcome, value=value, error=error)
    return InputChecks.row(playbook_id, week_start, name, at, **kept)


class InputChecks(PulledNumbers[InputCheckResult]):
    """Results (storage/pulled.py); `record` raises AlreadyChecked if another clock
    settled one first (ux_input_check_settled)."""

    model, name, at, refused = InputCheckResult, "input", "checked_at", AlreadyChecked
