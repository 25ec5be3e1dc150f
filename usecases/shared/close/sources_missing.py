"""For history, each sourced number the week closed without (source_failures.py): a
MISSING decision with what it feeds and why."""

from __future__ import annotations

from cadence import setup_decisions, sources
from usecases.shared.close import source_failures
from usecases.shared.close.week import CloseRule, WeekClose, nothing


def _close(week: WeekClose, _: None) -> None:
    state = week.state
    failed = week.outcome(source_failures.RULE) or {}
    for entry in sources.entries(state.playbook.definition):
        if entry.key in failed:
            what, error = failed[entry.key]["what"], failed[entry.key]["error"]
            week.change.decisions.append(
                setup_decisions.of_source_missing(state.playbook.id, week.week.week_start, entry, what, error)
            )


RULE = CloseRule(
    "sources missing", nothing, _close, setup_decisions.of_source_missing, needs=("source failures",), after=("pulse",)
)
