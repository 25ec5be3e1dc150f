"""What a self-hoster asks of the command line (bot/cli.py), without Slack: load playbook
files, list the playbooks, show one, start a cycle, export every table. Someone at the command line runs the
installation, so they may do what an owner or a curator may; what they decide is recorded
as decided by the command line (`COMMAND_LINE`), under the same rules as `/rollout`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from cadence import calendar, definition_owners, mode_move
from cadence.change import Message
from cadence.definition import PlaybookSpec
from cadence.state import PlaybookState
from slack_api.members import DirectoryUnavailable, TeamDirectory
from storage.playbook_definitions import LoadOutcome
from storage.store import Store
from templates.playbook_yaml import playbook_yaml
from templates.refusals import Refusal, close_matches
from usecases import bar_loaded, sections
from usecases.shared import life, told

COMMAND_LINE = "cli:rollout"  # the actor of what the command line decides (not a person: it has a ':')


@dataclass(frozen=True)
class FileLoad:
    """One file of `load`: what became of its playbooks, or why none of them loaded."""

    name: str
    outcomes: list[LoadOutcome]
    refused: Refusal | None = None
    waiting: list[bar_loaded.Waits] = field(default_factory=list)  # loosened bars asked of the curators


def load(
    store: Store,
    files: list[tuple[str, list[PlaybookSpec]]],
    org_timezone: str,
    now: datetime,
    why: str | None = None,
) -> Iterator[FileLoad]:
    """The playbooks of each file, a file in one transaction: all of its playbooks or none
    of them, whatever becomes of the other files. `files`: each file's name and its
    playbooks, all validated already. A playbook defined in two files is refused in both,
    before anything is written: which of them holds it is for the operator to say.
    Each file's outcome comes as soon as it is committed, before the next file is begun, so
    a database error on one file still lets the caller say what the earlier ones did.
    `why`: the operator's reason (`--why`), which a file that loosens a bar needs."""
    defined: dict[str, list[str]] = {}
    for name, specs in files:
        for spec in specs:
            if name not in defined.setdefault(spec.playbook, []):
                defined[spec.playbook].append(name)
    for name, specs in files:
        twice = next((spec.playbook for spec in specs if len(defined[spec.playbook]) > 1), None)
        if twice is not None:
            first, second = defined[twice][:2]
            yield FileLoad(name, [], Refusal.of("cli_defined_twice", slug=twice, first=first, second=second))
            continue
        actor = f"{told.FILE_ACTOR}{Path(name).name}"[:64]
        yield _load_file(store, name, specs, org_timezone, actor, now, (why or "").strip())


def _load_file(
    store: Store, name: str, specs: list[PlaybookSpec], org_timezone: str, actor: str, now: datetime, why: str
) -> FileLoad:
    """One file in one unit of work: what of it applies now (a loosened bar of a playbook
    whose cycles run is a request a curator decides: usecases/bar_loaded.py). A playbook
    whose first cycle has not begun takes its file's modes whole: no week is judged yet
    (cadence.mode_move `unjudged`)."""
    with store.unit_of_work() as uow:
        try:
            splits = [bar_loaded.split(uow, spec, now) for spec in specs]
        except bar_loaded.NowInvalid as invalid:  # nothing of the file is stored
            words = ", ".join(invalid.waiting)
            return FileLoad(
                name, [], Refusal.of("bar_now_invalid", slug=invalid.slug, problem=invalid.problem, waiting=words)
            )
        loosening = next((s for s in splits if s.waiting), None)
        if loosening is not None and not why:  # nothing of the file is stored
            words = "; ".join(c.words for c in loosening.waiting)
            return FileLoad(name, [], Refusal.of("bar_load_why", slug=loosening.spec.playbook, changes=words))
        states = {spec.playbook: uow.playbooks.state(spec.playbook) for spec in specs}  # as before the load
        outcomes = uow.playbooks.load([s.spec for s in splits], org_timezone, actor=actor, at=now)
        for outcome in outcomes:
            outcome = _with_why(outcome, why)
            before = states.get(outcome.slug)
            unjudged = before is None or before.cycle_anchor is None  # no week judged yet: the file is the definition
            ups = [mode_move.unjudged(m) for m in outcome.ups] if unjudged else []
            told.record_loaded(uow, outcome, now, _told(states, outcome, actor, now), ups)
        waiting = [bar_loaded.record(uow, s, actor, why, now) for s in splits if s.waiting]
        uow.commit()
    return FileLoad(name, outcomes, waiting=waiting)


def _with_why(outcome: LoadOutcome, why: str) -> LoadOutcome:
    """A change the file made, its `--why` kept with its row (a text's diff on the web page
    shows it, cadence/step_texts.py)."""
    decision = outcome.decision
    if not why or decision is None or outcome.before is None:
        return outcome
    figures = {**decision.figures, "why": why}
    return dataclasses.replace(outcome, decision=dataclasses.replace(decision, figures=figures))


