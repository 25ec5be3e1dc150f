"""Where it rolls next (usecases/next_steps.py): the refusals, each a key of the catalogue
this module registers (templates/refusals.py) and no other does."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
    "next_arguments": "`/rollout next` takes no more words: it ranks everything that could scale next.",
}
