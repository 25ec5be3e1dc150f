"""Mode governance in the database: verdicts, proposals, mode changes and cycle results
(the registry is storage/registry.py's). Every change here also writes its decision row,
in the same transaction. What the rules read of each step's history and of the cycles are
its bases': storage/step_histories.py, storage/cycle_reads.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Date, Integer, and_, bindparam, case, insert, or_, select, update
from sqlmodel import Session, col

from cadence.change import Change
from cadence.definition import read_spec
from cadence.pooling import Bar
from cadence.registry_decisions import TEAM_FIGURE
from storage import step_modes
from storage.bulk import insert_all, insert_new
from storage.cadence_log import JOBS, Work, job_row
from storage.cycle_reads import CycleReads
from storage.db import Bind, engine_of, in_unit_of_work, joined, reading
from storage.governance_rows import StaleState, decision_columns, shallow_columns
from storage.models import table_of
from storage.models.governance import (
    LOGGED,
    CycleBar,
    CycleResult,
    Proposal,
    StepVerdict,
)
from storage.models.governance import Decision as DecisionRow
from storage.models.playbooks import Playbook, Step
from storage.outbox import enqueue_in
from storage.step_histories import StepHistories
from storage.types import one_of
from storage.webhook_events import announce

VERDICT, STEP, DECISION = table_of(StepVerdict), table_of(Step), table_of(DecisionRow)
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


# The tables a close's writes fill (the reads of them: storage/cycle_reads.py).
_CYCLE_RESULT = table_of(CycleResult)
_CYCLE_BAR = table_of(CycleBar)
_PROPOSAL = table_of(Proposal)
_PLAYBOOK = table_of(Playbook)


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


class Governance(StepHistories, CycleReads):
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    # ---- reads ----

    def proposal(self, key: str) -> Proposal | None:
        with reading(self.bind) as s:
            return s.execute(select(Proposal).where(col(Proposal.key) == key)).scalars().first()

    def step_names(self, step_ids: list[int]) -> dict[int, str]:
        """The names of these steps, by id (retired ones too)."""
        if not step_ids:
            return {}
        with reading(self.bind) as s:
            rows = s.connection().execute(
                select(STEP.c.id, STEP.c.name).where(one_of(STEP.c.id, "ids")), {"ids": step_ids}
            )
            return {step_id: name for step_id, name in rows}

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

    def lock_log(self, playbook_id: int) -> None:
        """The playbook's row locked until the use case's unit of work ends (SELECT ... FOR
        UPDATE on PostgreSQL; SQLite's writers run one at a time, storage.db.writers_in_turn),
        so that a use case reading the playbook's log to number the decision it writes (the
        assessment's next version) runs one at a time: two at once never share a number."""
        s = in_unit_of_work(self.bind, "a numbered decision locks its playbook's log in the use case's unit of work")
        s.execute(select(col(Playbook.id)).where(col(Playbook.id) == playbook_id).with_for_update())

    def history(
        self, playbook_id: int, step_id: int | None, limit: int, teams: frozenset[str] | None = None
    ) -> list[DecisionRow]:
        """A playbook's (or one step's) latest decisions, newest first: everything decided
        but the weekly verdicts and guardrail readings, which status and the week's summary
        show week by week. One query, through ix_decision_log. `teams`: a reader's scope,
        the playbooks it sees; a decision naming another team is kept only when it names
        one of them by its slug (cadence.registry_decisions.TEAM_FIGURE), in the query, so
        `limit` counts the decisions the reader sees (None: every decision)."""
        statement, parameters = _LOG, {"playbook_id": playbook_id, "limit": limit}
        if step_id is not None:
            statement, parameters = _STEP_LOG, {**parameters, "step_id": step_id}
        if teams is not None:
            statement = statement.where(seen_by(teams))
        with reading(self.bind) as s:
            return list(s.execute(statement, parameters).scalars().all())


def seen_by(teams: frozenset[str]) -> ColumnElement[bool]:
    """A decision a reader seeing the playbooks `teams` sees: one naming no other team, or
    naming one of them by its slug in its figures."""
    kind = col(DecisionRow.kind)
    named = [
        and_(kind == str(k), col(DecisionRow.figures)[figure].as_string().in_(sorted(teams)))
        for k, figure in TEAM_FIGURE.items()
        if figure is not None and teams
    ]
    return or_(kind.not_in([str(k) for k in TEAM_FIGURE]), *named)


def apply_change(s: Session, change: Change, at: datetime) -> None:
    """Write `change` in the unit of work `s`: mode changes (compare-and-set; StaleState if
    one no longer holds), withdrawn proposals, the new rows table by table (and what is
    told of its first decision: Change.told_of_first), and the webhooks' events of its
    decisions."""
    for m in change.mode_changes:  # the one writer of a step's mode and pin
        if not step_modes.write(s, m):
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
