"""Reading: status, a playbook's history, the web view's link: the refusals, each a key of
the catalogue this module registers (templates/refusals.py) and no other does."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
    "status_arguments": "`status` takes at most one playbook.",
    "web_arguments": "`web` takes nothing: it answers with your sign-in link.",
    "web_not_configured": (
        "The web view's address is not set, so I can't make you a link. "
        "Ask your Rollout admin to set ROLLOUT_WEB_URL to the web view's address."
    ),
    "history_arguments": "Name the playbook, and if you like one of its steps and how many decisions to show.",
    "history_limit": "Show between 1 and {limit} decisions at a time.",
}
