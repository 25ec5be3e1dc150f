"""A team's load (cadence/team_load.py): its playbooks' revisions in a window, counted in
one statement however many playbooks. Its other figures are in each playbook's state
(status, adoption, steps in fallback) and the pulse's gate."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlmodel import col, select

from cadence.decisions import DecisionKind
from storage.db import Bind, engine_of, reading
from storage.models.governance import Decision


class TeamLoads:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def revisions(self, playbook_ids: list[int], since: datetime) -> dict[int, int]:
        """Each playbook's `playbook-changed` decisions from `since` on (left out: none)."""
        if not playbook_ids:
            return {}
        with reading(self.bind) as s:
            rows = s.exec(
                select(col(Decision.playbook_id), func.count())
                .where(
                    col(Decision.playbook_id).in_(sorted(set(playbook_ids))),
                    col(Decision.kind) == DecisionKind.PLAYBOOK_CHANGED.value,
                    col(Decision.decided_at) >= since,
                )
                .group_by(col(Decision.playbook_id))
            ).all()
        return {int(pid): int(n) for pid, n in rows if pid is not None}
