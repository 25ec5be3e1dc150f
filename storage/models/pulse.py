"""The pulse (docs/usage.md, "The pulse"): each cycle's anonymous answers and, while the
cycle is open, its key. Nothing here names a person: an answer is kept once per person
by `voter`, a keyed hash (HMAC-SHA256) of the person under the cycle's random key; the
close deletes the key and writes each answer again under a random label in a random
order, after which no one can tie an answer to a person."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

AROUND = ("never", "sometimes", "often")  # did you work around an AI-led or collaborative step?
FREED = ("same", "new", "quality", "meetings", "none")  # where the time it saved went


class PulseKey(SQLModel, table=True):
    """A cycle's key while its pulse is open (made at its first answer, deleted at its close)."""

    __tablename__ = "pulse_key"

    playbook_id: int = Field(foreign_key="playbook.id", primary_key=True)
    cycle: int = Field(primary_key=True)
    secret: str = Field(max_length=64)


class PulseAnswer(SQLModel, table=True):
    """One person's answer to a cycle's pulse, every question optional; no time, no person."""

    __tablename__ = "pulse_answer"
    __table_args__ = (
        CheckConstraint("trust IS NULL OR trust BETWEEN 1 AND 5", name="trust"),
        CheckConstraint("safety IS NULL OR safety BETWEEN 1 AND 5", name="safety"),
        CheckConstraint("around IS NULL OR around IN ('never', 'sometimes', 'often')", name="around"),
        CheckConstraint("freed IS NULL OR freed IN ('same', 'new', 'quality', 'meetings', 'none')", name="freed"),
    )

    playbook_id: int = Field(foreign_key="playbook.id", primary_key=True)
    cycle: int = Field(primary_key=True)
    voter: str = Field(max_length=64, primary_key=True)  # the keyed hash while open; a random label after
    trust: Optional[int] = None
    around: Optional[str] = Field(default=None, max_length=12)
    safety: Optional[int] = None
    freed: Optional[str] = Field(default=None, max_length=12)
