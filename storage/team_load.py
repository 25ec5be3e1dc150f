"""A team's load (cadence/team_load.py): each team channel's playbooks as the count reads
them, in one statement however many teams: status, adoption, when made, its rules (for
`team_load_max`), its steps in fallback, its revisions in the window, and its last closed
pulse's worked-around answers (the `pulse` decision's figures: aggregates, as shown)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlmodel import col

from cadence.decisions import DecisionKind
from storage.db import Bind, engine_of, reading
from storage.models.governance import Decision
from storage.models.playbooks import Playbook, Step
from storage.types import one_of

# Each team's playbooks with what the count reads of them, for a list of channels and the
# window's start given at execution: built once, as storage's other per-request reads are
# (status reads it at every request).
_FALLBACKS = (
    select(func.count(col(Step.id)))
    .where(col(Step.playbook_id) == col(Playbook.id), col(Step.fallback_mode).is_not(None))
    .where(col(Step.retired_at).is_(None))
    .scalar_subquery()
)
_REVISIONS = (
    select(func.count(col(Decision.id)))
    .where(col(Decision.playbook_id) == col(Playbook.id))
    .where(col(Decision.kind) == DecisionKind.PLAYBOOK_CHANGED.value, col(Decision.decided_at) >= bindparam("since"))
    .scalar_subquery()
)
_PULSE = (
    select(col(Decision.figures))
    .where(col(Decision.playbook_id) == col(Playbook.id), col(Decision.kind) == DecisionKind.PULSE.value)
    .order_by(col(Decision.id).desc())
    .limit(1)
    .scalar_subquery()
)
_TEAMS = select(
    col(Playbook.channel_id),
    col(Playbook.status),
    col(Playbook.adopted_from_id),
    col(Playbook.created_at),
    col(Playbook.rules),
    _FALLBACKS,
    _REVISIONS,
    _PULSE,
).where(one_of(col(Playbook.channel_id), "channels"))


@dataclass(frozen=True)
class TeamRow:
    status: str
    adopted_from: int | None
    created_at: datetime
    rules: dict[str, Any]
    fallbacks: int
    revisions: int
    around: tuple[int, int] | None  # its last closed pulse's worked-around answers: hits, of n


class TeamLoads:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def teams(self, channel_ids: list[str], since: datetime) -> dict[str, list[TeamRow]]:
        """Each channel's playbooks (any status; a channel with none: an empty list), their
        revisions counted from `since` on."""
        if not channel_ids:
            return {}
        found: dict[str, list[TeamRow]] = {c: [] for c in channel_ids}
        with reading(self.bind) as s:
            for channel, status, adopted, created, rules, fell, revised, figures in (
                s.connection().execute(_TEAMS, {"channels": sorted(set(channel_ids)), "since": since}).all()
            ):
                found[channel].append(
                    TeamRow(status, adopted, created, rules or {}, int(fell or 0), int(revised or 0), _around(figures))
                )
        return found


def _around(figures: Any) -> tuple[int, int] | None:
    shown = (figures or {}).get("worked_around") if isinstance(figures, dict) else None
    if not isinstance(shown, dict) or not shown.get("answers"):
        return None
    n = int(shown["answers"])
    return round(float(shown["share"]) * n), n
