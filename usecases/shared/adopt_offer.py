"""The same learning, not paid twice at `/rollout adopt` (docs/programme.md): a version adopted
into a function new to the team that closely matches other published versions or active
playbooks (usecases/shared/similar.py) is not adopted yet. The curator gets the offer: the
matches, each published version with the adopt of it instead (the same team, owner,
champion, start and the numbers its kit lets the team set), and the asked version's own
adopt, which a reason adopts all the same (kept as `created-anyway`). Either click runs
the same adopt (usecases/shared/adoption.py) with every check; an offer is answered once:
after one of its adoptions, its other buttons are refused. An approved request meets the
matches on its card instead (a curator's reason approves it anyway, as past the wave)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from cadence.definition import read_spec
from cadence.similarity import Match
from storage.models.governance import RegistryVersion
from storage.store import Store
from templates.refusals import Refusal
from usecases.shared import similar
from usecases.shared.messages import Adopt, Offered
from usecases.shared.roles import channel


@dataclass(frozen=True)
class Choice:
    """A close match as the offer shows it: its words, and the adopt of it instead (a
    published version the team does not run), or the adoption of it the team runs."""

    words: str
    adopt: Adopt | None = None
    runs: str | None = None  # the team runs it already, under this slug


@dataclass(frozen=True)
class Offer:
    """What `/rollout adopt` answers, nothing adopted: the version asked, its function, the
    team, the adopt that takes it all the same (with a reason) and each close match."""

    slug: str
    version: int
    function: str
    channel_id: str
    asked: Adopt
    choices: tuple[Choice, ...]


class CloseMatches(Exception):
    """The adopt met close matches and was asked without a reason: the offer, to show."""

    def __init__(self, offer: Offer):
        super().__init__(f"{offer.slug} v{offer.version} closely matches {len(offer.choices)}")
        self.offer = offer


# What `adopt` may set of a version's kit (`may_change`) that carries to a match; the KPI's
# numbers only to a match measuring the same KPI.
_KIT = ("timezone", "exception_cap", "rubric_threshold")
_KPI = ("baseline", "target")


def refuse_if_answered(store: Store, cmd: Adopt) -> None:
    """A click on an offer the team has answered already (it runs one of the versions the
    offer showed, adopted since): refused, nothing more adopted."""
    if cmd.offered is None:
        return
    for version in store.registry.versions_by_id(list(cmd.offered.versions)).values():
        running = store.registry.adoption_in(cmd.channel_id, version.playbook_id)
        if running is not None:
            raise Refusal.of("adopt_offer_answered", channel=channel(cmd.channel_id), slug=running)


def matched(store: Store, version: RegistryVersion, cmd: Adopt) -> bool:
    """Whether an adoption of `version` into the team meets close matches that it did not
    choose from an offer (what `check` offers or refuses without a reason), storing nothing."""
    offered = cmd.offered
    if offered is not None and version.id in offered.versions[1:]:
        return False
    return bool(similar.for_adoption(store, version, cmd.channel_id))


def check(store: Store, version: RegistryVersion, cmd: Adopt, approving: bool) -> tuple[list[str], str] | None:
    """An adoption of `version` into a function new to the team, against the close matches:
    None when there are none, or the match was chosen from the offer; the matches' words
    and the reason to keep (the curator's `override`, or the offer's *anyway*). Else the
    offer (CloseMatches), or for an approved request a refusal the card shows."""
    offered = cmd.offered
    if offered is not None and version.id in offered.versions[1:]:
        return None  # adopted instead of the one asked: the match the offer showed
    close = similar.for_adoption(store, version, cmd.channel_id)
    if not close:
        return None
    words = [m.words for m in close]
    anyway = offered.anyway if offered is not None and offered.versions[:1] == (version.id,) else None
    reason = cmd.override or anyway
    if reason is not None:
        return words, reason
    if approving:
        raise Refusal.of(
            "request_similar",
            slug=version.slug,
            version=version.version,
            channel=channel(cmd.channel_id),
            matches="; ".join(words),
        )
    raise CloseMatches(_offer(store, version, cmd, close))


def _offer(store: Store, version: RegistryVersion, cmd: Adopt, close: list[Match]) -> Offer:
    """The offer: each match with the adopt of it instead where the team may take it (a
    published version it does not run); the versions offered go with every button."""
    found: list[tuple[Match, RegistryVersion | None, str | None]] = []
    for m in close:
        other = None if m.other.version is None else store.registry.version(m.other.slug, m.other.version)
        running = None if other is None else store.registry.adoption_in(cmd.channel_id, other.playbook_id)
        found.append((m, other if running is None else None, running))
    offered = Offered((version.id, *(other.id for _, other, _ in found if other is not None)))
    choices = tuple(
        Choice(m.words, None if other is None else _instead(other, cmd, m.same_kpi, offered), running)
        for m, other, running in found
    )
    asked = replace(cmd, playbook=version.slug, version=version.version, offered=offered)
    return Offer(version.slug, version.version, version.function, cmd.channel_id, asked, choices)


def _instead(other: RegistryVersion, cmd: Adopt, same_kpi: bool, offered: Offered) -> Adopt:
    """The adopt of `other` for the team the command named: its channel, owner, champion and
    start, and what `other`'s kit lets the team set of the numbers it gave (the KPI's only
    when `other` measures the same KPI)."""
    may_change = set(read_spec(other.definition).replication.may_change)
    kept = {name: getattr(cmd, name) for name in _KIT if name in may_change}
    if same_kpi:
        kept |= {name: getattr(cmd, name) for name in _KPI if name in may_change}
    return Adopt(
        other.slug,
        other.version,
        cmd.channel_id,
        cmd.channel_name,
        cmd.owner_id,
        starts_on=cmd.starts_on,
        override=cmd.override,
        champion_id=cmd.champion_id,
        offered=offered,
        **kept,
    )
