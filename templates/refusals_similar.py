"""The same learning, not paid twice (usecases/shared/similar.py): the refusals, each a key of the
catalogue this module registers (templates/refusals.py) and no other does."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
    "adopt_similar": (
        "*{slug} v{version}* would be the team's first playbook of its function, and {matches}: adopt that "
        "instead, or add `override <reason>` to adopt this one anyway (the reason is kept)."
    ),
    "similar_reason": "Say why it is not one of those above, or adopt one of them: nothing was created.",
}
