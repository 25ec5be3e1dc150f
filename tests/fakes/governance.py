"""Mode governance in memory: what storage/governance.py's Governance answers and keeps.
`apply` keeps each Change it is given (`GovernanceData.changes`), so a use-case test
asserts its decisions and messages as data; it also writes the Change as the real one
does (decision rows, the outbox, mode changes compare-and-set, proposals, verdicts, cycle
rows), so what the use cases read back afterwards is there."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from cadence import recovery
from cadence.change import Change, NewCycleBar, NewCycleResult, NewVerdict
from cadence.cycle_rules import CycleResult as CycleOutcome
from cadence.pooling import Bar
from cadence.registry_decisions import teams_named
from cadence.rules import LEVELS, StepState
from cadence.state import PlaybookState
from cadence.verdicts import WeekNumbers, WeekVerdict
from storage import step_modes
from storage.cadence_log import Work
from storage.governance_rows import StaleState, Stalls, StepHistory
from storage.models.governance import Decision as DecisionRow
from storage.models.governance import Proposal
from tests.fakes.playbooks import clone, next_id

if TYPE_CHECKING:
    from tests.fakes.store import Held

_NOT_LOGGED = ("verdict", "guardrail")  # what the decision log (history) leaves out
_STEP_CHANGES = ("mode-change", "proposal-rejected")


@dataclass
class GovernanceData:
    """What the fake database holds of governance (besides the decision rows: Held.decisions)."""

    proposals: dict[str, Proposal] = field(default_factory=dict)  # by key
    verdicts: list[tuple[NewVerdict, datetime]] = field(default_factory=list)
    cycle_results: list[tuple[NewCycleResult, datetime]] = field(default_factory=list)
    cycle_bars: list[NewCycleBar] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)  # every Change applied, in order

    def copy(self) -> GovernanceData:
        return GovernanceData(
            dict(self.proposals),
            list(self.verdicts),
            list(self.cycle_results),
            list(self.cycle_bars),
            list(self.changes),
        )


class FakeGovernance:
    def __init__(self, held: Held):
        self.held = held
        self.data = held.governance

    # ---- writes ----

    def apply(
        self,
        change: Change,
        at: datetime,
        proposal_key: str | None = None,
        proposal_status: str | None = None,
        decided_by: str | None = None,
    ) -> bool:
        """A person's decision: optionally move the open proposal `proposal_key` to
        `proposal_status` (False, and nothing kept, if it is no longer open), then the
        change, kept as given. StaleState, and nothing kept, if a mode change's expected
        mode no longer holds."""
        if proposal_key is not None:
            proposal = self.data.proposals.get(proposal_key)
            if proposal is None or proposal.status != "open":
                return False
        steps = self._mode_changes(change)  # raises before anything is written
        if proposal_key is not None:
            self._move(proposal_key, status=proposal_status, decided_at=at, decided_by=decided_by)
        for state in steps:
            self.held.put(state)
        for b in change.baselines:  # an adopter's baseline as its week measured it, in its definition too
            state = next(s for s in self.held.states.values() if s.playbook.id == b.playbook_id)
            p = state.playbook
            definition = {**p.definition, "kpi": {**p.definition.get("kpi", {}), "baseline": b.value}}
            measured = clone(p, definition=definition, kpi_baseline=b.value, baseline_measured=b.value, updated_at=at)
            self.held.put(replace(state, playbook=measured))
        for proposal in self.data.proposals.values():
            if (
                proposal.kind == "promotion"
                and proposal.status == "open"
                and proposal.step_id in change.withdraw_for_steps
            ):
                self._move(proposal.key, status="withdrawn", decided_at=at, decided_by="rule")
        for new in change.new_proposals:
            self.data.proposals[new.key] = Proposal(
                id=next_id(),
                key=new.key,
                kind=new.kind,
                playbook_id=new.playbook_id,
                step_id=new.step_id,
                week_start=new.week_start,
                from_mode=new.from_mode,
                to_mode=new.to_mode,
                status="open",
                figures=new.figures,
                opened_at=at,
            )
        self.data.verdicts += [(v, at) for v in change.verdicts]
        self.data.cycle_bars += change.cycle_bars
        self.data.cycle_results += [(r, at) for r in change.cycle_results]
        first = len(self.held.decisions)
        self.held.decide(change.decisions, at)
        if change.told_of_first:  # keyed by the first decision row's id, as storage/governance.py keys them
            if not change.decisions:
                raise ValueError("told of the change's first decision, and it has none")
            told = self.held.decisions[first]["id"]
            self.held.enqueue([replace(m, key=f"{m.key}:{told}") for m in change.told_of_first], at)
        self.held.enqueue(change.messages, at)  # after, as the real one enqueues them
        self.data.changes.append(change)
        return True

    def _mode_changes(self, change: Change) -> list[PlaybookState]:
        """The states with the change's mode changes made; StaleState if one no longer holds."""
        changed: dict[int, PlaybookState] = {}
        for m in change.mode_changes:
            values = step_modes.checked_values(m)  # as storage writes it: no move up that was not cleared
            if not values:
                continue
            state = next(
                (s for s in [*changed.values(), *self.held.states.values()] if any(t.id == m.step_id for t in s.steps)),
                None,
            )
            step = next((t for t in state.steps if t.id == m.step_id), None) if state is not None else None
            if state is None or step is None or step.mode != m.expected_mode:
                raise StaleState(f"step {m.step_id} is no longer {m.expected_mode}")
            steps = [clone(t, **values) if t.id == m.step_id else t for t in state.steps]
            changed[state.playbook.id] = replace(state, steps=steps)
        return list(changed.values())

    def _move(self, key: str, **values: Any) -> None:
        self.data.proposals[key] = clone(self.data.proposals[key], **values)

    def add_decisions(self, rows: list[dict[str, Any]]) -> None:
        self.held.decisions.extend(rows)

    def close_weeks(self, weeks: list[tuple[int, date]]) -> None:
        """These weeks closed to reports: each playbook's closed_through moves on, never back."""
        for pid, week in sorted(set(weeks)):
            state = next((s for s in self.held.states.values() if s.playbook.id == pid), None)
            if state is not None and (state.playbook.closed_through is None or state.playbook.closed_through < week):
                self.held.put(replace(state, playbook=clone(state.playbook, closed_through=week)))

    def record_judged(self, closes: list[tuple[Work, Change]], at: datetime) -> set[str]:
        """The closes whose key is new, recorded with what they decided (the week's summary
        first, then its alerts): their keys. StaleState, and nothing kept, if a step's mode
        changed meanwhile."""
        known = {job.key for job in self.held.jobs}
        merged = Change()
        for work, change in closes:
            if work.key not in known:
                merged.messages += work.messages
                merged.merge(change)
        self._mode_changes(merged)  # raises before anything is kept
        recorded = self.held.record_jobs([w for w, _ in closes], at)
        self.apply(merged, at)
        return recorded

    # ---- reads ----

    def proposal(self, key: str) -> Proposal | None:
        return self.data.proposals.get(key)

    def open_proposals_of(self, playbook_ids: list[int]) -> list[Proposal]:
        wanted = set(playbook_ids)
        found = [p for p in self.data.proposals.values() if p.playbook_id in wanted and p.status == "open"]
        return sorted(found, key=lambda p: p.id)

    def open_proposals(self, playbook_id: int) -> list[Proposal]:
        return self.open_proposals_of([playbook_id])

    def open_scale_proposals(self, playbook_ids: list[int]) -> set[int]:
        return {p.playbook_id for p in self.open_proposals_of(playbook_ids) if p.kind == "scale"}

    def _results(self, playbook_ids: list[int]) -> list[NewCycleResult]:
        wanted = set(playbook_ids)
        return sorted((r for r, _ in self.data.cycle_results if r.playbook_id in wanted), key=lambda r: r.result.cycle)

    def scale_history(self, playbook_ids: list[int]) -> dict[int, tuple[list[CycleOutcome], int]]:
        """Each playbook's cycle results, oldest first (the columns the scale rule reads),
        and the last cycle a scale proposal or a published version covers."""
        history: dict[int, tuple[list[CycleOutcome], int]] = {}
        for pid in playbook_ids:
            results = [
                CycleOutcome(
                    r.result.cycle,
                    r.result.kpi_weeks,
                    r.result.mean,
                    r.result.target,
                    r.result.direction,
                    r.result.hit,
                    r.result.weeks_met or 0,
                    interrupted=r.result.interrupted,
                )
                for r in self._results([pid])
            ]
            covered = [
                int((p.figures or {}).get("cycle", 0))
                for p in self.data.proposals.values()
                if p.playbook_id == pid and p.kind == "scale"
            ]
            covered += [
                int(r.get("cycle", 0))
                for v in self.held.registry.versions.values()
                if v.playbook_id == pid
                for r in v.cycle_results or []
            ]
            history[pid] = (results, max(covered, default=0))
        return history

    def last_hits(self, playbook_ids: list[int]) -> dict[int, bool]:
        hits: dict[int, bool] = {}
        for r in self._results(playbook_ids):
            if not r.result.interrupted:
                hits[r.playbook_id] = bool(r.result.hit)  # the last completed cycle's, as they come in order
        return hits

    def stalls(self, playbook_ids: list[int]) -> dict[int, Stalls]:
        found: dict[int, Stalls] = {}
        for row in self._decisions(playbook_ids, "stalled"):
            figures = {**(row["figures"] or {}), "week_start": row["week_start"]}
            found.setdefault(row["playbook_id"], Stalls({}, []))[0][int(figures.get("cycle", 0))] = figures
        for r in self._results(sorted(found)):
            if not r.result.interrupted:
                found[r.playbook_id][1].append(r.result.cycle)
        return found

    def _decisions(self, playbook_ids: list[int], *kinds: str) -> list[dict[str, Any]]:
        wanted = set(playbook_ids)
        return [d for d in self.held.decisions if d.get("playbook_id") in wanted and d["kind"] in kinds]

    def cycle_starts_of(self, playbook_ids: list[int]) -> dict[tuple[int, int], date]:
        return {(r.playbook_id, r.result.cycle): r.starts_on for r in self._results(playbook_ids)}

    def cycle_bars(self, cycles: list[tuple[int, int]]) -> dict[tuple[int, int], tuple[float, float]]:
        wanted = set(cycles)
        return {
            (b.playbook_id, b.cycle): (b.kpi_baseline, b.kpi_target)
            for b in self.data.cycle_bars
            if (b.playbook_id, b.cycle) in wanted
        }

    def verdict_bars(self, weeks: list[tuple[int, int, date]]) -> dict[tuple[int, date], Bar]:
        """The bar these (playbook, step, week start) verdicts were judged by, as their decisions kept it."""
        wanted = {(step, start) for _, step, start in weeks}
        return {
            (d["step_id"], d["week_start"]): Bar.kept(d.get("figures") or {})
            for d in self.held.decisions
            if d["kind"] == "verdict" and (d.get("step_id"), d.get("week_start")) in wanted
        }

    def lock_log(self, playbook_id: int) -> None:
        """Nothing to lock: the fakes run one use case at a time."""

    def history(
        self, playbook_id: int, step_id: int | None, limit: int, teams: frozenset[str] | None = None
    ) -> list[DecisionRow]:
        """The playbook's (or step's) latest decisions but verdicts and guardrail readings,
        newest first; with `teams`, those naming no other team or only teams of it."""
        rows = [
            d
            for d in self.held.decisions
            if d.get("playbook_id") == playbook_id
            and d["kind"] not in _NOT_LOGGED
            and (step_id is None or d.get("step_id") == step_id)
            and (teams is None or all(t in teams for t in teams_named(d["kind"], d.get("figures") or {})))
        ]
        rows.sort(key=lambda d: d.get("id", 0), reverse=True)
        return [DecisionRow(**row) for row in rows[:limit]]

    def histories(self, states: list[PlaybookState], weeks: int) -> StepHistory:
        """Each step's last `weeks` verdicts, its mode changes, demotions, rejections and the
        guardrail's weeks since the oldest of them, and the open proposals."""
        steps = {t.id for s in states for t in s.steps}
        if not steps:
            return StepHistory({}, {})
        verdicts_of: dict[int, list[NewVerdict]] = {i: [] for i in steps}
        for verdict, _ in sorted(self.data.verdicts, key=lambda v: v[0].week_start):
            if verdict.step_id in steps:
                verdicts_of[verdict.step_id].append(verdict)
        kept = {i: vs[-weeks:] if weeks > 0 else [] for i, vs in verdicts_of.items()}
        since = min((vs[0].week_start for vs in kept.values() if vs), default=date.min)
        pids = [s.playbook.id for s in states]
        found = [
            d
            for d in sorted(self.held.decisions, key=lambda d: d.get("id", 0))
            if d.get("week_start") is not None  # SQL's NULL >= since: never (a declared mode's row has no week)
            and d["week_start"] >= since
            and (
                (d["kind"] in _STEP_CHANGES and d.get("step_id") in steps)
                or (d["kind"] == "guardrail" and d.get("playbook_id") in pids)
            )
        ]
        guardrail: dict[int, dict[date, str]] = {}
        changes: dict[int, list[date]] = {}
        demotions: dict[int, list[date]] = {}
        rejections: dict[int, list[date]] = {}
        for d in found:
            if d["kind"] == "guardrail":
                guardrail.setdefault(d["playbook_id"], {})[d["week_start"]] = (d["figures"] or {}).get(
                    "state", "MISSING"
                )
            elif d["kind"] == "proposal-rejected":
                rejections.setdefault(d["step_id"], []).append(d["week_start"])
            else:
                changes.setdefault(d["step_id"], []).append(d["week_start"])
                before, after = d.get("from_mode"), d.get("to_mode")
                if before and after and LEVELS.index(after) < LEVELS.index(before):
                    demotions.setdefault(d["step_id"], []).append(d["week_start"])
        proposals = self.open_proposals_of(pids)
        open_by_step = {p.step_id: p for p in proposals if p.kind == "promotion" and p.step_id in steps}
        result = {}
        for state in states:
            breached = [w for w, v in guardrail.get(state.playbook.id, {}).items() if v == "BREACHED"]
            for step in state.steps:
                result[step.id] = StepState(
                    name=step.name,
                    mode=step.mode,
                    pinned=step.pinned,
                    frozen=step.frozen,
                    verdicts=tuple(
                        WeekVerdict(
                            v.week_start,
                            v.outcome,
                            WeekNumbers(v.cases, v.exceptions, v.rubric, v.reviewed, v.dimensions),
                            v.rule,
                        )
                        for v in kept[step.id]
                    ),
                    changes=tuple(sorted(changes.get(step.id, ()))),
                    demotions=tuple(sorted(demotions.get(step.id, ()))),
                    streak_reset=max((*rejections.get(step.id, ()), *breached), default=None),
                    open_proposal=step.id in open_by_step,
                    review_since=recovery.review_since(
                        (d["week_start"], d.get("to_mode"), d.get("figures"))
                        for d in found
                        if d["kind"] not in ("guardrail", "proposal-rejected") and d.get("step_id") == step.id
                    ),
                )
        return StepHistory(result, open_by_step, guardrail, proposals)
