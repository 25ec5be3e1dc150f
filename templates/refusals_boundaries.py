"""Strict boundaries (usecases/boundaries.py): the refusals, each a key of the catalogue
this module registers (templates/refusals.py) and no other does."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
    "vague_to_ai_led": "Not asked: {step} of {slug} to ai-led: {why}. Nothing was stored.",
    "out_no_boundaries": (
        "Step {step} of {slug} declares no boundaries, so nothing is out of its scope: declare them"
        " (`boundaries: [refund over 500 EUR, legal threat]`, in `/rollout edit` or the YAML) before"
        " counting cases out of scope. Nothing was stored."
    ),
    "out_arguments": "`out:N` takes a count of cases out of scope, such as `out:5`.",
}