def _told(states: dict[str, PlaybookState | None], outcome: LoadOutcome, actor: str, now: datetime) -> list[Message]:
    """What a load tells the team channel of a playbook it changed (usecases/shared/told.py),
    given its state before: its changes, from the open week, loaded from the file (keyed by
    the change's decision row as it is recorded). A playbook the file creates is no
    revision and is not told."""
    state = states.get(outcome.slug)
    if state is None or outcome.before is None or outcome.after is None:
        return []
    why = f"loaded from the file {actor.removeprefix(told.FILE_ACTOR)}"
    message = told.revision(state, outcome.before, outcome.after, actor, why, now)
    return [] if message is None else [message]


@dataclass(frozen=True)
class Overview:
    """A playbook as the command line shows it: its state and where its cycles stand."""

    state: PlaybookState
    week: calendar.WeekRef | None  # the week running today, in the playbook's zone
    starts_on: date | None  # the first day of its latest cycle, begun or to come
    owner: str = ""  # its owner and its channel as the web view shows them: by name, with the id
    channel: str = ""
    owners: tuple[str, ...] = ()  # `playbook show`: its exception owner and operational owners, each with its role


def _overview(state: PlaybookState, now: datetime, people: dict[str, str], channels: dict[str, str]) -> Overview:
    today = calendar.local_date(now, state.playbook.timezone)
    anchor = state.cycle_anchor
    week = calendar.week_containing(anchor, today) if anchor else None
    owner, channel = state.playbook.owner_id, state.playbook.channel_id
    return Overview(
        state,
        week,
        anchor.starts_on if anchor else None,
        f"{people[owner]} ({owner})" if owner in people else owner,
        f"#{channels[channel]} ({channel})" if channel in channels else channel,
    )


def playbooks(store: Store, now: datetime) -> list[Overview]:
    states = store.playbooks.states()
    people = store.people.names(s.playbook.owner_id for s in states)
    channels = store.people.channel_names(s.playbook.channel_id for s in states)
    return [_overview(state, now, people, channels) for state in states]


def playbook(store: Store, slug: str, now: datetime) -> Overview:
    state = store.playbooks.state(slug)
    if state is None:
        raise Refusal.of("no_playbook", suggestions=close_matches(slug, store.playbooks.slugs()), slug=slug[:64])
    named = definition_owners.named(
        state.playbook.definition, state.playbook.owner_id, state.playbook.adopted_from_id is not None
    )
    people = store.people.names([user for _, user in named])
    overview = _overview(state, now, people, store.people.channel_names([state.playbook.channel_id]))
    others = tuple(f"{role} " + (f"{people[user]} ({user})" if user in people else user) for role, user in named[1:])
    return dataclasses.replace(overview, owners=others)


def team_size(directory: TeamDirectory, client: WebClient, state: PlaybookState) -> int | None:
    """How many people are on the playbook's team, if Slack answers; None if it does not."""
    try:
        team = directory.teams(client, [state.playbook.channel_id]).get(state.playbook.channel_id)
    except (DirectoryUnavailable, SlackApiError, OSError, TimeoutError):
        return None
    return None if team is None else len(team)


def start_cycle(store: Store, slug: str, starts_on: date | None, now: datetime) -> tuple[PlaybookState, life.Started]:
    """`rollout cycle start`: the rules of `/rollout cycle start`, decided by the command line."""
    state = playbook(store, slug, now).state
    return state, life.start_cycle(store, state, starts_on, COMMAND_LINE, now)


def export_csv(store: Store, directory: Path) -> list[tuple[str, int]]:
    """Every table as DIRECTORY/<table>.csv, of one snapshot: each file's name and rows;
    beside them each registered section's files (usecases/sections; the pulse's tables
    only as its figures, pulse.csv, no answer-level file).
    Raises OSError, leaving `directory` as it was, when it cannot be written."""
    return store.readouts.export_csv(directory, sections.export_all(store))


def export_yaml(store: Store, slugs: list[str] | None) -> str:
    """`rollout playbook export`: the playbooks named (every playbook for None), as the
    YAML `rollout playbook load` takes back without a new revision. An unknown slug is
    refused before anything is printed."""
    if slugs is None:
        states = store.playbooks.states()
    else:
        states = []
        for slug in dict.fromkeys(slugs):
            state = store.playbooks.state(slug)
            if state is None:
                raise Refusal.of(
                    "no_playbook", suggestions=close_matches(slug, store.playbooks.slugs()), slug=slug[:64]
                )
            states.append(state)
    return playbook_yaml([s.playbook.definition for s in states], note="\n".join(export_notes(states)))


def export_notes(states: list[PlaybookState]) -> list[str]:
    """The comment an export opens with: how to load it, and where a playbook's owner or
    channel was changed in Slack since its definition was written (the file keeps the
    definition; loading it back changes nothing)."""
    notes = ["Playbooks as code: `rollout playbook load FILE` takes this file back unchanged."]
    for state in states:
        p, written = state.playbook, state.playbook.definition
        if written.get("owner") != p.owner_id:
            notes.append(f"{p.slug}: its owner is {p.owner_id} now (handed over in Slack); this file names the first.")
        if written.get("channel") != p.channel_id:
            notes.append(f"{p.slug}: its team channel is {p.channel_id} now; this file names the first.")
    return notes
