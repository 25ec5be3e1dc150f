"""Setup as the seed means it (usecases/setup_said.py): the refusals, each a key of the
catalogue this module registers (templates/refusals.py) and no other does."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
    "setup_said_gone": "That playbook no longer exists; nothing was stored.",
    "setup_said_not_adopted": "{slug} was not adopted from the registry, so there is no setup to tell; nothing was stored.",
    "setup_said_not_yours": ("Only {asked}, {whom} of {slug}, tells how its setup went; nothing was stored."),
    "setup_said_answered": "How {slug}'s setup went was told already; nothing was stored.",
    "setup_said_minutes": "Type the minutes as a whole number from 1 to {most}.",
    "setup_said_meeting": "Say yes or no.",
}
