"""The input checks' section (docs/sources.md; usecases/input_checks.py): each checked
input's latest result, in words, on status and the web page."""

from __future__ import annotations

from typing import Any

from cadence.state import PlaybookState
from templates import notices_inputs
from usecases import input_checks
from usecases.sections.base import Reading, Section
from usecases.shared.caller import Caller


def _words(checked: list[input_checks.Shown]) -> dict[str, Any]:
    return dict(checked=[dict(name=c.name, said=notices_inputs.check_words(c)) for c in checked])


class InputsSection(Section):
    name = "inputs"

    def status(self, caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, Any]:
        return {s.playbook.id: input_checks.latest(reading.store, s, reading.now) for s in states}

    def status_words(self, state: PlaybookState, model: list[input_checks.Shown]) -> dict[str, Any]:
        return _words(model)

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Any]:
        return {s.playbook.id: input_checks.latest(reading.store, s, reading.now) for s in states}

    def page_words(self, state: PlaybookState, model: list[input_checks.Shown]) -> dict[str, Any]:
        return _words(model)


SECTION = InputsSection()
