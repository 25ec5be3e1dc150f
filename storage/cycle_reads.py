"""The reads of a playbook's cycles (storage/governance.py's Governance, whose base this
is): the scale rule's results and what already covered them, the stalls, the standing's
last hits, the cycles' first Mondays and the KPI bars each was judged by."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from cadence.cycle_rules import CycleResult as CycleOutcome
from storage.db import Bind, reading
from storage.governance_rows import Stalls
from storage.models import table_of
from storage.models.governance import (
    STALLED,
    CycleBar,
    CycleResult,
    Proposal,
    RegistryVersion,
)
from storage.models.governance import Decision as DecisionRow
from storage.types import one_of

# The scale rule's reads at a cycle's close, built once (a close asks them for 1,000 playbooks).
_CYCLE_RESULT, _REGISTRY = table_of(CycleResult), table_of(RegistryVersion)
_CYCLE_BAR = table_of(CycleBar)
_PROPOSAL = table_of(Proposal)
DECISION = table_of(DecisionRow)
_CYCLE_RESULTS_OF = (
    select(
        _CYCLE_RESULT.c.playbook_id,
        _CYCLE_RESULT.c.cycle,
        _CYCLE_RESULT.c.kpi_weeks,
        _CYCLE_RESULT.c.mean,
        _CYCLE_RESULT.c.target,
        _CYCLE_RESULT.c.direction,
        _CYCLE_RESULT.c.hit,
        _CYCLE_RESULT.c.weeks_met,
        _CYCLE_RESULT.c.interrupted,
    )
    .where(one_of(_CYCLE_RESULT.c.playbook_id, "pids"))
    .order_by(_CYCLE_RESULT.c.cycle)
)
_COMPLETED_CYCLES_OF = (
    select(_CYCLE_RESULT.c.playbook_id, _CYCLE_RESULT.c.cycle)
    .where(one_of(_CYCLE_RESULT.c.playbook_id, "pids"), _CYCLE_RESULT.c.interrupted.is_(False))
    .order_by(_CYCLE_RESULT.c.cycle)
)
# The stalls (STALLED literal, so the partial index ix_decision_stalled serves).
_STALLS_OF = (
    select(DECISION.c.playbook_id, DECISION.c.week_start, DECISION.c.figures)
    .where(STALLED, one_of(DECISION.c.playbook_id, "pids"))
    .order_by(DECISION.c.id)
)
# The standing's (the web overview, the digest): each playbook's last completed cycle's
# hit, a cycle cut by a pause is none, and which were ever proposed for scaling
# (storage-side so a thousand playbooks are two reads).
_LAST_CYCLE = (
    select(_CYCLE_RESULT.c.playbook_id, func.max(_CYCLE_RESULT.c.cycle).label("cycle"))
    .where(one_of(_CYCLE_RESULT.c.playbook_id, "pids"), _CYCLE_RESULT.c.interrupted.is_(False))
    .group_by(_CYCLE_RESULT.c.playbook_id)
    .subquery()
)
_LAST_HITS_OF = select(_CYCLE_RESULT.c.playbook_id, _CYCLE_RESULT.c.hit).join(
    _LAST_CYCLE,
    (_LAST_CYCLE.c.playbook_id == _CYCLE_RESULT.c.playbook_id) & (_LAST_CYCLE.c.cycle == _CYCLE_RESULT.c.cycle),
)
_PROPOSED_FOR_SCALE = (
    select(_PROPOSAL.c.playbook_id)
    .where(one_of(_PROPOSAL.c.playbook_id, "pids"), _PROPOSAL.c.kind == "scale")
    .distinct()
)
_SCALE_PROPOSALS_OF = select(_PROPOSAL.c.playbook_id, _PROPOSAL.c.figures).where(
    one_of(_PROPOSAL.c.playbook_id, "pids"), _PROPOSAL.c.kind == "scale"
)
_OPEN_SCALE_OF = select(_PROPOSAL.c.playbook_id).where(
    one_of(_PROPOSAL.c.playbook_id, "pids"),
    _PROPOSAL.c.kind == "scale",
    _PROPOSAL.c.status == "open",
)
_VERSIONS_OF = select(_REGISTRY.c.playbook_id, _REGISTRY.c.cycle_results).where(one_of(_REGISTRY.c.playbook_id, "pids"))


class CycleReads:
    """The cycle reads of Governance (storage/governance.py), which gives it its bind."""

    bind: Bind

    def scale_history(self, playbook_ids: list[int]) -> dict[int, tuple[list[CycleOutcome], int]]:
        """Per playbook: its cycle results, oldest first, and the last cycle already covered
        by a scale proposal or a publication (0 if none). Three reads of only the columns
        the scale rule needs, each with the ids as one list (storage/lists.py)."""
        if not playbook_ids:
            return {}
        parameters = {"pids": playbook_ids}
        with reading(self.bind) as s:
            results = s.execute(_CYCLE_RESULTS_OF, parameters).all()
            proposals = s.execute(_SCALE_PROPOSALS_OF, parameters).all()
            versions = s.execute(_VERSIONS_OF, parameters).all()
        history: dict[int, tuple[list[CycleOutcome], int]] = {pid: ([], 0) for pid in playbook_ids}
        for r in results:
            history[r.playbook_id][0].append(
                CycleOutcome(
                    r.cycle,
                    r.kpi_weeks,
                    r.mean,
                    r.target,
                    r.direction,
                    r.hit,
                    r.weeks_met or 0,
                    interrupted=r.interrupted,
                )
            )
        covered = {pid: 0 for pid in playbook_ids}
        for pid, figures in proposals:
            covered[pid] = max(covered[pid], int((figures or {}).get("cycle", 0)))
        for pid, cycle_results in versions:
            for r in cycle_results or []:
                covered[pid] = max(covered[pid], int(r.get("cycle", 0)))
        return {pid: (history[pid][0], covered[pid]) for pid in playbook_ids}

    def last_hits(self, playbook_ids: list[int]) -> dict[int, bool]:
        """Whether each playbook's last completed cycle hit its target (those with a cycle
        result). One read however many playbooks."""
        if not playbook_ids:
            return {}
        with reading(self.bind) as s:
            return {pid: bool(hit) for pid, hit in s.execute(_LAST_HITS_OF, {"pids": playbook_ids}).all()}

    def proposed_for_scale(self, playbook_ids: list[int]) -> set[int]:
        """The playbooks among these ever proposed for scaling (ready by the scale rule and
        readiness). One read however many playbooks."""
        if not playbook_ids:
            return set()
        with reading(self.bind) as s:
            return {pid for (pid,) in s.execute(_PROPOSED_FOR_SCALE, {"pids": playbook_ids}).all()}

    def stalls(self, playbook_ids: list[int]) -> dict[int, Stalls]:
        """Per playbook (those with a stall): the figures of each stall by cycle, and its
        completed (not interrupted) cycles in order. Two reads however many playbooks."""
        if not playbook_ids:
            return {}
        parameters = {"pids": playbook_ids}
        with reading(self.bind) as s:
            stalled = s.execute(_STALLS_OF, parameters).all()
            if not stalled:
                return {}
            ended = s.execute(_COMPLETED_CYCLES_OF, {"pids": sorted({r.playbook_id for r in stalled})}).all()
        found: dict[int, Stalls] = {}
        for r in stalled:
            figures = {**(r.figures or {}), "week_start": r.week_start}
            found.setdefault(r.playbook_id, Stalls({}, []))[0][int(figures.get("cycle", 0))] = figures
        for r in ended:  # completed cycles only
            found[r.playbook_id][1].append(r.cycle)
        return found

    def cycle_starts(self, playbook_id: int) -> dict[int, date]:
        """The first Monday of each of the playbook's closed cycles, by number."""
        return {cycle: start for (_, cycle), start in self.cycle_starts_of([playbook_id]).items()}

    def open_scale_proposals(self, playbook_ids: list[int]) -> set[int]:
        """The playbooks among these with an open "ready to scale" proposal."""
        if not playbook_ids:
            return set()
        with reading(self.bind) as s:
            return set(s.execute(_OPEN_SCALE_OF, {"pids": playbook_ids}).scalars())

    def cycle_starts_of(self, playbook_ids: list[int]) -> dict[tuple[int, int], date]:
        """The first Monday of each closed cycle of these playbooks, by (playbook id, number)."""
        if not playbook_ids:
            return {}
        with reading(self.bind) as s:
            rows = s.connection().execute(
                select(_CYCLE_RESULT.c.playbook_id, _CYCLE_RESULT.c.cycle, _CYCLE_RESULT.c.starts_on).where(
                    one_of(_CYCLE_RESULT.c.playbook_id, "pids")
                ),
                {"pids": playbook_ids},
            )
            return {(pid, cycle): starts_on for pid, cycle, starts_on in rows}

    def cycle_bars(self, cycles: list[tuple[int, int]]) -> dict[tuple[int, int], tuple[float, float]]:
        """The KPI (baseline, target) each of these (playbook id, cycle) is judged by, for
        those with a cycle_bar row: one query. In a unit of work, on its session."""
        if not cycles:
            return {}
        with reading(self.bind) as s:
            rows = s.connection().execute(
                select(
                    _CYCLE_BAR.c.playbook_id, _CYCLE_BAR.c.cycle, _CYCLE_BAR.c.kpi_baseline, _CYCLE_BAR.c.kpi_target
                ).where(one_of(_CYCLE_BAR.c.playbook_id, "pids"), one_of(_CYCLE_BAR.c.cycle, "cycles")),
                {"pids": sorted({pid for pid, _ in cycles}), "cycles": sorted({c for _, c in cycles})},
            )
            wanted = set(cycles)
            return {(pid, c): (b, t) for pid, c, b, t in rows if (pid, c) in wanted}
