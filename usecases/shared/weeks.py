"""Closing a week: each step's verdict and the transitions it causes, the cycle's result
and the scale rule when it was a cycle's last week, and the week's summary for the team.

Closes come in rounds (usecases/tick.py): one round holds at most one week per playbook, and
costs the same few queries however many playbooks close at once. A round reads, judges,
writes: each of the close's rules (usecases/shared/close/registry.py) reads its batch for
the round first, then each week goes through the rules in their order, each judging it
with its pure judge in cadence/ and putting the decisions in the week's `Change` (with
its messages, rendered there), which the caller's unit of work writes; what a rule found
is its outcome, under its name, which the rules that need it and the week's summary read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cadence.change import Change
from cadence.schedule import Due
from cadence.state import PlaybookState
from storage.store import Store
from usecases.shared.close.registry import RULES
from usecases.shared.close.summary import summary
from usecases.shared.close.week import Round, WeekClose


@dataclass(frozen=True)
class Closed:
    """One week's close, ready to record: what it decided and its summary for the team."""

    due: Due
    state: PlaybookState
    change: Change
    summary: dict[str, Any]


def close_round(store: Store, batch: list[tuple[PlaybookState, Due]], beside: Store | None = None) -> list[Closed]:
    """The closes of these weeks, judged in `store`, the close's unit of work, which has
    closed the weeks to reports (Governance.close_weeks): their figures, and the cycle's
    KPIs with them, are read in it, so no report acknowledged is left out. `beside`: the
    store the steps' history is read on, in a second thread (close/reads.py)."""
    weeks = [WeekClose(state, due) for state, due in batch]
    round = Round(store, beside or store, weeks)
    kinds = {week.baseline for week in weeks}
    read_first = [(rule, round.read(rule.read)) for rule in RULES if rule.baseline in kinds]
    for week in weeks:
        for rule, read in read_first:
            if rule.baseline == week.baseline:
                week.judge(rule, read)
    return [Closed(week.due, week.state, week.change, summary(week, round)) for week in weeks]
