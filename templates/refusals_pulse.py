"""The pulse: the team's questions at a cycle's end (usecases/pulse.py): the refusals, each a key of
the catalogue this module registers (templates/refusals.py) and no other does."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
    "pulse_arguments": "`pulse` needs a playbook, and nothing after it.",
    "pulse_off": "{slug} asks no pulse: its definition says `pulse: off`.",
    "pulse_not_open": (
        "The pulse of {slug}'s cycle {cycle} opens on {day}, week 4's Thursday, and stays open until the cycle closes."
    ),
    "pulse_closed": "Cycle {cycle} of {slug} has closed, and its pulse with it; nothing was stored.",
    "pulse_no_cycle": "{slug} has no cycle running, so no pulse to answer.",
    "pulse_members_only": "Only members of {channel}, the team running {slug}, and its owner answer its pulse.",
    "pulse_empty": "Answer at least one question; nothing was stored.",
}
