"""Versions that travel, the registry's side: when an origin publishes version N+1, each
adopting playbook (active or paused) that runs an earlier version hears what changed
since its version and the new version's results, with *Upgrade* and *Not now*; and an
upgrade itself (`/rollout upgrade`, the button), which moves the adopter to the newer
version's definition from the open week, keeping its own `may_change` values and its
history, as one decision row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cadence import keys, registry_decisions, versions
from cadence.change import Change, Message
from cadence.definition import read_spec
from cadence.definition_load import DefinitionError, parse_playbook
from cadence.state import PlaybookState
from storage.governance_rows import StaleState
from storage.models.governance import RegistryVersion
from storage.store import CURATORS_CHANNEL, Store
from templates import notices_registry
from templates.refusals import Refusal
from usecases.shared import roles, told

TOLD = ("draft", "active", "paused")  # the adopters that hear of a newer version: all but retired ones


def offer_context(
    adopter: PlaybookState, runs: RegistryVersion, newer: RegistryVersion | None, number: int, **newest: Any
) -> dict[str, Any]:
    """What the message offering version `number` shows: what changed since the version
    the adopter runs, the new version's results, and the buttons' value."""
    definition = newer.definition if newer is not None else newest["definition"]
    results = newer.cycle_results if newer is not None else newest["results"]
    return dict(
        slug=adopter.playbook.slug,
        origin=runs.slug,
        runs=runs.version,
        version=number,
        changes=versions.changes(runs.definition, definition),
        results=results,
        unit=read_spec(definition).kpi.unit,
        owner=adopter.playbook.owner_id,
        button=versions.upgrade_button(adopter.playbook.id, runs.id, number),
    )


def offers(
    store: Store, origin_id: int, number: int, definition: dict[str, Any], results: list[dict[str, Any]]
) -> list[Message]:
    """For version `number` of the origin, about to be published: to each adopting
    playbook (active or paused) of an earlier version, in its channel and its owner's DM,
    what changed since its version, the new version's results and the buttons. Written in
    the publication's transaction under keys of their own, so they go out once."""
    earlier = {v.id: v for v in store.registry.versions(playbook_id=origin_id) if v.version < number}
    adopting = [p for p in store.registry.adopters(list(earlier)) if p.status in TOLD]
    states = store.playbooks.states_by_ids([p.id for p in adopting])
    messages = []
    for playbook in adopting:
        state = states.get(playbook.id)
        runs = earlier.get(playbook.adopted_from_id or 0)
        if state is None or runs is None:
            continue
        context = offer_context(state, runs, None, number, definition=definition, results=results)
        unit = keys.newer_version(playbook.id, number)
        messages.append(
            Message(
                keys.to_audience(unit, "team"),
                "chat.postMessage",
                playbook.channel_id,
                notices_registry.newer_version(**context),
            )
        )
        messages.append(
            Message(
                keys.to_audience(unit, "owner"),
                "chat.postMessage",
                playbook.owner_id,
                notices_registry.newer_version(**context, dm=True),
            )
        )
    return messages


@dataclass(frozen=True)
class Upgraded:
    """An upgrade done: the playbook, the versions before and after, the team's own values kept."""

    slug: str
    origin: str
    before: int
    after: int
    kept: dict[str, Any]
    changes: list[versions.Change]


def newest_of_each(versions: list[RegistryVersion]) -> dict[int, RegistryVersion]:
    """Each origin's newest published version, by origin playbook id."""
    newest: dict[int, RegistryVersion] = {}
    for v in versions:
        if v.playbook_id not in newest or v.version > newest[v.playbook_id].version:
            newest[v.playbook_id] = v
    return newest


def running_version(store: Store, state: PlaybookState, usage: str | None) -> RegistryVersion:
    """The version an adopting playbook runs; refused for a playbook not adopted, or retired."""
    playbook = state.playbook
    if playbook.adopted_from_id is None:
        raise Refusal.of("upgrade_not_adopter", usage=usage, slug=playbook.slug)
    if playbook.status == "retired":
        raise Refusal.of("upgrade_retired", usage=usage, slug=playbook.slug)
    return store.registry.versions_by_id([playbook.adopted_from_id])[playbook.adopted_from_id]


