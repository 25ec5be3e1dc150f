"""Mode governance's rows as plain values (storage/governance.py writes and reads them):
what one decision or one week's close writes (`Change` and its parts), what the rules'
look back reads (`StepHistory`, `Stalls`); and a typed decision or any flat dataclass as
the columns of its row."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from operator import attrgetter
from typing import Any, NamedTuple

from cadence.decisions import Decision
from cadence.rules import StepState
from storage.models.governance import Proposal


class StaleState(Exception):
    """The step or proposal changed since it was read: nothing was written; read again."""


class Stalls(NamedTuple):
    """A playbook's stalls (figures by cycle) and its completed cycles, oldest first."""

    by_cycle: dict[int, dict[str, Any]]
    completed: list[int]


@dataclass
class StepHistory:
    states: dict[int, StepState]  # by step id
    open_proposals: dict[int, Proposal]  # open promotion proposals by step id
    guardrail: dict[int, dict[date, str]] = field(default_factory=dict)  # playbook -> week -> HOLDS|BREACHED|MISSING
    proposals: list[Proposal] = field(default_factory=list)  # every open proposal of the playbooks, oldest first


def decision_columns(decision: Decision, at: datetime) -> dict[str, Any]:
    """A typed decision (cadence.decisions) as the columns of its `decision` row."""
    return {**shallow_columns(decision), "kind": str(decision.kind), "decided_at": at}


def shallow_columns(row: Any) -> dict[str, Any]:
    """A flat dataclass as a row's columns. Not asdict(): a week's close writes thousands,
    and asdict deep-copies every nested dict only for it to be serialised at once."""
    kind: type = type(row)  # not type[Any], which mypy does not take for Hashable (functools.cache)
    names, values = _columns_of(kind)
    return dict(zip(names, values(row), strict=True))


@functools.cache
def _columns_of(kind: type) -> tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]:
    """A dataclass's field names, and a getter of all their values at once (read once a type)."""
    names = tuple(f.name for f in fields(kind))
    getter = attrgetter(*names)
    return names, (getter if len(names) > 1 else lambda row: (getter(row),))
