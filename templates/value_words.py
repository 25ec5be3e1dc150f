"""The words of value that the org's figures say (usecases/value.py, OrgValue): whose hours
the net counts, and the playbooks a cost per hour saved leaves out for a spend not known.
An unknown is never 0: it is said."""

from __future__ import annotations

from collections.abc import Sequence


def cost_unknown_words(unknown: int, costed: int) -> str:
    """What the org's cost per hour saved says of the playbooks whose declared spend is not
    known (`unknown`), left out rather than taken as 0: beside a figure over the `costed`
    others ("1 playbook left out, its spend not known"), or, with none, why there is none."""
    whose = "1 playbook's spend is" if unknown == 1 else f"{unknown} playbooks' spend is"
    if not costed:
        return f"cost per hour saved unknown: {whose} not known"
    return (
        "1 playbook left out, its spend not known"
        if unknown == 1
        else f"{unknown} playbooks left out, their spend not known"
    )


def net_scope(measured: int, net_playbooks: int, net_slugs: Sequence[str]) -> str:
    """Whose hours the net counts, named: "support-replies, 1 of 3 playbooks measuring
    value, the one whose oversight is reported", or "the 3 playbooks measuring value"."""
    if net_playbooks == measured:
        return "the playbook measuring value" if measured == 1 else f"the {measured} playbooks measuring value"
    named = ", ".join(net_slugs) if 0 < len(net_slugs) <= 3 else f"{net_playbooks} playbooks"
    which = "the one" if net_playbooks == 1 else "those"
    return f"{named}, {net_playbooks} of {measured} playbooks measuring value, {which} whose oversight is reported"
