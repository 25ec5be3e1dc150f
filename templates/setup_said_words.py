"""Setup as the seed means it (cadence/setup_said.py): a version's line in the registry, the
minutes its teams said beside the minutes measured in the bot's forms, and the mark of a
kit that needs work. One wording for Slack, the web view and the API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from templates import render
from templates.notices import Payload

OVER_THE_HOUR = "over the hour: the kit needs work"


def line(said: Mapping[str, Any] | None, measured: Mapping[str, Any] | None) -> str | None:
    """ "setup: 45 min said, 30 min in forms; a meeting needed by 1 of 4 teams" (the forms'
    part only where measured); None: no team has said yet."""
    if not said:
        return None
    forms = f", {round(measured['median'])} min in forms" if measured else ""
    teams = f"{said['teams']} team{'s' if said['teams'] != 1 else ''}"
    return f"setup: {round(said['median'])} min said{forms}; a meeting needed by {said['meetings']} of {teams}"


def ask(*, slug: str, title: str, playbook_id: int) -> Payload:
    """The DM with *Tell us how setup went* (setup_said_ask.json.j2)."""
    return render("setup_said_ask", slug=slug, title=title, playbook_id=playbook_id)
