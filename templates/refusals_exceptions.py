"""The exception queue, its escalations, and stalls (usecases/exception_queue.py,
usecases/stalls.py): the refusals, each a key of
the catalogue this module registers (templates/refusals.py) and no other does."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
    "stall_reason_missing": "Say why: the reason is kept with the decision.",
    "item_not_yours": (
        "Only the exception owner of *{slug}* ({exception_owner}), its owner ({owner}) or a curator "
        "can move its exception items; nothing was changed."
    ),
    "item_gone": "That exception item no longer exists; nothing was changed.",
    "item_withdrawn": "That item was withdrawn: the report it came from was undone. Nothing was changed.",
    "item_closed": "That item was {state} already; nothing was changed.",
    "item_acknowledged": "That item is acknowledged already; resolve or accept it with a note.",
    "item_unknown_move": "An exception item can be acknowledged, resolved or accepted, not “{to}”.",
    "item_note": "Say why in a note: it is what the team reads later.",
    "item_escalated": "That item was escalated already ({on}); nothing was changed.",
    "escalation_why": "Say why you escalate it: it is what the people it goes to read first.",
    "escalation_not_yours": (
        "Only the exception owner of *{slug}* ({exception_owner}), its owner ({owner}), whoever it was "
        "escalated to or a curator can acknowledge this escalation; nothing was changed."
    ),
    "escalation_answered": "That escalation was answered already; nothing was changed.",
    "item_moved": "Someone moved that item a moment ago; nothing was changed. Open the list again to see it.",
}