def upgrade(
    store: Store,
    state: PlaybookState,
    number: int | None,
    by: str,
    now: datetime,
    org_timezone: str,
    usage: str | None,
    expected_from: int | None = None,
) -> Upgraded:
    """Move an adopting playbook to version `number` of its origin (the newest if None),
    by its owner or a curator. Refused, storing nothing, when it is not an adopter, the
    version is not newer, or the version's `may_change` no longer allows a value the team
    set (named; it stays on its version). `expected_from`: the version id a button was
    offered on; a click after the playbook moved says so."""
    roles.require_owner_or_curator(store, state, by, usage)
    runs = running_version(store, state, usage)
    slug = state.playbook.slug
    if expected_from is not None and expected_from != runs.id:
        raise Refusal.of("upgrade_moved", usage=usage, slug=slug, origin=runs.slug, runs=runs.version)
    target = store.registry.version(runs.slug, number)
    if target is None or target.playbook_id != runs.playbook_id:
        numbers = [v.version for v in store.registry.versions(playbook_id=runs.playbook_id)]
        raise Refusal.of(
            "no_version_number",
            usage=usage,
            number=number,
            slug=runs.slug,
            versions=", ".join(f"{runs.slug}@v{n}" for n in numbers),
        )
    if target.version <= runs.version:
        if number is None:
            raise Refusal.of("upgrade_newest", usage=usage, slug=slug, origin=runs.slug, runs=runs.version)
        raise Refusal.of(
            "upgrade_not_newer", usage=usage, slug=slug, origin=runs.slug, runs=runs.version, number=target.version
        )
    own = dict(state.playbook.definition)
    values = versions.team_values(own, runs.definition)
    refused = versions.not_allowed(values, target.definition)
    if refused:
        raise Refusal.of(
            "upgrade_not_allowed",
            usage=usage,
            slug=slug,
            origin=runs.slug,
            number=target.version,
            runs=runs.version,
            refused=", ".join(f"{versions.OPTION_WORDS[n]} {_shown(values[n])}" for n in refused),
        )
    own.update(playbook=slug, channel=state.playbook.channel_id, owner=state.playbook.owner_id)
    try:
        spec = parse_playbook(versions.upgraded(own, target.definition, values))
    except DefinitionError as err:
        raise Refusal.of(
            "upgrade_not_adoptable",
            usage=usage,
            slug=slug,
            origin=runs.slug,
            number=target.version,
            runs=runs.version,
            problem=err.problems[0],
        ) from None
    done = Upgraded(
        slug, runs.slug, runs.version, target.version, values, versions.changes(runs.definition, target.definition)
    )
    record = registry_decisions.of_upgrade(
        state.playbook.id, slug, runs.slug, runs.version, target.version, target.id, values, by
    )
    announcement = notices_registry.upgrade(done=done, by=by)
    unit = keys.upgraded(state.playbook.id, target.version)
    messages = [Message(keys.to_audience(unit, "team"), "chat.postMessage", state.playbook.channel_id, announcement)]
    curators = store.org.setting(CURATORS_CHANNEL)
    if curators and curators != state.playbook.channel_id:
        messages.append(Message(keys.to_audience(unit, "curators"), "chat.postMessage", curators, announcement))
    try:
        with store.unit_of_work() as uow:
            upgraded = uow.registry.upgrade(spec, state.playbook.id, runs.id, target, org_timezone, by, now)
            told.record_loaded(uow, upgraded, now)
            uow.governance.apply(Change(decisions=[record], messages=messages), now)
            uow.commit()
    except StaleState:
        moved = store.playbooks.state_by_id(state.playbook.id)
        now_runs = running_version(store, moved, usage) if moved is not None else runs
        raise Refusal.of("upgrade_moved", usage=usage, slug=slug, origin=now_runs.slug, runs=now_runs.version) from None
    return done


def _shown(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def runs(versions_known: list[RegistryVersion], adopted_from_id: int | None) -> str | None:
    """What an adopting playbook runs and what is newer ("runs v2; v3 published 1 Mar"),
    from the registry's versions (`versions_known`: at least its origin's); None for a
    playbook not adopted."""
    own = next((v for v in versions_known if v.id == adopted_from_id), None)
    if own is None:
        return None
    newer = [
        (v.version, v.published_at.date())
        for v in versions_known
        if v.playbook_id == own.playbook_id and v.version > own.version
    ]
    return versions.runs_phrase(own.version, newer)


FROM_ADOPTERS = 200  # the newest that a version carries


def from_adopters(store: Store, origin_id: int, limit: int = FROM_ADOPTERS) -> list[dict[str, Any]]:
    """The learnings of the playbooks adopted from any version of an origin, newest first,
    each naming its adopter (`from`): what the origin's page lists under "from adopters"
    and its next version carries."""
    adopters = {
        p.id: p.slug for p in store.registry.adopters([v.id for v in store.registry.versions(playbook_id=origin_id)])
    }
    return [
        {
            "cycle": x.cycle,
            "text": x.text,
            "by": x.added_by,
            "at": x.added_at.isoformat(),
            "from": adopters[x.playbook_id],
        }
        for x in store.learnings.of_playbooks(list(adopters), limit=limit)
    ]
