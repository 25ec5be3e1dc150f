"""The sources that failed: the sourced numbers a week closes without (MISSING, "source
failed: ..."), which keep their steps from being judged on a guess and which the summary
names (its outcome, by key); the decisions that keep them come last (sources_missing.py)."""

from __future__ import annotations

from datetime import date

from cadence import sources
from usecases.shared.close import reads
from usecases.shared.close.week import CloseRule, Round, WeekClose, week_of


def _read(round: Round) -> dict[tuple[int, date], dict[str, str]]:
    return round.store.sources.failures(
        [(s.playbook.id, week_of(d).week_start) for s, d in round.batch if s.spec.sources]
    )


def _close(week: WeekClose, failures: dict[tuple[int, date], dict[str, str]]) -> dict[str, dict[str, str]]:
    playbook = week.state.playbook
    errors = failures.get(reads.of_week(week), {})
    return sources.failed(playbook.definition, playbook.kpi_name, playbook.guardrail_name or "", errors)


RULE = CloseRule("source failures", _read, _close, sources.failed, after=("guardrail",))
