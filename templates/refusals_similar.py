"""The same learning, not paid twice (usecases/similar.py): the refusals, each a key of the
catalogue this module registers (templates/refusals.py) and no other does."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
    "similar_reason": "Say why it is not one of those above, or adopt one of them: nothing was created.",
}
