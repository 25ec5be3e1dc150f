"""An open bar change request's section (docs/playbooks.md, "The bar moves by decision";
usecases/bar_requests.py): who asked, when, and each change old → new, on status and on
the playbook's web page while a curator has not answered it."""

from __future__ import annotations

from typing import Any

from cadence.state import PlaybookState
from usecases import bar_requests
from usecases.sections.base import Reading, Section
from usecases.shared.caller import Caller


def _asked(reading: Reading, states: list[PlaybookState]) -> dict[int, Any]:
    return {s.playbook.id: bar_requests.asked(reading.store, s.playbook.id) for s in states}


class BarRequestSection(Section):
    name = "bar request"

    def status(self, caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, Any]:
        return _asked(reading, states)

    def status_words(self, state: PlaybookState, model: dict[str, Any] | None) -> dict[str, Any]:
        return dict(bar_asked=model)

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Any]:
        return _asked(reading, states)

    def page_words(self, state: PlaybookState, model: dict[str, Any] | None) -> dict[str, Any]:
        return dict(bar_asked=model)


SECTION = BarRequestSection()
