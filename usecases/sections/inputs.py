"""The input checks' section (docs/sources.md; usecases/input_checks.py): each checked
input's latest result, in words, on status and the web page."""

from __future__ import annotations

from typing import TypedDict

from cadence.state import PlaybookState
from templates import notices_inputs
from usecases import input_checks
from usecases.sections.base import PagePart, Reading, StatusPart
from usecases.shared.caller import Caller


class CheckedInput(TypedDict):
    name: str
    said: str  # its latest result in words (templates/notices_inputs.py)


class InputsStatus(TypedDict):
    checked: list[CheckedInput]


class InputsPage(TypedDict):
    checked: list[CheckedInput]


def _checked(checked: list[input_checks.Shown]) -> list[CheckedInput]:
    return [CheckedInput(name=c.name, said=notices_inputs.check_words(c)) for c in checked]


class InputsSection(
    StatusPart[list[input_checks.Shown], InputsStatus],
    PagePart[list[input_checks.Shown], InputsPage],
):
    name = "inputs"

    def status(
        self, caller: Caller, reading: Reading, states: list[PlaybookState]
    ) -> dict[int, list[input_checks.Shown]]:
        return {s.playbook.id: input_checks.latest(reading.store, s, reading.now) for s in states}

    def status_words(self, state: PlaybookState, model: list[input_checks.Shown]) -> InputsStatus:
        return InputsStatus(checked=_checked(model))

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, list[input_checks.Shown]]:
        return {s.playbook.id: input_checks.latest(reading.store, s, reading.now) for s in states}

    def page_words(self, state: PlaybookState, model: list[input_checks.Shown]) -> InputsPage:
        return InputsPage(checked=_checked(model))


SECTION = InputsSection()
