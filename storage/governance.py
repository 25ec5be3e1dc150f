"""Mode governance in the database: verdicts, proposals, mode changes and cycle results
(the registry is storage/registry.py's). Every change here also writes its decision row,
in the same transaction."""

from __future__ import annotations

import functools
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Integer, Select, and_, bindparam, case, func, insert, or_, select, true, update
from sqlmodel import Session, col

from cadence.change import Change
from cadence.cycle_rules import CycleResult as CycleOutcome
from cadence.decisions import DecisionKind
from cadence.definition import read_spec
from cadence.pooling import Bar
from cadence.rules import LEVELS, StepState
from cadence.state import PlaybookState
from cadence.verdicts import WeekNumbers, WeekVerdict
from storage.bulk import insert_all, insert_new
from storage.cadence_log import JOBS, Work, job_row
from storage.db import Bind, engine_of, joined, reading
from storage.governance_rows import StaleState, Stalls, StepHistory, decision_columns, shallow_columns
from storage.models import table_of
from storage.models.governance import (
    GUARDRAIL_WEEKS,
    LOGGED,
    STALLED,
    STEP_CHANGES,
    CycleBar,
    CycleResult,
    Proposal,
    RegistryVersion,
    StepVerdict,
)
from storage.models.governance import Decision as DecisionRow
from storage.models.playbooks import Playbook, Step
from storage.outbox import enqueue_in
from storage.types import one_of
from storage.webhook_events import announce

VERDICT, STEP, DECISION = table_of(StepVerdict), table_of(Step), table_of(DecisionRow)
_VERDICT_COLUMNS = (
    "step_id",
    "week_start",
    "outcome",
    "cases",
    "exceptions",
    "rubric",
    "rule",
    "reviewed",
    "dimensions",
)


@functools.cache
def _last_verdicts(dialect: str) -> Select[Any]:
    """Each step's last `weeks` verdicts (parameters: step_ids, weeks, and back = weeks - 1),
    oldest first, read from the end of each step's range in the (step_id, week_start)
    index: the cost follows the steps and the window, never the length of their history.
    PostgreSQL takes them with a LATERAL join and a LIMIT; SQLite, which has no LATERAL,
    bounds each step's range by its N-th latest week. Built once: status reads it too."""
    steps = one_of(STEP.c.id, "step_ids")
    # Only what the rules read: a close loads tens of thousands of these.
    wanted = [getattr(VERDICT.c, name) for name in _VERDICT_COLUMNS]
    if dialect == "postgresql":
        recent = (
            select(*wanted)
            .where(VERDICT.c.step_id == STEP.c.id)
            .order_by(VERDICT.c.week_start.desc())
            .limit(bindparam("weeks", type_=Integer))
            .lateral("recent")
        )
        return select(recent).select_from(STEP).join(recent, true()).where(steps).order_by(recent.c.week_start)
    earlier = VERDICT.alias("earlier")
    cutoff = (
        select(earlier.c.week_start)
        .where(earlier.c.step_id == STEP.c.id)
        .order_by(earlier.c.week_start.desc())
        .limit(1)
        .offset(bindparam("back", type_=Integer))
        .scalar_subquery()
    )
    return (
        select(*wanted)
        .join(STEP, VERDICT.c.step_id == STEP.c.id)
        .where(steps, VERDICT.c.week_start >= func.coalesce(cutoff, date.min))
        .order_by(VERDICT.c.week_start)
    )


