"""The champion's section (docs/playbooks.md, "Champions"; usecases/shared/champions.py):
the champion's checklist, how far they are, and on status whether an adopter's first cycle
waits for their training before a promotion (cadence.champion_gate); on status and on the
playbook's web page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from cadence import calendar
from cadence.champion_gate import promotions_wait
from cadence.state import PlaybookState
from usecases.sections.base import PagePart, Reading, StatusPart
from usecases.shared import champions
from usecases.shared.caller import Caller
from usecases.shared.champions import Item


@dataclass(frozen=True)
class Champion:
    checklist: list[Item] | None  # None: no champion named
    pilot: bool  # an adopter's first cycle, as the close's gate reads it (usecases/shared/close/steps.py)


class Checklist(TypedDict):
    champion: str | None
    checklist: dict[str, object]  # usecases/shared/champions.py, summary: its items, done and total


class TrainingWait(TypedDict):
    champion: str | None
    done: int
    total: int


class ChampionStatus(TypedDict):
    champion: Checklist | None  # None: no champion named
    training_wait: TrainingWait | None  # an adopter's first cycle whose promotions wait for the champion's training


class ChampionPage(TypedDict):
    champion: str | None
    checklist: list[Item]


def _checklist(reading: Reading, state: PlaybookState) -> list[Item] | None:
    return champions.checklist_of(reading.store, state) if state.playbook.champion_id else None


class ChampionSection(StatusPart[Champion, ChampionStatus], PagePart[list[Item], ChampionPage]):
    name = "champion"

    def status(self, caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, Champion]:
        found = {}
        for state in states:
            week = calendar.week_containing(state.running(), caller.today(state)) if state.anchor is not None else None
            adopted = state.playbook.adopted_from_id is not None
            found[state.playbook.id] = Champion(
                _checklist(reading, state), adopted and week is not None and week.cycle == 1
            )
        return found

    def status_words(self, state: PlaybookState, model: Champion) -> ChampionStatus:
        champion, checklist = state.playbook.champion_id, model.checklist
        counted = champions.summary(checklist or [])
        done, total = counted["done"], counted["total"]
        return ChampionStatus(
            champion=None if checklist is None else Checklist(champion=champion, checklist=counted),
            # an adopter's first cycle whose promotions wait for the champion's training: who, and how far
            training_wait=TrainingWait(champion=champion, done=done, total=total)
            if promotions_wait(model.pilot, champion, done, total)
            else None,
        )

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, list[Item]]:
        return {s.playbook.id: _checklist(reading, s) or [] for s in states}

    def page_words(self, state: PlaybookState, model: list[Item]) -> ChampionPage:
        return ChampionPage(champion=state.playbook.champion_id, checklist=model)


SECTION = ChampionSection()
