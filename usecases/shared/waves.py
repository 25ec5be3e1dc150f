"""Waves with learnings between them: a playbook's adopters, of whichever of its versions,
come in waves of `adoption_wave` teams (its newest version's), and wave k+1 opens when a
team of wave k replicated and wave k's learnings were marked reviewed, with a note of what
the next wave should know (by the origin's owner or a curator: the *Learnings reviewed*
button on the message that tells the origin's owner a team replicated, which asks for the
note, or `/rollout wave <playbook> reviewed <note>`), or a version of the origin was
published since wave k began. The waves are the playbook's: a newer version continues the
count where the last stood. The next wave's teams get the note with their adoption.
The arithmetic is cadence/waves.py's; this reads what it needs and keeps the marks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cadence import keys, registry_decisions, replication, waves
from cadence.change import Change, Message
from cadence.decisions import Decision
from cadence.definition import read_spec
from cadence.state import Playbook
from storage.models.governance import RegistryVersion, WaveReview
from storage.store import CURATORS_CHANNEL, Store, WaveMarked
from templates import notices_registry
from templates.refusals import Refusal
from templates.waves import wave_opens
from usecases.shared import roles


@dataclass(frozen=True)
class Wave:
    """Where a playbook stands against its waves for an adoption: how many teams may run
    once it is stored (None when a curator overrides it), the decision row of an
    override, recorded with the adoption, and what the wave before learned (`learned`:
    its number, note, who and when), which the adopting team gets."""

    limit: int | None
    overridden: Decision | None = None
    learned: dict[str, Any] | None = None


def size(version: RegistryVersion) -> int:
    return read_spec(version.definition).rules.adoption_wave


@dataclass(frozen=True)
class Lineage:
    """An origin playbook's waves: its adopters of any of its versions (active or paused,
    in adoption order), the waves marked reviewed (the first mark of each), when its
    newest version was published, and a wave's places (its newest version's)."""

    running: list[waves.Adopter]
    marks: dict[int, WaveReview]
    published: datetime | None
    size: int

    def state(self, number: int | None = None) -> waves.WaveState:
        return waves.wave_state(self.running, self.size, set(self.marks), self.published, number)


def lineages(store: Store, origin_ids: set[int]) -> dict[int, Lineage]:
    """Each origin's waves, in four reads however many origins."""
    if not origin_ids:
        return {}
    every = [v for v in store.registry.versions() if v.playbook_id in origin_ids]
    ids = [v.id for v in every]
    adopting = [p for p in store.registry.adopters(ids) if p.status != "retired"]
    verdicts = store.registry.replication_verdicts([p.id for p in adopting])
    marked = store.registry.wave_reviews(ids)
    found = {}
    for origin in origin_ids:
        versions = [v for v in every if v.playbook_id == origin]
        mine = {v.id for v in versions}
        marks: dict[int, WaveReview] = {}
        for mark in sorted((m for v in versions for m in marked[v.id].values()), key=lambda m: m.reviewed_at):
            marks.setdefault(mark.wave, mark)
        newest = max(versions, key=lambda v: v.version, default=None)
        found[origin] = Lineage(
            [_adopter(p, verdicts[p.id]) for p in adopting if p.adopted_from_id in mine],
            marks,
            max((v.published_at for v in versions), default=None),
            size(newest) if newest is not None else 3,
        )
    return found


def lineage(store: Store, version: RegistryVersion) -> Lineage:
    return lineages(store, {version.playbook_id})[version.playbook_id]


def states(store: Store, versions: list[RegistryVersion]) -> dict[int, waves.WaveState]:
    """Each version's waves (its playbook's), in four reads however many versions."""
    found = lineages(store, {v.playbook_id for v in versions})
    return {v.id: _shown_wave(found[v.playbook_id]) for v in versions}


def _shown_wave(line: Lineage) -> waves.WaveState:
    """The newest wave, or, while the next adoption waits for an earlier one (a curator
    let teams past it), that one: what opens it is what the next team waits for."""
    found = line.state()
    if found.allows:
        return found
    return line.state(waves.waiting_wave(line.running, line.size))


def state(store: Store, version: RegistryVersion) -> waves.WaveState:
    return states(store, [version])[version.id]


def _adopter(playbook: Playbook, verdicts: list[dict[str, Any]]) -> waves.Adopter:
    return waves.Adopter(
        playbook.slug,
        verdicts[-1]["verdict"] if verdicts else None,
        any(v.get("verdict") == replication.REPLICATED for v in verdicts),
        playbook.created_at,
    )


def shown(found: waves.WaveState) -> dict[str, Any]:
    """A playbook's wave as the messages and pages show it (templates/notices_registry.wave_line)."""
    return dict(
        number=found.number,
        size=found.size,
        teams=[dict(slug=a.slug, verdict=a.verdict) for a in found.teams],
        replicated=found.replicated,
        reviewed=found.reviewed,
        allows=found.allows,
    )


def learned(mark: WaveReview | None) -> dict[str, Any] | None:
    """A wave's note as its next wave's teams get it (None: no note, or not marked)."""
    if mark is None or not mark.note:
        return None
    at = mark.reviewed_at
    return dict(wave=mark.wave, note=mark.note, by=mark.reviewed_by, at=f"{at.day} {at:%b %Y}")


