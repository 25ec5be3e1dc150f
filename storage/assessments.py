"""The post-pilot assessment a published version carries (usecases/assessment.py): the
newest `assessed` decision of its origin made before it was published. A read view: the
assessments are decision rows, written with their decision (storage/governance.py); a
version carries the one that was newest when it was published, so it never changes after."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from storage.db import Bind, reading
from storage.models.governance import Decision
from storage.types import one_of


@dataclass(frozen=True)
class Carried:
    """A version's assessment: its number, its answers and when it was made."""

    number: int
    answers: dict[str, Any]
    at: datetime


def newest_before(
    rows: Iterable[tuple[int, datetime, dict[str, Any]]], versions: list[tuple[int, int, datetime]]
) -> dict[int, Carried | None]:
    """Each version's (id, origin playbook id, published at): the newest of `rows` (playbook
    id, made at, figures; oldest first) of its origin made at or before it was published."""
    by_origin: dict[int, list[tuple[datetime, dict[str, Any]]]] = {}
    for pid, at, figures in rows:
        by_origin.setdefault(pid, []).append((at, figures))
    found: dict[int, Carried | None] = {}
    for version_id, pid, published in versions:
        made = [(at, f) for at, f in by_origin.get(pid, []) if at <= published]
        found[version_id] = Carried(int(made[-1][1]["number"]), made[-1][1]["answers"], made[-1][0]) if made else None
    return found


class Assessments:
    def __init__(self, bind: Bind):
        self.bind = bind

    def carried(self, versions: list[tuple[int, int, datetime]]) -> dict[int, Carried | None]:
        """Each version's (id, origin playbook id, published at) assessment: one query."""
        if not versions:
            return {}
        with reading(self.bind) as s:
            rows = s.execute(
                select(col(Decision.playbook_id), col(Decision.decided_at), col(Decision.figures))
                .where(col(Decision.kind) == "assessed", one_of(col(Decision.playbook_id), "pids"))
                .order_by(col(Decision.id)),
                {"pids": sorted({pid for _, pid, _ in versions})},
            ).all()
        return newest_before(((pid, at, figures) for pid, at, figures in rows), versions)
