"""A playbook's bar: loosening it asks a curator, a file's load says why
(usecases/bar_requests.py, usecases/bar_loaded.py): the refusals, each a key of
the catalogue this module registers (templates/refusals.py) and no other does."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
    "bar_load_why": (
        "{slug}: this file loosens the bar ({changes}), so it needs a reason: load it again with "
        '--why "…" (rollout playbook load FILE --why "why the bar moves").'
    ),
    # A change whose loosened part waits (docs/playbooks.md, "The bar moves by decision") and
    # whose tightened part would not fit the bar in force until then: a file's load
    # (usecases/bar_loaded.py). The edit form cannot make one: it changes one bound of a
    # section, and checks the whole change first.
    "bar_now_invalid": (
        "{slug}: {problem} in what would apply now. The loosened part of this change ({waiting}) "
        "waits for the next cycle, and the bar in force until then does not fit the rest of it. "
        "Make the change in two steps: the loosening first, the rest once it applies."
    ),
    "bar_why": "These changes loosen the bar, so a curator decides on them: say why ({changes}).",
    "bar_no_curators": "These changes loosen the bar ({changes}), and no curators channel is set to decide on them. "
    "Ask an admin to set one, or leave the bar as it is.",
    "bar_curators_only": "Only a curator other than the asker (with a single curator, an admin) approves or "
    "declines a change to a playbook's bar.",
    "bar_own_request": "You asked for this change to the bar, and the asker never decides their own: "
    "another curator (with a single curator, an admin) decides on it.",
    "bar_unknown": "I don't know that request to change the bar any more.",
    "bar_decided": "That request to change the bar is {state} already.",
    "bar_found_since": "Not approved: read again now, the replay finds more made easier: {found} The card shows it.",
    "gates_shut": "Not approved: {step} to {mode} does not pass its gates now, read at your click: {gates}",
    "bar_decided_now": "That request to change the bar was decided a moment ago by someone else; nothing more was done.",
}
