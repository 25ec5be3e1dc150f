"""A champion before autonomy (docs/playbooks.md, "Champions"): every adopting team has a
champion, the one named in `adopt` or `request`, else the new owner; in an adopting team's
first cycle no promotion proposal is posted while the champion's training items (the
kit's `training` and `checks` lines) are not all done. Plain data in, plain data out."""

from __future__ import annotations


def champion_of(named: str | None, owner: str) -> tuple[str, bool]:
    """The adopting team's champion, and whether it is the owner by default (none named)."""
    return (named, False) if named else (owner, True)


def promotions_wait(first_cycle: bool, champion: str | None, done: int, total: int) -> bool:
    """Whether an adopting team's promotion proposals wait for its champion's training:
    in its first cycle (`first_cycle`: an adoption's), while `done` of the `total` items
    are marked. A playbook adopted before every team had a champion (`champion` None) and
    a kit without training or checks wait for nothing."""
    return first_cycle and champion is not None and done < total