# Built once: every close and every status runs it. The kinds are literal (see models):
# each arm reads its own partial index (ix_decision_step_changes, ix_decision_guardrail).
_DECISIONS_SINCE = (
    select(
        DECISION.c.kind,
        DECISION.c.playbook_id,
        DECISION.c.step_id,
        DECISION.c.week_start,
        DECISION.c.from_mode,
        DECISION.c.to_mode,
        DECISION.c.figures,
    )
    .where(
        or_(
            and_(STEP_CHANGES, one_of(DECISION.c.step_id, "step_ids")),
            and_(GUARDRAIL_WEEKS, one_of(DECISION.c.playbook_id, "pids")),
        ),
        DECISION.c.week_start >= bindparam("since", type_=Date),
    )
    .order_by(DECISION.c.id)
)
_VERDICT_BARS = select(DECISION.c.step_id, DECISION.c.week_start, DECISION.c.figures).where(
    one_of(DECISION.c.playbook_id, "pids"), one_of(DECISION.c.week_start, "weeks"), DECISION.c.kind == "verdict"
)
# The decision log (/rollout history): LOGGED is literal so the partial index serves.
_LOG = (
    select(DecisionRow)
    .where(col(DecisionRow.playbook_id) == bindparam("playbook_id"), LOGGED)
    .order_by(col(DecisionRow.id).desc())
    .limit(bindparam("limit", type_=Integer))
)
_STEP_LOG = _LOG.where(col(DecisionRow.step_id) == bindparam("step_id"))


# The scale rule's reads at a cycle's close, built once (a close asks them for 1,000 playbooks).
_CYCLE_RESULT, _REGISTRY = table_of(CycleResult), table_of(RegistryVersion)
_CYCLE_BAR = table_of(CycleBar)
_PROPOSAL = table_of(Proposal)
_PLAYBOOK = table_of(Playbook)
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
_OPEN_PROPOSALS_OF = (
    select(Proposal)
    .where(one_of(col(Proposal.playbook_id), "pids"), col(Proposal.status) == "open")
    .order_by(col(Proposal.id))
)


_OPEN_SCALE_OF = select(_PROPOSAL.c.playbook_id).where(
    one_of(_PROPOSAL.c.playbook_id, "pids"),
    _PROPOSAL.c.kind == "scale",
    _PROPOSAL.c.status == "open",
)
# A week's close marks it closed (playbook.closed_through, never moved back): run over
# the closing weeks before their figures are read (Governance.close_weeks).
_CLOSE_WEEK = (
    update(_PLAYBOOK)
    .where(_PLAYBOOK.c.id == bindparam("pid"))
    .values(
        closed_through=case(
            (
                _PLAYBOOK.c.closed_through > bindparam("week", type_=Date),
                _PLAYBOOK.c.closed_through,
            ),
            else_=bindparam("week", type_=Date),
        )
    )
)
_VERSIONS_OF = select(_REGISTRY.c.playbook_id, _REGISTRY.c.cycle_results).where(one_of(_REGISTRY.c.playbook_id, "pids"))


