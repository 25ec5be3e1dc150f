"""The champion's section (docs/playbooks.md, "Champions"; usecases/shared/champions.py):
the champion's checklist, how far they are, who they are to the team (the owner as the
team's only member, or asked to name another), and on status and the playbook's web page
whether an adopter's steps wait for their training before going up (cadence.champion_gate)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from slack_sdk.errors import SlackApiError

from cadence import champion_gate
from cadence.champion_gate import promotions_wait
from cadence.state import PlaybookState
from slack_api.members import DirectoryUnavailable
from usecases.sections.base import PagePart, Reading, StatusPart
from usecases.shared import champions
from usecases.shared.caller import Caller
from usecases.shared.champions import Item


@dataclass(frozen=True)
class Champion:
    checklist: list[Item] | None  # None: no champion named
    required: bool  # an adopter whose kit requires a trained champion (usecases/shared/champions.py)
    standing: str | None = None  # cadence.champion_gate: the owner alone, or asked to name another


class Checklist(TypedDict):
    champion: str | None
    checklist: dict[str, object]  # usecases/shared/champions.py, summary: its items, done and total


class TrainingWait(TypedDict):
    champion: str | None
    done: int
    total: int


class ChampionStatus(TypedDict):
    champion: Checklist | None  # None: no champion named
    training_wait: TrainingWait | None  # an adopter whose steps wait for the champion's training
    champion_standing: str | None  # owner_alone, owner_not_alone (cadence.champion_gate); else None


class ChampionPage(TypedDict):
    champion: str | None
    checklist: list[Item]
    training_wait: TrainingWait | None


def _checklist(reading: Reading, state: PlaybookState) -> list[Item] | None:
    return champions.checklist_of(reading.store, state) if state.playbook.champion_id else None


def _wait(state: PlaybookState, required: bool, checklist: list[Item] | None) -> TrainingWait | None:
    """Who the steps wait for, and how far they are; None: they wait for no training."""
    champion = state.playbook.champion_id
    done, total = champions.counts(checklist or [])
    return (
        TrainingWait(champion=champion, done=done, total=total)
        if promotions_wait(required, champion, done, total)
        else None
    )


def _standing(caller: Caller, state: PlaybookState) -> str | None:
    """Who the champion is to the team, asking Slack only when it is the owner (None: not
    said, Slack did not answer or someone else is the champion)."""
    playbook = state.playbook
    if playbook.champion_id is None or playbook.champion_id != playbook.owner_id:
        return None
    channel = playbook.channel_id
    known = None if state.channel_changes is None else {channel: state.channel_changes}
    try:
        team = caller.services.directory.teams(caller.client, [channel], known).get(channel)
    except (DirectoryUnavailable, SlackApiError, OSError, TimeoutError):
        return None
    return champion_gate.standing(
        playbook.champion_id, playbook.owner_id, None if team is None else [p.user_id for p in team]
    )


class ChampionSection(StatusPart[Champion, ChampionStatus], PagePart[list[Item], ChampionPage]):
    name = "champion"

    def status(self, caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, Champion]:
        found = {}
        for state in states:
            required, checklist = champions.required(state), _checklist(reading, state)
            standing = _standing(caller, state) if required and checklist else None  # Slack asked only then
            found[state.playbook.id] = Champion(checklist, required, standing)
        return found

    def status_words(self, state: PlaybookState, model: Champion) -> ChampionStatus:
        champion, checklist = state.playbook.champion_id, model.checklist
        counted = champions.summary(checklist or [])
        return ChampionStatus(
            champion=None if checklist is None else Checklist(champion=champion, checklist=counted),
            # an adopter whose steps wait for the champion's training: who, and how far
            training_wait=_wait(state, model.required, checklist),
            champion_standing=model.standing if model.standing != champion_gate.NAMED else None,
        )

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, list[Item]]:
        return {s.playbook.id: _checklist(reading, s) or [] for s in states}

    def page_words(self, state: PlaybookState, model: list[Item]) -> ChampionPage:
        waits = _wait(state, champions.required(state), model if state.playbook.champion_id else None)
        return ChampionPage(champion=state.playbook.champion_id, checklist=model, training_wait=waits)


SECTION = ChampionSection()
