"""The pulse (docs/usage.md, "The pulse"): each cycle's anonymous answers and, while the
cycle is open, its key and its voters. Nothing here names a person: an answer is kept
once per person by a keyed hash (HMAC-SHA256) of the person under the cycle's random key,
kept apart from the answers (PulseVoter: the hash and the random label of its answer);
the close destroys the key and the hashes (storage/pulse.py, seal: overwritten on SQLite,
the table rewritten on PostgreSQL) and writes each answer again under a new random label
in a random order, after which nothing ties an answer to a person."""

from __future__ import annotations

from typing import Optional

from sqlalchemy import CheckConstraint
from sqlmodel import Field, SQLModel

# The pulse's tables are read through storage/pulse.py's gate alone (aggregates only): a
# reader of every table (the CSV export) leaves out the ones marked so.
GATED = "read_through_the_pulse_gate"
AROUND = ("never", "sometimes", "often")  # did you work around an AI-led or collaborative step?
FREED = ("same", "new", "quality", "meetings", "none")  # where the time it saved went


class PulseKey(SQLModel, table=True):
    """A cycle's key while its pulse is open (made at its first answer, deleted at its close)."""

    __tablename__ = "pulse_key"
    __table_args__ = {"info": {GATED: True}}

    playbook_id: int = Field(foreign_key="playbook.id", primary_key=True)
    cycle: int = Field(primary_key=True)
    secret: str = Field(max_length=64)


class PulseVoter(SQLModel, table=True):
    """While a cycle is open: a person's keyed hash and the label of their answer, so that
    answering again replaces it. Destroyed at the close with the cycle's key."""

    __tablename__ = "pulse_voter"
    __table_args__ = {"info": {GATED: True}}

    playbook_id: int = Field(foreign_key="playbook.id", primary_key=True)
    cycle: int = Field(primary_key=True)
    voter: str = Field(max_length=64, primary_key=True)  # HMAC-SHA256 of the person under the cycle's key
    label: str = Field(max_length=32)  # the answer's (PulseAnswer.label)


class PulseAnswer(SQLModel, table=True):
    """One person's answer to a cycle's pulse, every question optional; no time, no person."""

    __tablename__ = "pulse_answer"
    __table_args__ = (
        CheckConstraint("trust IS NULL OR trust BETWEEN 1 AND 5", name="trust"),
        CheckConstraint("safety IS NULL OR safety BETWEEN 1 AND 5", name="safety"),
        CheckConstraint("around IS NULL OR around IN ('never', 'sometimes', 'often')", name="around"),
        CheckConstraint("freed IS NULL OR freed IN ('same', 'new', 'quality', 'meetings', 'none')", name="freed"),
        {"info": {GATED: True}},
    )

    playbook_id: int = Field(foreign_key="playbook.id", primary_key=True)
    cycle: int = Field(primary_key=True)
    label: str = Field(max_length=64, primary_key=True)  # random, made anew at the close
    trust: Optional[int] = None
    around: Optional[str] = Field(default=None, max_length=12)
    safety: Optional[int] = None
    freed: Optional[str] = Field(default=None, max_length=12)
