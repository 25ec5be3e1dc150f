"""A team's load (PRODUCT, "From a pilot to a programme", "Change absorption"): how much
change a team is carrying, counted, and whether one more adoption is more than it absorbs.

A team is a team channel: the channel a playbook runs in (`channel:`), where its members
check in and its pulse is asked. A function (Support) spans teams; an owner may own
playbooks in several teams; a channel is the one thing every playbook, adoption and
request names for "the team".

The count: its active playbooks (running, or made and not started yet), its playbooks' revisions in the last 4 weeks (each
`playbook-changed` decision, an edit, a file loaded or a bar change applied), its adoptions
in the last cycle (4 weeks), its steps running in their handoff's fallback, and its
pulse's worked-around share (its playbooks' last closed pulses, pooled). The limit,
`team_load_max: {playbooks: 3, revisions: 4}` (the definition's rules), is the tightest of
the version being adopted and the team's active playbooks: a team is full when it runs
`playbooks` active playbooks already, or made `revisions` revisions in 4 weeks. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cadence.decisions import Decision, DecisionKind, DecisionRule
from cadence.definition_team_load import TeamLoadMax

__all__ = ["TeamLoadMax"]

# A team's active playbooks: running, or made and not started yet (a draft is change coming);
# a paused or retired one is no load.
ACTIVE = frozenset({"active", "draft"})
WINDOW = timedelta(days=28)  # "the last 4 weeks" and a cycle's length (cadence/calendar.py DAYS_PER_CYCLE)


@dataclass(frozen=True)
class Running:
    """One of the team's playbooks as the count reads it."""

    status: str
    adopted_from: int | None
    created_at: datetime
    fallbacks: int  # its steps in their handoff's fallback mode
    revisions: int  # its `playbook-changed` decisions in the window


@dataclass(frozen=True)
class TeamLoad:
    channel: str
    playbooks: int
    revisions: int
    adoptions: int
    fallbacks: int
    worked_around: float | None  # the pooled share, None: no pulse shows it

    def figures(self) -> dict[str, Any]:
        return dict(
            channel=self.channel,
            playbooks=self.playbooks,
            revisions=self.revisions,
            adoptions=self.adoptions,
            fallbacks=self.fallbacks,
            worked_around=None if self.worked_around is None else round(self.worked_around, 3),
        )


def count(channel: str, running: Iterable[Running], around: Sequence[tuple[int, int]], now: datetime) -> TeamLoad:
    """The team's load at `now`: `running` its playbooks (any status: only the active ones
    count as playbooks, fallbacks and revisions; an adoption made in the window counts
    whatever became of it), `around` its pulses' worked-around answers (hits, of n)."""
    mine = list(running)
    active = [p for p in mine if p.status in ACTIVE]
    return TeamLoad(
        channel,
        len(active),
        sum(p.revisions for p in active),
        _adopted_since(mine, now - WINDOW),
        sum(p.fallbacks for p in active),
        _worked_around(around),
    )


def _adopted_since(mine: list[Running], since: datetime) -> int:
    """The adoptions made from `since`, whatever became of them."""
    return sum(1 for p in mine if p.adopted_from is not None and p.created_at >= since)


def _worked_around(around: Sequence[tuple[int, int]]) -> float | None:
    """The share of the pulses' answers that worked around a step; None without an answer."""
    asked = sum(n for _, n in around)
    return sum(h for h, _ in around) / asked if asked else None


def tightest(limits: Iterable[TeamLoadMax]) -> TeamLoadMax:
    """The tightest of the limits given (the version's and each of the team's playbooks'):
    the defaults when none is."""
    given = list(limits)
    if not given:
        return TeamLoadMax()
    return TeamLoadMax(playbooks=min(m.playbooks for m in given), revisions=min(m.revisions for m in given))


@dataclass(frozen=True)
class Full:
    """What is at its limit: each of `playbooks` and `revisions` is (count, max) when at
    or over it, else None."""

    playbooks: tuple[int, int] | None
    revisions: tuple[int, int] | None

    def figures(self) -> dict[str, Any]:
        return {k: None if v is None else {"count": v[0], "max": v[1]} for k, v in vars(self).items()}


def full(load: TeamLoad, limit: TeamLoadMax) -> Full | None:
    """Whether the team takes no adoption now: it runs `limit.playbooks` active playbooks
    already (one more would be over), or made `limit.revisions` revisions in 4 weeks. None:
    it has room."""
    playbooks = (load.playbooks, limit.playbooks) if load.playbooks >= limit.playbooks else None
    revisions = (load.revisions, limit.revisions) if load.revisions >= limit.revisions else None
    if playbooks is None and revisions is None:
        return None
    return Full(playbooks, revisions)


def said(load: TeamLoad, at: Full) -> str:
    """What is full, in a decision's words: "3 active playbooks (max 3), 4 revisions in 4 weeks (max 4)"."""
    parts = []
    if at.playbooks is not None:
        parts.append(f"{at.playbooks[0]} active playbook{'' if at.playbooks[0] == 1 else 's'} (max {at.playbooks[1]})")
    if at.revisions is not None:
        parts.append(
            f"{at.revisions[0]} revision{'' if at.revisions[0] == 1 else 's'} in 4 weeks (max {at.revisions[1]})"
        )
    return ", ".join(parts)


def of_load_overridden(
    playbook_id: int, slug: str, version: int, load: TeamLoad, at: Full, by: str, override: str, adopter: str
) -> Decision:
    """On the origin (`playbook_id`), as a wave's override is: a curator adopted `slug`
    v`version` into a full team all the same, for `override`; `adopter` names the team."""
    return Decision(
        kind=DecisionKind.LOAD_OVERRIDDEN,
        rule=DecisionRule.OVERRIDE,
        actor=by,
        playbook_id=playbook_id,
        summary=f"{slug} v{version} adopted by {adopter} past its team's load ({said(load, at)}): {override}",
        figures={
            "version": version,
            "load": load.figures(),
            "full": at.figures(),
            "override": override,
            "adopter": adopter,
            "channel": load.channel,
        },
    )
