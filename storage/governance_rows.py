"""A typed decision or any flat dataclass as the columns of its row."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import fields
from datetime import datetime
from operator import attrgetter
from typing import Any

from cadence.decisions import Decision as DecisionRecord


def decision_columns(decision: DecisionRecord, at: datetime) -> dict[str, Any]:
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
