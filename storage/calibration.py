"""Calibration runs (storage/models/calibration.py): each step's latest run and whether an
edit said its prompt or model changed after it, and the run or mark to record."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import col, select

from cadence.calibration import Run
from cadence.decisions import DecisionKind
from storage.db import Bind, engine_of, joined, reading
from storage.models.calibration import CalibrationRun
from storage.models.governance import Decision

REVISIONS = (DecisionKind.PLAYBOOK_CREATED.value, DecisionKind.PLAYBOOK_CHANGED.value)


class Calibrations:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def add(self, rows: list[CalibrationRun]) -> None:
        """Runs or marks, in one transaction (or the unit of work's)."""
        with joined(self.bind) as s:
            s.add_all(rows)

    def latest(self, playbook_ids: list[int]) -> dict[tuple[int, str], tuple[Run | None, bool]]:
        """By (playbook, step name lowercased): the latest run (None: none) and whether a
        `prompt-changed` mark (left by the edit form's old box) came after it. Steps with neither are left out."""
        if not playbook_ids:
            return {}
        with reading(self.bind) as s:
            rows = s.exec(
                select(CalibrationRun)
                .where(col(CalibrationRun.playbook_id).in_(playbook_ids))
                .order_by(col(CalibrationRun.id))
            ).all()
        found: dict[tuple[int, str], tuple[Run | None, bool]] = {}
        for r in rows:
            key = (r.playbook_id, r.step.lower())
            if r.kind == "run" and r.passed is not None and r.total is not None:
                run = Run(r.passed, r.total, r.basis, r.recorded_by, r.recorded_at, r.revision, r.note)
                found[key] = (run, False)
            else:
                found[key] = (found.get(key, (None, False))[0], True)
        return found

    def runs(self, playbook_id: int) -> dict[str, list[Run]]:
        """Every run of the playbook's calibration sets, by step name lowercased, oldest
        first: a failed run stays in the list after a later pass."""
        with reading(self.bind) as s:
            rows = s.exec(
                select(CalibrationRun)
                .where(col(CalibrationRun.playbook_id) == playbook_id, col(CalibrationRun.kind) == "run")
                .order_by(col(CalibrationRun.id))
            ).all()
        found: dict[str, list[Run]] = {}
        for r in rows:
            if r.passed is not None and r.total is not None:
                run = Run(r.passed, r.total, r.basis, r.recorded_by, r.recorded_at, r.revision, r.note)
                found.setdefault(r.step.lower(), []).append(run)
        return found

    def revisions_after(self, after: dict[int, int]) -> dict[int, list[tuple[int, dict[str, Any], dict[str, Any]]]]:
        """Each playbook's revisions after the one of id `after[playbook]` (0: all), in one
        read however many playbooks: (id, the definition before, the definition after),
        oldest first. Playbooks without any are left out."""
        if not after:
            return {}
        by_after: dict[int, list[int]] = {}
        for playbook_id, since in after.items():
            by_after.setdefault(since, []).append(playbook_id)
        which = or_(
            *(
                and_(col(Decision.playbook_id).in_(sorted(ids)), col(Decision.id) > since)
                for since, ids in sorted(by_after.items())
            )
        )
        with reading(self.bind) as s:
            rows = s.exec(
                select(col(Decision.id), col(Decision.playbook_id), col(Decision.figures))
                .where(col(Decision.kind) == DecisionKind.PLAYBOOK_CHANGED.value, which)
                .order_by(col(Decision.id))
            ).all()
        found: dict[int, list[tuple[int, dict[str, Any], dict[str, Any]]]] = {}
        for rid, of, figures in rows:
            found.setdefault(of or 0, []).append((rid, figures.get("before") or {}, figures.get("after") or {}))
        return found

    def revision_rows(self, playbook_id: int) -> list[tuple[int, str, datetime, dict[str, Any]]]:
        """The playbook's revisions (its definition changed), oldest first: each row's id,
        who made it, when, and its figures (the definitions before and after, and its why):
        what a step's texts' diffs are read from (cadence/step_texts.py). One query."""
        with reading(self.bind) as s:
            rows = s.exec(
                select(col(Decision.id), col(Decision.actor), col(Decision.decided_at), col(Decision.figures))
                .where(
                    col(Decision.playbook_id) == playbook_id,
                    col(Decision.kind) == DecisionKind.PLAYBOOK_CHANGED.value,
                )
                .order_by(col(Decision.id))
            ).all()
        return [(rid, actor, at, figures or {}) for rid, actor, at, figures in rows]

    def latest_revision(self, playbook_id: int) -> int | None:
        """The id of the playbook's latest revision (its creation, or a change to it)."""
        with reading(self.bind) as s:
            return s.exec(
                select(col(Decision.id))
                .where(col(Decision.playbook_id) == playbook_id, col(Decision.kind).in_(REVISIONS))
                .order_by(col(Decision.id).desc())
                .limit(1)
            ).first()
