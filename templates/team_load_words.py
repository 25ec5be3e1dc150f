"""How a team's load is said (cadence/team_load.py): "3 active playbooks (max 3), 2
revisions in the last 4 weeks (max 4), 1 adoption in the last cycle, no step in fallback,
worked around by 20% at the last pulse"; and whether it is full."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def load_phrase(load: Mapping[str, Any], limit: Mapping[str, Any]) -> str:
    """A team's load (TeamLoad.figures) against its limit (playbooks, revisions)."""
    parts = [
        f"{_n(load['playbooks'], 'active playbook', 'active playbooks')} (max {limit['playbooks']})",
        f"{_n(load['revisions'], 'revision', 'revisions')} in the last 4 weeks (max {limit['revisions']})",
        f"{_n(load['adoptions'], 'adoption', 'adoptions')} in the last cycle",
        f"{_n(load['fallbacks'], 'step', 'steps')} in fallback",
    ]
    if load.get("worked_around") is not None:
        parts.append(f"worked around by {round(load['worked_around'] * 100)}% at the last pulse")
    return ", ".join(parts)
