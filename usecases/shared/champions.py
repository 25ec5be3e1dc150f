"""Champions (docs/playbooks.md, "Champions"): an adopting team's person who works through the
kit's training and checks. Named at adoption (`champion <@user>`; else the
owner, who names another unless they are the team's only member) or later (`/rollout
champion`); their DM is the
checklist, a button per item, and each mark is kept with who and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cadence import champion_gate, keys, replication, setup_decisions
from cadence.change import Change, Message
from cadence.definition_parts import ReplicationSpec
from cadence.state import PlaybookState
from storage.models.playbooks import ChecklistMark
from storage.store import Store
from templates import notices_registry
from templates.refusals import Refusal
from usecases.shared.roles import require_owner_or_curator, user


@dataclass(frozen=True)
class Item:
    """An item of the checklist and its state: done (by whom, on which day) or not."""

    index: int
    kind: str  # training | check
    text: str
    done: bool = False
    by: str | None = None
    on: str | None = None  # the day it was marked done, ISO
    value: str = ""  # what its button carries back


def items(slug: str, kit: ReplicationSpec, marks: dict[tuple[str, str], ChecklistMark]) -> list[Item]:
    """The checklist of a playbook's kit with each item's latest mark."""
    shown = []
    for entry in replication.checklist(kit):
        mark = marks.get((entry.kind, entry.text))
        done = bool(mark and mark.done)
        shown.append(
            Item(
                entry.index,
                entry.kind,
                entry.text,
                done,
                mark.marked_by if mark and done else None,
                mark.marked_at.date().isoformat() if mark and done else None,
                keys.checklist_button(slug, entry.index, not done),
            )
        )
    return shown


def checklist_of(store: Store, state: PlaybookState) -> list[Item]:
    p = state.playbook
    return items(p.slug, state.spec.replication, store.champions.checklists([p.id])[p.id])


def summary(checklist: list[Item]) -> dict[str, Any]:
    """What status, the App Home and the web view say of a checklist."""
    return dict(
        items=checklist,
        done=sum(1 for i in checklist if i.done),
        total=len(checklist),
    )


def checklist_message(slug: str, title: str, channel: str, by: str | None, checklist: list[Item]) -> dict[str, Any]:
    """The champion's DM: `by` named them (None: the DM redrawn after a click)."""
    return notices_registry.champion_checklist(slug=slug, title=title, channel=channel, by=by, items=checklist)


def required(state: PlaybookState) -> bool:
    """An adopting playbook whose kit requires a trained champion (`requires_champion`,
    unless turned off): its steps go up only once the training is done."""
    return state.playbook.adopted_from_id is not None and state.spec.replication.requires_champion


def training_waits(store: Store, states: list[PlaybookState]) -> set[int]:
    """Of these playbooks, the adopting ones whose steps wait for their champion's
    training before any move up, in any cycle (cadence.champion_gate), in one read."""
    named = [state for state in states if state.playbook.champion_id and required(state)]
    if not named:
        return set()
    marks = store.champions.checklists([s.playbook.id for s in named])
    waiting = set()
    for state in named:
        p = state.playbook
        done, total = counts(items(p.slug, state.spec.replication, marks.get(p.id, {})))
        if champion_gate.promotions_wait(True, p.champion_id, done, total):
            waiting.add(p.id)
    return waiting


def counts(checklist: list[Item]) -> tuple[int, int]:
    """How many of a checklist's items are done, of how many."""
    return sum(1 for i in checklist if i.done), len(checklist)


def waits_on_training(kit: ReplicationSpec) -> bool:
    """An adoption of this kit starts its steps human-led: it requires a champion and has
    training or checks to do."""
    return kit.requires_champion and bool(replication.checklist(kit))


@dataclass(frozen=True)
class Named:
    """A champion named: the one before (None: there was none), and the checklist they have."""

    before: str | None
    checklist: list[Item]


def name(store: Store, state: PlaybookState, champion_id: str, by: str, now: datetime) -> Named:
    """`/rollout champion` (owner or curator): the new champion gets the checklist by DM,
    with each item as marked so far."""
    playbook = state.playbook
    require_owner_or_curator(store, state, by, "champion")
    if champion_id == playbook.champion_id:
        raise Refusal.of("already_champion", usage="champion", slug=playbook.slug)
    messages = []
    checklist = checklist_of(store, state)
    if checklist:
        message = checklist_message(playbook.slug, playbook.title, playbook.channel_id, by, checklist)
        unit = keys.champion(playbook.id, now.isoformat())
        messages.append(Message(keys.to_audience(unit, champion_id), "chat.postMessage", champion_id, message))
    record = setup_decisions.of_champion(playbook.id, playbook.slug, playbook.champion_id, champion_id, by)
    with store.unit_of_work() as uow:
        named = uow.champions.name_champion(playbook.id, playbook.champion_id, champion_id, now)
        if named:
            uow.governance.apply(Change(decisions=[record], messages=messages), now)
        uow.commit()
    if not named:
        raise Refusal.of("life_race", usage="champion", slug=playbook.slug)
    return Named(playbook.champion_id, checklist)


def mark(
    store: Store,
    slug: str,
    index: int,
    done: bool,
    by: str,
    now: datetime,
    dm: tuple[str, str] | None,
    team: list[str] | None = None,
) -> bool:
    """A checklist button: the item marked done (or undone) by the champion, and the DM it
    was clicked in (`dm`: its channel and ts) redrawn. False if it was so already. The
    owner as champion marks only as the team's only member (`team`: its people, None: not
    known): in a team of more people they are asked to name another."""
    state = store.playbooks.state(slug)
    if state is None:
        raise Refusal.of("playbook_gone")
    playbook = state.playbook
    if by != playbook.champion_id:
        raise Refusal.of(
            "checklist_champion_only",
            slug=playbook.slug,
            champion=user(playbook.champion_id) if playbook.champion_id else "no one yet",
        )
    if team is not None and not champion_gate.may_mark(playbook.champion_id, playbook.owner_id, by, team):
        raise Refusal.of("checklist_owner_not_alone", slug=playbook.slug)
    checklist = checklist_of(store, state)
    if index >= len(checklist):
        raise Refusal.of("checklist_item_gone", slug=playbook.slug)
    item = checklist[index]
    after = [
        i
        if i.index != index
        else Item(
            i.index,
            i.kind,
            i.text,
            done,
            by if done else None,
            now.date().isoformat() if done else None,
            keys.checklist_button(slug, i.index, not done),
        )
        for i in checklist
    ]
    messages = []
    if dm is not None:
        message = checklist_message(playbook.slug, playbook.title, playbook.channel_id, None, after)
        unit = keys.dm_update(f"checklist:{playbook.id}:{index}:{done}:{now.isoformat()}")
        messages.append(Message(unit, "chat.update", dm[0], {"ts": dm[1], **message}))
    with store.unit_of_work() as uow:
        marked = uow.champions.mark_item(playbook.id, item.kind, item.text, done, by, now)
        if marked:
            uow.outbox.enqueue(messages, now)
        uow.commit()
    return marked
