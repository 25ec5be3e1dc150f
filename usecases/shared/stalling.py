"""Which playbooks are stalled now, and since when: what the stall's section shows on
status, in the digest, on a playbook's page and on the web overview over every playbook
(usecases/sections/stall.py; the rule is cadence.judgement's; the close records each
stall); and where an active playbook stands now (`standing`), as the overview and a
playbook's page say it (the digest's is cadence.digest's, by the same cadence.sponsor.standing)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from cadence import sponsor
from cadence.calendar import WeekRef
from cadence.cycle_decisions import stall_why
from cadence.judgement import stalled_since
from cadence.state import PlaybookState
from storage.store import Store


@dataclass(frozen=True)
class Stalled:
    """A playbook stalled since the end of cycle `since_cycle` (its last day `since`), for
    the reason `first` says; still stalled at the end of cycle `cycle` (its last day
    `until`), for the reason `latest` says (the same stall when `cycle` is `since_cycle`).

    One definition of a stall (cadence.judgement.stalled_since) and one sentence for it,
    `phrase`, which status, the digest, the web overview and the playbook's page all show:
    each cycle it names comes with its own end and its own reason."""

    since_cycle: int
    since: date
    cycle: int
    latest: dict[str, Any]  # the latest stall's figures (cadence.judgement.stall_figures)
    first: dict[str, Any]  # the figures of the stall that began the run
    until: date

    @property
    def phrase(self) -> str:
        """ "since the end of cycle 2 (2026-12-13): cycles 1 and 2 missed the target", and
        while it lasts "; still at the end of cycle 3 (2027-01-10): cycles 2 and 3 missed
        the target"; a cycle that met its target and still counts as missing says why:
        "cycle 1 missed the target, and cycle 3 met its target but was no better than the
        rest, within noise" """
        said = f"since the end of cycle {self.since_cycle} ({self.since.isoformat()}): {_why(self.first)}"
        if self.cycle != self.since_cycle:
            said += f"; still at the end of cycle {self.cycle} ({self.until.isoformat()}): {_why(self.latest)}"
        return said


def _why(figures: dict[str, Any]) -> str:
    """Why a cycle's close stalled the playbook, in words: each cycle's own reason, as its
    decision says it (cadence.cycle_decisions.stall_why)."""
    return stall_why(figures)


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
        ended = latest.get("week_start", week_start)
        found[pid] = Stalled(
            first, week_start + timedelta(days=6), stalls.completed[-1], latest, figures, ended + timedelta(days=6)
        )
    return found


def standing(
    state: PlaybookState,
    week: WeekRef | None,
    kpis: Mapping[date, float | None],
    stalled: bool,
    last_cycle_hit: bool | None,
) -> str:
    """Where the playbook stands now (cadence.sponsor.standing: on track, at risk, stalled,
    not judged yet): `week` is its week now, `kpis` its weekly KPI by Monday (at least
    the running cycle's), `stalled` whether `stalled` found it, `last_cycle_hit` its last
    completed cycle's result (store.governance.last_hits). The overview's first screen
    and the playbook's page both ask this, so they say the same word."""
    p = state.playbook
    closed: list[float | None] = []
    if week is not None and p.closed_through is not None:
        mondays = [week.cycle_start + timedelta(days=7 * i) for i in range(week.week - 1)]
        closed = [kpis.get(m) for m in mondays if m <= p.closed_through]
    return sponsor.standing(closed, p.kpi_target, p.kpi_direction, last_cycle_hit, stalled, p.status)
