"""Each step's history as the rules read it (storage/governance.py's Governance, whose
base this is): its last evaluated weeks' verdicts, the mode changes, rejections and
guardrail breaches since, and the open proposals, in three queries for any number of steps."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Date, Integer, Select, and_, bindparam, func, or_, select, true
from sqlalchemy.engine import Engine
from sqlmodel import col

from cadence import recovery
from cadence.decisions import DecisionKind
from cadence.rules import LEVELS, StepState
from cadence.state import PlaybookState
from cadence.verdicts import WeekNumbers, WeekVerdict
from storage.db import Bind, reading
from storage.governance_rows import StepHistory
from storage.models import table_of
from storage.models.governance import (
    GUARDRAIL_WEEKS,
    STEP_CHANGES,
    Proposal,
    StepVerdict,
)
from storage.models.governance import Decision as DecisionRow
from storage.models.playbooks import Step
from storage.types import one_of

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
_OPEN_PROPOSALS_OF = (
    select(Proposal)
    .where(one_of(col(Proposal.playbook_id), "pids"), col(Proposal.status) == "open")
    .order_by(col(Proposal.id))
)


def _guardrail_weeks(found: Sequence[Any]) -> dict[int, dict[date, str]]:
    """Each playbook's guardrail readings by week."""
    guardrail: dict[int, dict[date, str]] = {}
    for d in found:
        if d.kind == DecisionKind.GUARDRAIL:
            guardrail.setdefault(d.playbook_id, {})[d.week_start] = (d.figures or {}).get("state", "MISSING")
    return guardrail


def _verdicts_of(verdicts: Sequence[Any], ids: list[int]) -> dict[int, list[WeekVerdict]]:
    verdicts_of: dict[int, list[WeekVerdict]] = {i: [] for i in ids}
    for step_id, week_start, outcome, cases, exceptions, rubric, rule, reviewed, dimensions in verdicts:
        numbers = WeekNumbers(cases, exceptions, rubric, reviewed, dimensions)
        verdicts_of[step_id].append(WeekVerdict(week_start, outcome, numbers, rule))
    return verdicts_of


# Per step: the weeks of its mode changes, of those its demotions, and its rejections.
Dated = tuple[dict[int, list[date]], dict[int, list[date]], dict[int, list[date]]]


def _dated(found: Sequence[Any]) -> Dated:
    changes: dict[int, list[date]] = {}
    demotions: dict[int, list[date]] = {}
    rejections: dict[int, list[date]] = {}
    decisions = [d for d in found if d.kind != DecisionKind.GUARDRAIL]  # the steps' mode changes and rejections
    for d in decisions:
        if d.kind == "proposal-rejected":
            rejections.setdefault(d.step_id, []).append(d.week_start)
            continue
        changes.setdefault(d.step_id, []).append(d.week_start)
        if d.from_mode and d.to_mode and LEVELS.index(d.to_mode) < LEVELS.index(d.from_mode):
            demotions.setdefault(d.step_id, []).append(d.week_start)
    return changes, demotions, rejections


def _step_states(
    states: list[PlaybookState],
    verdicts_of: dict[int, list[WeekVerdict]],
    dated: Dated,
    guardrail: dict[int, dict[date, str]],
    open_by_step: dict[int | None, Proposal],
    found: Sequence[Any] = (),
) -> dict[int, StepState]:
    changes, demotions, rejections = dated
    # each step's mode changes, grouped once: a scan of every change per step made the close
    # of 10,000 playbooks quadratic (653 s; bench/scale.py)
    changed_of: dict[int, list[Any]] = {}
    for d in found:
        if d.kind not in (DecisionKind.GUARDRAIL, DecisionKind.PROPOSAL_REJECTED):
            changed_of.setdefault(d.step_id, []).append(d)
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
                review_since=recovery.review_since(
                    (d.week_start, d.to_mode, d.figures) for d in changed_of.get(step_id, ())
                ),
            )
    return result


class StepHistories:
    """The step reads of Governance (storage/governance.py), which gives it its bind."""

    bind: Bind
    engine: Engine

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
        guardrail = _guardrail_weeks(found)
        steps_read = set(ids)
        open_by_step = {p.step_id: p for p in proposals if p.kind == "promotion" and p.step_id in steps_read}
        result = _step_states(states, _verdicts_of(verdicts, ids), _dated(found), guardrail, open_by_step, found)
        return StepHistory(result, open_by_step, guardrail, proposals)

    def open_proposals_of(self, playbook_ids: list[int]) -> list[Proposal]:
        if not playbook_ids:
            return []
        with reading(self.bind) as s:
            return list(s.execute(_OPEN_PROPOSALS_OF, {"pids": playbook_ids}).scalars())

    def open_proposals(self, playbook_id: int) -> list[Proposal]:
        return self.open_proposals_of([playbook_id])
