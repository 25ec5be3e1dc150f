"""Waves with learnings between them: a version's adopters come in waves of `adoption_wave`
teams, and wave k+1 opens when a team of wave k replicated and wave k's learnings were
marked reviewed (by the origin's owner or a curator: the *Learnings reviewed* button on
the message that tells the origin's owner a team replicated, or `/rollout wave <playbook>
reviewed [note]`), or a newer version of the origin was published since wave k began.
The arithmetic is cadence/replication.py's; this reads what it needs and keeps the marks.
Waves are a version's: each version's adopters start their own wave 1."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cadence import keys, registry_decisions, replication
from cadence.decisions import Decision
from cadence.definition import RuleSettings
from storage.governance_rows import Change
from storage.models.governance import RegistryVersion, WaveReview
from storage.models.playbooks import Playbook
from storage.outbox import Message
from storage.store import CURATORS_CHANNEL, Store, WaveMarked
from templates import notices_registry
from templates.refusals import Refusal
from templates.waves import wave_opens
from usecases.shared import roles


@dataclass(frozen=True)
class Wave:
    """Where a version stands against its waves for an adoption: how many teams may run
    once it is stored (None when a curator overrides it), and the decision row of an
    override, recorded with the adoption."""

    limit: int | None
    overridden: Decision | None = None


def size(version: RegistryVersion) -> int:
    return RuleSettings.model_validate(version.definition.get("rules") or {}).adoption_wave


def _newer_published(store: Store, versions: list[RegistryVersion]) -> dict[int, datetime | None]:
    """For each version, when the first newer version of its origin was published."""
    every = store.registry.versions()
    newer: dict[int, datetime | None] = {}
    for version in versions:
        later = [v.published_at for v in every if v.playbook_id == version.playbook_id and v.version > version.version]
        newer[version.id] = min(later) if later else None
    return newer


def states(store: Store, versions: list[RegistryVersion]) -> dict[int, replication.WaveState]:
    """Each version's waves, in four reads however many versions."""
    if not versions:
        return {}
    running = _running_of(store, versions)
    marks = store.registry.wave_reviews([v.id for v in versions])
    newer = _newer_published(store, versions)
    return {v.id: _shown_wave(running[v.id], size(v), set(marks[v.id]), newer[v.id]) for v in versions}


def _shown_wave(
    running: list[replication.Adopter], size: int, marks: set[int], newer: datetime | None
) -> replication.WaveState:
    """The newest wave, or, while the next adoption waits for an earlier one (a curator
    let teams past it), that one: what opens it is what the next team waits for."""
    found = replication.wave_state(running, size, marks, newer)
    if found.allows:
        return found
    return replication.wave_state(running, size, marks, newer, replication.waiting_wave(running, size))


def _running_of(store: Store, versions: list[RegistryVersion]) -> dict[int, list[replication.Adopter]]:
    """Each version's adopters, active or paused, in adoption order, with their verdicts."""
    adopting = [p for p in store.registry.adopters([v.id for v in versions]) if p.status != "retired"]
    verdicts = store.registry.replication_verdicts([p.id for p in adopting])
    return {v.id: [_adopter(p, verdicts[p.id]) for p in adopting if p.adopted_from_id == v.id] for v in versions}


def _running(store: Store, version: RegistryVersion) -> list[replication.Adopter]:
    return _running_of(store, [version])[version.id]


def _newer(store: Store, version: RegistryVersion) -> datetime | None:
    return _newer_published(store, [version])[version.id]


def state(store: Store, version: RegistryVersion) -> replication.WaveState:
    return states(store, [version])[version.id]


def _adopter(playbook: Playbook, verdicts: list[dict[str, Any]]) -> replication.Adopter:
    return replication.Adopter(
        playbook.slug,
        verdicts[-1]["verdict"] if verdicts else None,
        any(v.get("verdict") == replication.REPLICATED for v in verdicts),
        playbook.created_at,
    )


def shown(found: replication.WaveState) -> dict[str, Any]:
    """A version's wave as the messages and pages show it (templates/notices_registry.wave_line)."""
    return dict(
        number=found.number,
        size=found.size,
        teams=[dict(slug=a.slug, verdict=a.verdict) for a in found.teams],
        replicated=found.replicated,
        reviewed=found.reviewed,
        allows=found.allows,
    )


def check(store: Store, version: RegistryVersion, by: str, now: datetime, override: str | None, adopter: str) -> Wave:
    """An adoption joins the wave its place falls in only once the wave before has opened.
    Past it: refused, naming the wave's teams, their verdicts and what opens the next,
    with a decision row on the origin; with a curator's `override`, the decision row goes
    with the adoption. The count is asked again in the adoption's transaction
    (Registry.adopt), so two adoptions at once cannot both take the last place."""
    running = _running(store, version)
    marks, newer = set(store.registry.wave_reviews([version.id])[version.id]), _newer(store, version)
    found = _shown_wave(running, size(version), marks, newer)  # past it: the wave waited for
    if found.allows:
        return Wave(found.limit if override is None else None)
    teams = [dict(slug=a.slug, verdict=a.verdict) for a in found.teams]
    record = registry_decisions.of_wave(
        version.playbook_id, version.slug, version.version, found.size, teams, by, override, adopter
    )
    if override is not None:
        return Wave(None, record)
    with store.unit_of_work() as uow:
        uow.governance.apply(Change(decisions=[record]), now)
        uow.commit()
    raise Refusal.of(
        "adopt_wave",
        usage="adopt",
        slug=version.slug,
        version=version.version,
        number=found.number,
        running=", ".join(f"{a.slug} ({a.verdict or 'no cycle closed yet'})" for a in found.teams),
        opens=wave_opens(shown(found)),
    )


