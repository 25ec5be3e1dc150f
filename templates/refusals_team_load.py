"""A team's load (usecases/shared/team_load.py): the refusals, each a key of the catalogue
this module registers (templates/refusals.py) and no other does."""

from __future__ import annotations

REFUSALS: dict[str, str] = {
    "adopt_load": (
        "{team} is carrying all the change it can absorb now: {full} (adoptions in the last cycle: {adoptions}; "
        "steps in fallback: {fallbacks}). *{slug}* v{version} was not adopted; nothing was stored. Ask again when "
        "the team has room, or a curator may adopt it all the same by adding `override <reason>`; the reason "
        "is recorded."
    ),
}
