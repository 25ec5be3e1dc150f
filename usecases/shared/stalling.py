"""Which playbooks are stalled now, and since when: what status, the digest and the web
overview show (the rule is cadence.judgement's; the close records each stall)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from cadence.judgement import stalled_since
from storage.store import PlaybookState, Store


@dataclass(frozen=True)
class Stalled:
    """A playbook stalled since the end of cycle `since_cycle` (its last day `since`),
    still stalled at the end of cycle `cycle`, for the reason `latest` says."""

    since_cycle: int
    since: date
    cycle: int
    latest: dict[str, Any]  # the latest stall's figures (cadence.judgement.stall_figures)

    @property
    def phrase(self) -> str:
        """ "since the end of cycle 2 (2026-12-13): cycles 1 and 2 missed the target" """
        return f"since the end of cycle {self.since_cycle} ({self.since.isoformat()}): {self.why}"

    @property
    def why(self) -> str:
        f = self.latest
        if f.get("reason") == "missed":
            return f"cycles {' and '.join(str(c) for c in f.get('cycles', []))} missed the target"
        return f"cycle {f.get('cycle')}'s median KPI moved less than a tenth of the way to the target"


def stalled(store: Store, states: list[PlaybookState]) -> dict[int, Stalled]:
    """The playbooks among `states` stalled now (a retired one no longer is), by id."""
    running = [s.playbook.id for s in states if s.playbook.status != "retired"]
    found = {}
    for pid, stalls in store.governance.stalls(running).items():
        since = stalled_since(stalls.by_cycle, stalls.completed)
        if since is None:
            continue
        first, figures = since
        week_start = figures["week_start"]
        latest = stalls.by_cycle[stalls.completed[-1]]
        found[pid] = Stalled(first, week_start + timedelta(days=6), stalls.completed[-1], latest)
    return found
