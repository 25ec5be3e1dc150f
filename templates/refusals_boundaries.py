"""Strict boundaries (usecases/boundaries.py): the refusals, each a key of the catalogue
this module registers (templates/refusals.py) and no other does."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
    "vague_to_ai_led": "Not asked: {step} of {slug} to ai-led: {why}. Nothing was stored.",
}