class Governance:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    # ---- reads ----

    def histories(self, states: list[PlaybookState], weeks: int) -> StepHistory:
        """Each step's last `weeks` evaluated weeks (their verdicts, and the mode changes,
        rejections and guardrail breaches since), and the open proposals: three queries
        for any number of steps. Evaluated weeks, not calendar weeks: a long pause or a long
        history costs nothing more, and the rules' windows count evaluated weeks."""
        steps = [step for state in states for step in state.steps]
        ids = [s.id for s in steps]
        if not ids:
            return StepHistory({}, {})
        with reading(self.bind) as s:
            core = s.connection()  # Core statements cost less on the connection than through the session
            verdicts = core.execute(
                _last_verdicts(self.engine.dialect.name), {"step_ids": ids, "weeks": weeks, "back": weeks - 1}
            ).all()
            # Decisions reach as far back as the oldest week loaded (all of them for a new
            # step): the first, as the verdicts come oldest first.
            since = verdicts[0].week_start if verdicts else date.min
            pids = [state.playbook.id for state in states]
            found = core.execute(_DECISIONS_SINCE, {"step_ids": ids, "pids": pids, "since": since}).all()
            proposals = list(s.execute(_OPEN_PROPOSALS_OF, {"pids": pids}).scalars())
        decisions = [d for d in found if d.kind != DecisionKind.GUARDRAIL]  # the steps' mode changes and rejections
        guardrail: dict[int, dict[date, str]] = {}
        for d in found:
            if d.kind == DecisionKind.GUARDRAIL:
                guardrail.setdefault(d.playbook_id, {})[d.week_start] = (d.figures or {}).get("state", "MISSING")
        verdicts_of: dict[int, list[WeekVerdict]] = {i: [] for i in ids}
        for step_id, week_start, outcome, cases, exceptions, rubric, rule, reviewed, dimensions in verdicts:
            numbers = WeekNumbers(cases, exceptions, rubric, reviewed, dimensions)
            verdicts_of[step_id].append(WeekVerdict(week_start, outcome, numbers, rule))
        changes: dict[int, list[date]] = {}
        demotions: dict[int, list[date]] = {}
        rejections: dict[int, list[date]] = {}
        for d in decisions:
            if d.kind == "proposal-rejected":
                rejections.setdefault(d.step_id, []).append(d.week_start)
                continue
            changes.setdefault(d.step_id, []).append(d.week_start)
            if d.from_mode and d.to_mode and LEVELS.index(d.to_mode) < LEVELS.index(d.from_mode):
                demotions.setdefault(d.step_id, []).append(d.week_start)
        steps_read = set(ids)
        open_by_step = {p.step_id: p for p in proposals if p.kind == "promotion" and p.step_id in steps_read}
        result = {}
        for state in states:
            # A week that breached the guardrail restarts every step's PASS streak, as a rejection does.
            weeks_of = guardrail.get(state.playbook.id, {})
            breached = [w for w, verdict in weeks_of.items() if verdict == "BREACHED"]
            for step in state.steps:
                step_id = step.id
                result[step_id] = StepState(
                    name=step.name,
                    mode=step.mode,
                    pinned=step.pinned,
                    frozen=step.frozen,
                    verdicts=tuple(verdicts_of[step_id]),
                    changes=tuple(sorted(changes.get(step_id, ()))),
                    demotions=tuple(sorted(demotions.get(step_id, ()))),
                    streak_reset=max((*rejections.get(step_id, ()), *breached), default=None),
                    open_proposal=step_id in open_by_step,
                )
        return StepHistory(result, open_by_step, guardrail, proposals)

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

    def last_hits(self, playbook_ids: list[int]) -> tuple[dict[int, bool], set[int]]:
        """Whether each playbook's last completed cycle hit its target (those with a
        cycle result), and the playbooks ever proposed for scaling (ready by the scale
        rule and readiness). Two reads however many playbooks."""
        if not playbook_ids:
            return {}, set()
        parameters = {"pids": playbook_ids}
        with reading(self.bind) as s:
            hits = {pid: bool(hit) for pid, hit in s.execute(_LAST_HITS_OF, parameters).all()}
            proposed = {pid for (pid,) in s.execute(_PROPOSED_FOR_SCALE, parameters).all()}
        return hits, proposed

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

    def proposal(self, key: str) -> Proposal | None:
        with reading(self.bind) as s:
            return s.execute(select(Proposal).where(col(Proposal.key) == key)).scalars().first()

    def open_proposals_of(self, playbook_ids: list[int]) -> list[Proposal]:
        if not playbook_ids:
            return []
        with reading(self.bind) as s:
            return list(s.execute(_OPEN_PROPOSALS_OF, {"pids": playbook_ids}).scalars())

    def step_names(self, step_ids: list[int]) -> dict[int, str]:
        """The names of these steps, by id (retired ones too)."""
        if not step_ids:
            return {}
        with reading(self.bind) as s:
            rows = s.connection().execute(
                select(STEP.c.id, STEP.c.name).where(one_of(STEP.c.id, "ids")), {"ids": step_ids}
            )
            return {step_id: name for step_id, name in rows}

    def open_proposals(self, playbook_id: int) -> list[Proposal]:
        return self.open_proposals_of([playbook_id])

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

    def verdict_bars(self, weeks: list[tuple[int, int, date]]) -> dict[tuple[int, date], Bar]:
        """The bar these (playbook, step, week start) verdicts were judged by, as kept: one query."""
        if not weeks:
            return {}
        wanted = {(step, start) for _, step, start in weeks}
        with reading(self.bind) as s:
            found = {"pids": sorted({w[0] for w in weeks}), "weeks": sorted({w[2] for w in weeks})}
            rows = s.connection().execute(_VERDICT_BARS, found)
            return {(i, w): Bar.kept(f or {}) for i, w, f in rows if (i, w) in wanted}

    # ---- writes ----

    def close_weeks(self, weeks: list[tuple[int, date]]) -> None:
        """Close these weeks (playbook id, week start) to reports: the first statement of
        the close's unit of work, which reads their figures after it, judges them and
        records what it decided (record_judged) before it commits.

        A report and the close of its week cannot both succeed on different views of the
        week: the weeks are marked closed first (playbook.closed_through), and the close
        reads their figures after that, in the same transaction. The UPDATE locks the
        playbooks' rows (PostgreSQL: in the order of their ids, as a second clock's
        would) or takes SQLite's one write lock, until the commit; a report's statement
        writes only in an open week, under a lock on the same row
        (storage/report_writes.py, open_week). So a report is either in the figures or refused as too late."""
        with joined(self.bind) as s:
            s.connection().execute(_CLOSE_WEEK, [{"pid": pid, "week": week} for pid, week in sorted(set(weeks))])

    def record_judged(self, closes: list[tuple[Work, Change]], at: datetime) -> set[str]:
        """Record the closes judged in this unit of work: the keys of those recorded now.
        A close whose key is already recorded (an earlier or concurrent tick) writes
        nothing. Raises StaleState (and the unit of work writes nothing) if a step's mode
        changed meanwhile."""
        if not closes:
            return set()
        with joined(self.bind) as s:
            recorded = insert_new(s, JOBS, [job_row(w, at) for w, _ in closes])
            merged = Change()  # everything the recorded closes decided, written table by table
            for work, change in closes:
                if work.key in recorded:
                    merged.messages += work.messages  # the week's summary first, then its alerts
                    merged.merge(change)
            apply_change(s, merged, at)
            enqueue_in(s, merged.messages, at)
        return recorded

    def apply(
        self,
        change: Change,
        at: datetime,
        proposal_key: str | None = None,
        proposal_status: str | None = None,
        decided_by: str | None = None,
    ) -> bool:
        """A person's decision: optionally move an open proposal to `proposal_status` (False,
        and nothing written, if it was no longer open), then apply the change."""
        with joined(self.bind) as s:
            if proposal_key is not None:
                moved = s.exec(
                    update(Proposal)
                    .where(col(Proposal.key) == proposal_key, col(Proposal.status) == "open")
                    .values(status=proposal_status, decided_at=at, decided_by=decided_by)
                    .execution_options(synchronize_session=False)
                )
                if moved.rowcount != 1:
                    return False
            apply_change(s, change, at)
            enqueue_in(s, change.messages, at)
        return True

    def add_decisions(self, rows: list[dict[str, Any]]) -> None:
        """Decision rows (governance_rows.decision_columns), such as a source's override."""
        with joined(self.bind) as s:
            insert_all(s, table_of(DecisionRow), rows)  # the session: its pending rows go first

    def history(self, playbook_id: int, step_id: int | None, limit: int) -> list[DecisionRow]:
        """A playbook's (or one step's) latest decisions, newest first: everything decided
        but the weekly verdicts and guardrail readings, which status and the week's summary
        show week by week. One query, through ix_decision_log."""
        statement, parameters = _LOG, {"playbook_id": playbook_id, "limit": limit}
        if step_id is not None:
            statement, parameters = _STEP_LOG, {**parameters, "step_id": step_id}
        with reading(self.bind) as s:
            return list(s.execute(statement, parameters).scalars().all())


