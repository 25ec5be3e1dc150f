"""A playbook's wave (counted across its versions) in words, for the registry, the web view, the request card and the
refusal past it: "wave 2: 2 of 3 teams; wave 3 opens when one replicates and wave 2's
learnings are reviewed" (usecases/shared/waves.py `shown` gives the dict)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def wave_opens(wave: Mapping[str, Any]) -> str:
    """What opens the wave after the version's newest, or that it is open."""
    number, after = wave["number"], wave["number"] + 1
    if wave["replicated"] and wave["reviewed"]:
        return f"wave {after} is open"
    if wave["replicated"]:
        return f"wave {after} opens when wave {number}'s learnings are reviewed (one replicated)"
    if wave["reviewed"]:
        return f"wave {after} opens when one of wave {number} replicates (learnings reviewed)"
    return f"wave {after} opens when one replicates and wave {number}'s learnings are reviewed"


def wave_line(wave: Mapping[str, Any]) -> str:
    """The version's newest wave: how many teams of how many, and what opens the next."""
    return f"wave {wave['number']}: {len(wave['teams'])} of {wave['size']} teams; {wave_opens(wave)}"


# The templates' filters of the waves, by name (registered in templates/__init__.py).
FILTERS = {"wave_line": wave_line}
