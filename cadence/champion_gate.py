"""A trained champion before access (docs/playbooks.md, "Champions"): every adopting team
has a champion, the one named in `adopt` or `request`, else the new owner; while the kit
requires one (`requires_champion`, the default) its steps stay human-led (no step moves
up, in any cycle) until the champion's training items (the kit's `training` and `checks`
lines) are all done. The owner is the champion only as the team's only member: in a team
of more people they are asked to name another, and cannot mark the training done
themselves. Plain data in, plain data out."""

from __future__ import annotations

from collections.abc import Iterable

NAMED = "named"  # someone other than the owner
OWNER_ALONE = "owner_alone"  # the owner, the team's only member
OWNER_NOT_ALONE = "owner_not_alone"  # the owner, in a team of more people: name another


def champion_of(named: str | None, owner: str) -> tuple[str, bool]:
    """The adopting team's champion, and whether it is the owner by default (none named)."""
    return (named, False) if named else (owner, True)


def promotions_wait(required: bool, champion: str | None, done: int, total: int) -> bool:
    """Whether an adopting team's steps wait for its champion's training before any move
    up: while the kit requires a champion (`required`: an adopting playbook whose kit does
    not say `requires_champion: false`) and `done` of the `total` items are marked. A
    playbook adopted before every team had a champion (`champion` None) and a kit without
    training or checks wait for nothing."""
    return required and champion is not None and done < total


def standing(champion: str | None, owner: str, team: Iterable[str] | None) -> str | None:
    """Who the champion is to the team: NAMED, OWNER_ALONE or OWNER_NOT_ALONE; None: no
    champion, or the owner while the team's members are not known (Slack did not say)."""
    if champion is None:
        return None
    if champion != owner:
        return NAMED
    if team is None:
        return None
    return OWNER_ALONE if set(team) <= {owner} else OWNER_NOT_ALONE


def may_mark(champion: str | None, owner: str, by: str, team: Iterable[str] | None) -> bool:
    """Whether `by` may mark the champion's training: the champion, and the owner as
    champion only as the team's only member (`team`: its people; None: not known, allowed)."""
    return by == champion and standing(champion, owner, team) != OWNER_NOT_ALONE
