"""A version's adopters in waves (docs/usage.md, "Replication"): which wave an adoption falls
in, when the next wave opens (a team of the wave replicated and its learnings were
reviewed) and where a version stands (`wave_state`). Plain functions over plain data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class Adopter:
    slug: str
    verdict: str | None  # its latest cycle's verdict; None before its first cycle ends
    replicated: bool = False  # any of its cycles was `replicated`
    adopted_at: datetime | None = None


@dataclass(frozen=True)
class WaveState:
    """Where a version stands in its waves: `number` is its newest wave with teams (1
    before any), `teams` that wave's, `size` a wave's places; the next wave opens when one
    of `teams` has `replicated` and the wave's learnings were `reviewed`. `allows`: the
    next adoption may join (the wave it falls in is 1, or the one before it has opened);
    `limit` is then how many teams may run once it has (what the adoption's transaction
    counts again)."""

    number: int
    size: int
    teams: tuple[Adopter, ...]
    replicated: bool
    reviewed: bool
    allows: bool
    limit: int

    @property
    def full(self) -> bool:
        return len(self.teams) >= self.size

    @property
    def next_open(self) -> bool:
        return self.replicated and self.reviewed


def wave_of(position: int, size: int) -> int:
    """The wave (from 1) of a version's adopter at `position` (from 0) in adoption order."""
    return position // size + 1


def waiting_wave(running: list[Adopter], size: int) -> int:
    """The wave whose opening the next adoption waits for (the one before the wave it falls in; 0: none)."""
    return wave_of(len(running), size) - 1


def first_unreviewed(running: list[Adopter], size: int, marked: set[int], newer_published: datetime | None) -> int:
    """The first wave with teams whose learnings are not reviewed yet (what `/rollout wave
    ... reviewed` marks), or else the newest wave with teams (1 before any)."""
    waves = wave_of(len(running) - 1, size) if running else 1
    for wave in range(1, waves + 1):
        if not wave_reviewed(running[(wave - 1) * size : wave * size], wave, marked, newer_published):
            return wave
    return waves


def wave_reviewed(teams: list[Adopter], wave: int, marked: set[int], newer_published: datetime | None) -> bool:
    """A wave's learnings are reviewed when marked so, or when a newer version of the
    origin was published after the wave's first adoption."""
    if wave in marked:
        return True
    first = teams[0].adopted_at if teams else None
    return newer_published is not None and first is not None and newer_published > first


def wave_state(
    running: list[Adopter], size: int, marked: set[int], newer_published: datetime | None, number: int | None = None
) -> WaveState:
    """A playbook's adopters, of any of its versions (active or paused, in adoption order:
    the caller passes those), in waves of `size`: the waves are the playbook's, so a newer
    version continues the count. Wave k+1 opens when one team of wave k has replicated and
    wave k's learnings are reviewed (`marked`, the waves marked reviewed, or
    `newer_published`, when the origin's newest version was published, if after the wave's
    first adoption). Shown: wave `number`, by default the newest with teams."""

    def teams(wave: int) -> list[Adopter]:
        return running[(wave - 1) * size : wave * size]

    def opened(wave: int) -> bool:  # the wave after `wave`
        members = teams(wave)
        return any(a.replicated for a in members) and wave_reviewed(members, wave, marked, newer_published)

    joins = wave_of(len(running), size)  # the wave the next adoption falls in
    if number is None:
        number = wave_of(len(running) - 1, size) if running else 1
    current = teams(number)
    return WaveState(
        number=number,
        size=size,
        teams=tuple(current),
        replicated=any(a.replicated for a in current),
        reviewed=wave_reviewed(current, number, marked, newer_published),
        allows=joins == 1 or opened(joins - 1),
        limit=joins * size,
    )
