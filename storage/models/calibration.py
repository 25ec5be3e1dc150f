"""Runs of a step's calibration set (docs/playbooks.md, "Calibration"), and the marks of
an edit that said the step's prompt or model changed. Append-only."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Index
from sqlmodel import Field, SQLModel

from storage.models.base import instant, long_text


class CalibrationRun(SQLModel, table=True):
    """`/rollout calibrate <playbook> <step> 37/40 [note]`: who ran the set, when, its
    score, against which revision (`revision`: the latest revision's decision id, None
    before any) and the step as declared then (`basis`, cadence/calibration.py). A row of
    kind `prompt-changed` (no counts) marks an edit that ticked the form's old *Prompt or model
    changed* box: kept, and read, but no longer written (a change of a step's declared `model`
    or `prompt` makes a run stale by itself)."""

    __tablename__ = "calibration_run"
    __table_args__ = (
        CheckConstraint("kind IN ('run', 'prompt-changed')", name="kind"),
        CheckConstraint("kind != 'run' OR (passed IS NOT NULL AND total IS NOT NULL AND passed <= total)", name="run"),
        Index("ix_calibration_run_step", "playbook_id", "step", "id"),
    )

    id: int = Field(default=None, primary_key=True)  # None only until inserted
    playbook_id: int = Field(foreign_key="playbook.id")
    step: str = Field(max_length=40)
    kind: str = Field(default="run", max_length=16)
    passed: Optional[int] = None
    total: Optional[int] = None
    basis: str = Field(max_length=64)
    revision: Optional[int] = None
    note: Optional[str] = long_text(nullable=True)
    recorded_by: str = Field(max_length=32)
    recorded_at: datetime = instant()