def apply_change(s: Session, change: Change, at: datetime) -> None:
    """Write `change` in the unit of work `s`: mode changes (compare-and-set; StaleState if
    one no longer holds), withdrawn proposals, the new rows table by table (and what is
    told of its first decision: Change.told_of_first), and the webhooks' events of its
    decisions."""
    for m in change.mode_changes:
        values: dict[str, Any] = {}
        if m.new_mode is not None:
            values["mode"] = m.new_mode
        if m.freeze is not None:
            values["frozen"] = m.freeze
        if not values:
            continue
        result = s.exec(
            update(Step)
            .where(col(Step.id) == m.step_id, col(Step.mode) == m.expected_mode)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise StaleState(f"step {m.step_id} is no longer {m.expected_mode}")
    if change.withdraw_for_steps:
        s.execute(
            update(Proposal)
            .where(
                col(Proposal.step_id).in_(change.withdraw_for_steps),
                col(Proposal.status) == "open",
                col(Proposal.kind) == "promotion",
            )
            .values(status="withdrawn", decided_at=at, decided_by="rule")
            .execution_options(synchronize_session=False)
        )
    # Core, one COPY (PostgreSQL) or executemany (SQLite) a table however many rows: the
    # ORM would insert row by row to learn ids nobody needs here (storage/bulk.py).
    if change.new_proposals:
        insert_all(
            s,
            _PROPOSAL,
            [
                dict(
                    key=p.key,
                    kind=p.kind,
                    playbook_id=p.playbook_id,
                    step_id=p.step_id,
                    week_start=p.week_start,
                    from_mode=p.from_mode,
                    to_mode=p.to_mode,
                    status="open",
                    figures=p.figures,
                    opened_at=at,
                    decided_at=None,
                    decided_by=None,
                )
                for p in change.new_proposals
            ],
        )
    if change.verdicts:
        insert_all(s, VERDICT, [{**shallow_columns(v), "recorded_at": at} for v in change.verdicts])
    rows = [decision_columns(d, at) for d in change.decisions]
    if change.told_of_first:  # the first row's id before the rest: the messages' keys end with it
        if not rows:
            raise ValueError("told of the change's first decision, and it has none")
        s.flush()  # pending ORM rows first, as insert_all's
        first = s.connection().execute(insert(DECISION).returning(DECISION.c.id), rows.pop(0)).scalar_one()
        enqueue_in(s, [replace(m, key=f"{m.key}:{first}") for m in change.told_of_first], at)
    if rows:
        insert_all(s, DECISION, rows)
    # Webhooks: the events of these decisions, in this unit of work (storage/webhooks.py).
    announce(s, change.decisions, at, change.events)
    _cycle_rows(s, change, at)


def _cycle_rows(s: Session, change: Change, at: datetime) -> None:
    """A close's cycle rows: the bars recorded at a cycle's first close, the results at its
    last; an adopter's baseline as its baseline week measured it, kept in its definition too."""
    for b in change.baselines:
        playbook = s.get_one(Playbook, b.playbook_id)
        spec = read_spec(playbook.definition)
        kpi = spec.kpi.model_copy(update={"baseline": b.value})
        playbook.definition = spec.model_copy(update={"kpi": kpi}).canonical()
        playbook.kpi_baseline = playbook.baseline_measured = b.value
        playbook.updated_at = at
        s.add(playbook)
    if change.cycle_bars:
        insert_all(s, _CYCLE_BAR, [{**shallow_columns(b), "recorded_at": at} for b in change.cycle_bars])
    if change.cycle_results:
        insert_all(
            s,
            _CYCLE_RESULT,
            [
                dict(
                    playbook_id=r.playbook_id,
                    cycle=r.result.cycle,
                    starts_on=r.starts_on,
                    kpi_weeks=r.result.kpi_weeks,
                    mean=r.result.mean,
                    target=r.result.target,
                    direction=r.result.direction,
                    hit=r.result.hit,
                    weeks_met=r.result.weeks_met,
                    interrupted=r.result.interrupted,
                    recorded_at=at,
                    closed_at=r.closed_at or at,
                )
                for r in change.cycle_results
            ],
        )
