"""`team_load_max` in a playbook's definition (rules; PRODUCT, "Change absorption"): how
many active playbooks, and revisions in 4 weeks, a team carries before an adoption into it
waits for a curator's override (the count and the verdict: cadence/team_load.py)."""

from __future__ import annotations

from pydantic import Field

from cadence.definition_parts import Strict


class TeamLoadMax(Strict):
    playbooks: int = Field(default=3, ge=1, le=100)
    revisions: int = Field(default=4, ge=1, le=1000)
