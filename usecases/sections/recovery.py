"""The recovery's section (docs/judgement.md, "Demoted to human-led review"; cadence/recovery.py):
each step under human-led review after a `demote_to` demotion, with its way back in words
("human-led review, recovering: 1 of 2 PASS weeks"), on status (under the step's line) and
the web page. The history is read only for a playbook with such a step at human-led."""

from __future__ import annotations

from typing import TypedDict

from cadence import recovery
from cadence.state import PlaybookState
from cadence.verdicts import PASS
from storage.store import Store
from usecases.sections.base import PagePart, Reading, StatusPart
from usecases.shared.caller import Caller
from usecases.shared.governance import thresholds

Lines = dict[str, str]  # each recovering step's words, by step name


class RecoveryStatus(TypedDict):
    recovery: Lines


class RecoveryPage(TypedDict):
    recovery: Lines


def lines(store: Store, state: PlaybookState) -> Lines:
    """The playbook's steps under human-led review, their PASS weeks since out of those asked."""
    definition = state.playbook.definition
    asked = {s.id: recovery.recover_after(definition, s.name) for s in state.steps if s.mode == recovery.HUMAN_LED}
    if not any(asked.values()):
        return {}
    history = store.governance.histories([state], thresholds(state).lookback_weeks).states
    shown = {}
    for step in state.steps:
        found, needed = history.get(step.id), asked.get(step.id)
        if found is not None and needed and found.review_since is not None:
            shown[step.name] = recovery.words(found.trailing(PASS, after=found.streak_reset), needed)
    return shown


def _lines(reading: Reading, states: list[PlaybookState]) -> dict[int, Lines]:
    return {s.playbook.id: lines(reading.store, s) for s in states}


class RecoverySection(StatusPart[Lines, RecoveryStatus], PagePart[Lines, RecoveryPage]):
    name = "recovery"

    def status(self, caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, Lines]:
        return _lines(reading, states)

    def status_words(self, state: PlaybookState, model: Lines) -> RecoveryStatus:
        return RecoveryStatus(recovery=model)

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Lines]:
        return _lines(reading, states)

    def page_words(self, state: PlaybookState, model: Lines) -> RecoveryPage:
        return RecoveryPage(recovery=model)


SECTION = RecoverySection()