def past(store: Store, version: RegistryVersion) -> bool:
    """Whether an adoption of `version` now falls past its wave (what `check` refuses
    without an override), storing nothing."""
    return not _shown_wave(lineage(store, version)).allows


def check(store: Store, version: RegistryVersion, by: str, now: datetime, override: str | None, adopter: str) -> Wave:
    """An adoption joins the wave its place falls in (across the playbook's versions) only
    once the wave before has opened; it gets that wave's note. Past it: refused, naming
    the wave's teams, their verdicts and what opens the next, with a decision row on the
    origin; with a curator's `override`, the decision row goes with the adoption. The
    count is asked again in the adoption's transaction (Registry.adopt), so two adoptions
    at once cannot both take the last place."""
    line = lineage(store, version)
    found = _shown_wave(line)  # past it: the wave waited for
    before = learned(line.marks.get(waves.wave_of(len(line.running), line.size) - 1))
    if found.allows:
        return Wave(found.limit if override is None else None, learned=before)
    teams = [dict(slug=a.slug, verdict=a.verdict) for a in found.teams]
    record = registry_decisions.of_wave(
        version.playbook_id, version.slug, version.version, found.size, teams, by, override, adopter
    )
    if override is not None:
        return Wave(None, record, before)
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
    """A wave's learnings marked reviewed: the version it was marked through, the wave,
    whether this mark was the one stored (False: marked before), the mark that stands,
    and the wave now."""

    version: RegistryVersion
    wave: int
    stored: bool
    mark: WaveReview
    now: dict[str, Any]


def may_review(store: Store, version: RegistryVersion, wave: int | None, by: str) -> tuple[Lineage, int]:
    """The playbook's waves and the wave to mark (`wave`, or the first with teams not
    reviewed yet), once `by` is the origin's owner or a curator and there are teams."""
    origin = store.playbooks.state_by_id(version.playbook_id)
    owner = origin.playbook.owner_id if origin is not None else None
    if by != owner and not store.org.is_curator(by):
        raise Refusal.of("wave_who", usage="wave", slug=version.slug, owner=roles.user(owner or ""))
    line = lineage(store, version)
    if not line.running and wave is None:
        raise Refusal.of("wave_no_teams", usage="wave", slug=version.slug)
    number = wave or waves.first_unreviewed(line.running, line.size, set(line.marks), line.published)
    return line, number


def review(
    store: Store, version: RegistryVersion, wave: int | None, by: str, note: str | None, now: datetime
) -> Reviewed:
    """The origin's owner or a curator marks a wave's learnings reviewed (`wave`, or the
    playbook's first wave with teams not reviewed yet) with a `note` of what the next wave
    should know (refused without one, nothing stored), and the curators channel (or,
    without one, the origin's team channel) is told, in the same transaction: once; a
    second mark is answered with the first and tells no one."""
    line, number = may_review(store, version, wave, by)
    if number in line.marks:  # marked before: answered with that mark, no note needed
        return Reviewed(version, number, False, line.marks[number], shown(_shown_wave(line)))
    if not (note or "").strip():
        raise Refusal.of("wave_note", usage="wave", slug=version.slug, wave=number)
    mark = WaveReview(
        playbook_id=version.playbook_id,
        version_id=version.id,
        version=version.version,
        wave=number,
        reviewed_by=by,
        note=(note or "").strip(),
        reviewed_at=now,
    )
    after = shown(waves.wave_state(line.running, line.size, {*line.marks, number}, line.published))
    told = reviewed_message(version, mark, True, after)
    origin = store.playbooks.state_by_id(version.playbook_id)
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
    line = lineage(store, version)
    kept = mark if stored else line.marks[number]
    return Reviewed(version, number, stored, kept, shown(_shown_wave(line)))


def reviewed_message(version: RegistryVersion, mark: WaveReview, stored: bool, now: dict[str, Any]) -> dict[str, Any]:
    at = mark.reviewed_at
    return notices_registry.wave_reviewed(
        slug=version.slug,
        wave=mark.wave,
        stored=stored,
        by=mark.reviewed_by,
        note=mark.note,
        at=f"{at.day} {at:%b %Y}",
        now=now,
    )


@dataclass(frozen=True)
class Place:
    """Where a running adopter stands, for the week close: its version, the wave of its
    playbook it is in and the origin's owner, who is told when its cycle replicated."""

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
    """For the week close: each running adopter of `versions`' playbooks (by playbook id),
    its version, its wave (counted across the playbook's versions) and its origin's owner."""
    origins = {v.playbook_id for v in versions}
    owners = store.playbooks.states_by_ids(sorted(origins))
    every = {v.id: v for v in store.registry.versions() if v.playbook_id in origins}
    found: dict[int, Place] = {}
    seen: dict[int, int] = {}
    for playbook in store.registry.adopters(list(every)):
        version = every[playbook.adopted_from_id or 0]
        if playbook.status == "retired":
            continue
        position = seen[version.playbook_id] = seen.get(version.playbook_id, -1) + 1
        origin = owners.get(version.playbook_id)
        owner = origin.playbook.owner_id if origin is not None else None
        found[playbook.id] = Place(version, waves.wave_of(position, size(_newest(every, version))), owner)
    return found


def _newest(every: dict[int, RegistryVersion], version: RegistryVersion) -> RegistryVersion:
    return max((v for v in every.values() if v.playbook_id == version.playbook_id), key=lambda v: v.version)
