"""Strict boundaries (cadence/boundaries.py): `/rollout mode` toward ai-led refused at once
while the step's calibration set is too tidy and it declares no boundaries (the same gate
the close and the approving click read, cadence/promotion_gates.py): asking a curator to
approve what its gates would refuse helps nobody."""

from __future__ import annotations

from cadence import boundaries
from cadence.state import PlaybookState
from templates.boundaries_words import vague_phrase
from templates.refusals import Refusal


def refuse_if_vague(state: PlaybookState, step: str, mode: str) -> None:
    """Refuse a move of `step` to ai-led that the gate of messy cases or boundaries shuts."""
    vague = boundaries.vagueness(state.playbook.definition, step) if mode == boundaries.AI_LED else None
    if vague is not None:
        raise Refusal.of("vague_to_ai_led", step=step, slug=state.playbook.slug, why=vague_phrase(vague))