@dataclass(frozen=True)
class Reviewed:
    """A wave's learnings marked reviewed: the version, the wave, whether this mark was
    the one stored (False: marked before), the mark that stands, and the wave now."""

    version: RegistryVersion
    wave: int
    stored: bool
    mark: WaveReview
    now: dict[str, Any]


def review(
    store: Store, version: RegistryVersion, wave: int | None, by: str, note: str | None, now: datetime
) -> Reviewed:
    """The origin's owner or a curator marks a wave's learnings reviewed (`wave`, or the
    version's newest wave with teams), and the curators channel (or, without one, the
    origin's team channel) is told, in the same transaction: once; a second mark is
    answered with the first and tells no one."""
    origin = store.playbooks.state_by_id(version.playbook_id)
    owner = origin.playbook.owner_id if origin is not None else None
    if by != owner and not store.org.is_curator(by):
        raise Refusal.of("wave_who", usage="wave", slug=version.slug, owner=roles.user(owner or ""))
    running = _running(store, version)
    if not running and wave is None:
        raise Refusal.of("wave_no_teams", usage="wave", slug=version.slug, version=version.version)
    marked, newer = set(store.registry.wave_reviews([version.id])[version.id]), _newer(store, version)
    number = wave or replication.first_unreviewed(running, size(version), marked, newer)
    mark = WaveReview(
        playbook_id=version.playbook_id,
        version_id=version.id,
        version=version.version,
        wave=number,
        reviewed_by=by,
        note=note,
        reviewed_at=now,
    )
    after = shown(replication.wave_state(running, size(version), {*marked, number}, newer))
    told = reviewed_message(version, mark, True, after)
    where = store.org.setting(CURATORS_CHANNEL) or (origin.playbook.channel_id if origin is not None else by)
    try:
        with store.unit_of_work() as uow:
            uow.registry.mark_wave(mark)
            posted = Message(keys.wave_reviewed(version.id, number), "chat.postMessage", where, told)
            uow.governance.apply(Change(messages=[posted]), now)
            uow.commit()
        stored = True
    except WaveMarked:  # marked already, or by another mark at the same moment: told once
        stored = False
    kept = mark if stored else store.registry.wave_reviews([version.id])[version.id][number]
    return Reviewed(version, number, stored, kept, shown(state(store, version)))


def reviewed_message(version: RegistryVersion, mark: WaveReview, stored: bool, now: dict[str, Any]) -> dict[str, Any]:
    at = mark.reviewed_at
    return notices_registry.wave_reviewed(
        slug=version.slug,
        version=version.version,
        wave=mark.wave,
        stored=stored,
        by=mark.reviewed_by,
        note=mark.note,
        at=f"{at.day} {at:%b %Y}",
        now=now,
    )


@dataclass(frozen=True)
class Place:
    """Where a running adopter stands, for the week close: its version, the wave it is in
    and the origin's owner, who is told when its cycle replicated."""

    version: RegistryVersion
    wave: int
    owner: str | None


def replicated_messages(place: Place | None, adopter: Playbook, cycle: int, verdict: str) -> list[Message]:
    """To the origin's owner, once per adopter and cycle, when the cycle `replicated`: a
    team of the wave replicated, with the *Learnings reviewed* button that opens the next."""
    if place is None or place.owner is None or verdict != replication.REPLICATED:
        return []
    version = place.version
    payload = notices_registry.wave_replicated(
        adopter=adopter.slug,
        channel=adopter.channel_id,
        slug=version.slug,
        version=version.version,
        cycle=cycle,
        wave=place.wave,
        button=keys.wave_button(version.id, place.wave),
    )
    return [Message(keys.wave_replicated(adopter.id, cycle), "chat.postMessage", place.owner, payload)]


def places(store: Store, versions: list[RegistryVersion]) -> dict[int, Place]:
    """For the week close: each running adopter of `versions` (by playbook id), its
    version, its wave and its origin's owner."""
    owners = store.playbooks.states_by_ids(sorted({v.playbook_id for v in versions}))
    by_version = {v.id: v for v in versions}
    found: dict[int, Place] = {}
    seen: dict[int, int] = {}
    for playbook in store.registry.adopters(list(by_version)):
        version = by_version[playbook.adopted_from_id or 0]
        if playbook.status == "retired":
            continue
        position = seen[version.id] = seen.get(version.id, -1) + 1
        origin = owners.get(version.playbook_id)
        owner = origin.playbook.owner_id if origin is not None else None
        found[playbook.id] = Place(version, replication.wave_of(position, size(version)), owner)
    return found
