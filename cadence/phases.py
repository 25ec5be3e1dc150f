"""The programme's phases, named (docs/programme.md, "The programme's phases"; issue 112
item 5): a published version moves through seed 001's phases, each with its gate, derived
from what is already kept, no state of its own:

0. piloting: the version carries no post-pilot assessment (published without one);
1. assessed: it carries its origin's post-pilot assessment (the one newest when it was
   published, cadence/assessment.py);
2. verified: a second pilot replicated it: an adopting team's cycle against this version
   had the verdict `replicated` (cadence/replication.py);
3. in waves: verified, and a team adopted it beyond its second pilot: a wave opened;
4. at scale: as many of its adopters replicated it as a wave has places (`adoption_wave`,
   cadence/waves.py), its second pilot included.

Each phase needs the one before: a version published without an assessment is piloting
whoever adopted it. The gate on waves (`may_open`): a version before phase 1 takes no team;
in phase 1 it takes its second pilot, one team at a time, and no wave beyond it. Pure."""

from __future__ import annotations

from dataclasses import dataclass

PILOTING, ASSESSED, VERIFIED, IN_WAVES, AT_SCALE = 0, 1, 2, 3, 4
NAMES = {
    PILOTING: "piloting",
    ASSESSED: "assessed",
    VERIFIED: "verified",
    IN_WAVES: "in waves",
    AT_SCALE: "at scale",
}
LAST = AT_SCALE


@dataclass(frozen=True)
class Adopter:
    """An adopting team of the version: its slug, whether it runs now (not retired) and
    whether a cycle of it against this version was `replicated`."""

    slug: str
    running: bool
    replicated: bool


@dataclass(frozen=True)
class Phase:
    """Where a version stands: its phase's number and name, what passed its gate (`gate`, in
    words) and what the next phase waits for (`next`; None at scale)."""

    number: int
    gate: str
    next: str | None
    replicated_by: str | None = None  # the first team that replicated it (named in `gate`)

    @property
    def name(self) -> str:
        return NAMES[self.number]

    def words(self) -> str:
        """ "phase 2 of 4, verified: replicated by billing-replies; next: open a wave"."""
        said = f"phase {self.number} of {LAST}, {self.name}: {self.gate}"
        return said if self.next is None else f"{said}; next: {self.next}"

    def shown(self) -> dict[str, object]:
        """As the registry, the web view and the API show it."""
        return dict(number=self.number, of=LAST, name=self.name, gate=self.gate, next=self.next, words=self.words())


def phase(assessment: int | None, adopters: list[Adopter], wave_size: int, origin: str) -> Phase:
    """A version's phase from its carried assessment's number (None: published without
    one), its adopters in adoption order and a wave's places (`wave_size`); `origin` names
    the playbook whose assessment it is, for the words of what to do next."""
    if assessment is None:
        return Phase(
            PILOTING,
            "published without a post-pilot assessment",
            f"keep the post-pilot assessment (/rollout assess {origin}) and publish a version with it",
        )
    replicated = [a.slug for a in adopters if a.replicated]
    if not replicated:
        pilots = [a.slug for a in adopters if a.running]
        waiting = f" ({pilots[0]} runs it)" if pilots else ""
        return Phase(
            ASSESSED,
            f"post-pilot assessment v{assessment} kept",
            f"a second pilot replicates it{waiting}",
        )
    by = replicated[0]
    if len(adopters) < 2:
        return Phase(VERIFIED, f"replicated by {by}", "open a wave: adopt it in another team", by)
    if len(replicated) < wave_size:
        return Phase(
            IN_WAVES,
            f"replicated by {by}, {len(adopters)} teams adopted it",
            f"{wave_size} teams replicate it ({len(replicated)} so far)",
            by,
        )
    return Phase(AT_SCALE, f"{len(replicated)} teams replicated it, {wave_size} a wave", None, by)


def may_open(current: Phase, adopters: list[Adopter]) -> bool:
    """Whether a team may adopt the version now without a curator's override: from phase 2
    (verified) on; in phase 1 (assessed) only as its second pilot, while no adopter of it
    runs; never before phase 1."""
    if current.number >= VERIFIED:
        return True
    return current.number == ASSESSED and not any(a.running for a in adopters)
