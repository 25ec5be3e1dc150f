"""Learnings that flow back to the origin (docs/usage.md, "Replication"): a learning
added on an adopting playbook reaches the origin's owner in one DM a day, at 09:00 in the
owner's zone, listing the ones added since the last such DM; the origin's page lists
them under "from adopters" (usecases/sections/adopted.py) and its next registry version carries them
(usecases/shared/registry.py publish)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cadence import calendar, keys
from cadence.change import Message
from cadence.state import Playbook, PlaybookState
from storage.cadence_log import Work
from storage.store import Store
from templates import notices_registry

KIND = "learned-back"
SENT_AT = time(9, 0)  # the owner's own zone
SHOWN = 10  # in one DM; the rest on the origin's page or `/rollout learnings`
EARLIEST_ZONE = "Etc/GMT-14"  # no zone is ahead of it


@dataclass(frozen=True)
class Origin:
    """An origin playbook (not retired) and every playbook adopted from any of its versions."""

    state: PlaybookState
    adopters: list[Playbook]


def origins(
    store: Store, cursors: dict[int, dict[str, date]], at: datetime, every_adopter: list[Playbook]
) -> list[Origin]:
    """The origins whose daily DM may be due at `at`: those with adopters (`every_adopter`,
    `store.registry.every_adopter()`, which the tick reads with its other reads) that have
    not had today's (in the zone furthest ahead) recorded. One read more, if any."""
    adopters: dict[int, list[Playbook]] = {}
    for playbook in every_adopter:
        if playbook.adopted_origin_id is not None:
            adopters.setdefault(playbook.adopted_origin_id, []).append(playbook)
    ahead = calendar.local_date(at, EARLIEST_ZONE)
    wanted = [pid for pid in adopters if (cursors.get(pid, {}).get(KIND) or date.min) < ahead]
    if not wanted:
        return []
    states = store.playbooks.states_by_ids(wanted)
    return [
        Origin(states[pid], adopters[pid])
        for pid in wanted
        if pid in states and states[pid].playbook.status != "retired"
    ]


def due(
    store: Store,
    cursors: dict[int, dict[str, date]],
    at: datetime,
    every_adopter: list[Playbook],
    zones_of: Callable[[list[PlaybookState]], dict[int, str] | None],
) -> list[Work]:
    """The tick's part: the DMs due at `at`, the owners' zones asked (`zones_of`, the
    tick's) only when one may be due; none while Slack refuses the token (zones None)."""
    found = origins(store, cursors, at, every_adopter)
    zones = zones_of([o.state for o in found]) if found else None
    return work(store, found, zones, cursors, at) if zones else []


def _nine(day: date, zone: str) -> datetime:
    return datetime.combine(day, SENT_AT, tzinfo=ZoneInfo(zone))


def work(
    store: Store,
    due: list[Origin],
    zones: dict[int, str],
    cursors: dict[int, dict[str, date]],
    at: datetime,
    web_url: str | None = None,
) -> list[Work]:
    """Each origin's DM due at `at` (09:00 today in its owner's zone, not yet recorded):
    the learnings its adopters added since the last one (since 09:00 of the day it was
    recorded; without one, the day before), newest first. Nothing new: recorded as
    skipped, so the next DM lists everything since. A late DM (the bot was down) still
    goes: nothing it lists was sent before. One read for all of them."""
    todo = []
    for origin in due:
        zone = zones[origin.state.playbook.id]
        today = calendar.local_date(at, zone)
        sent_at = _nine(today, zone)
        last = cursors.get(origin.state.playbook.id, {}).get(KIND)
        if at < sent_at or (last is not None and last >= today):
            continue
        since = _nine(last, zone) if last is not None else sent_at - timedelta(days=1)
        todo.append((origin, today, since, sent_at))
    if not todo:
        return []
    earliest = min(since for _, _, since, _ in todo)
    ids = [p.id for origin, _, _, _ in todo for p in origin.adopters]
    found = store.learnings.of_playbooks(ids, since=earliest, until=at, limit=10_000)
    done = []
    for origin, today, since, sent_at in todo:
        playbook = origin.state.playbook
        slugs = {p.id: p.slug for p in origin.adopters}
        new = [x for x in found if x.playbook_id in slugs and since <= x.added_at < sent_at]
        key = keys.learned_back(playbook.id, today)
        if not new:
            done.append(Work(key, KIND, sent_at, "skipped", playbook.id, today, note="no new learning from adopters"))
            continue
        message = notices_registry.learned_back(
            origin=playbook.slug,
            items=[
                dict(adopter=slugs[x.playbook_id], cycle=x.cycle, by=x.added_by, text=x.text, on=x.added_at.date())
                for x in new[:SHOWN]
            ],
            more=max(0, len(new) - SHOWN),
            link=f"{web_url.rstrip('/')}/web/playbooks/{playbook.slug}" if web_url else None,
        )
        to = Message(keys.only_message(key), "chat.postMessage", playbook.owner_id, message)
        done.append(Work(key, KIND, sent_at, "done", playbook.id, today, messages=[to]))
    return done
