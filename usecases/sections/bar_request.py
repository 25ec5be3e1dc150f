"""An open bar change request's section (docs/playbooks.md, "The bar moves by decision";
usecases/bar_requests.py): who asked, when, and each change old → new, on status and on
the playbook's web page while a curator has not answered it."""

from __future__ import annotations

from typing import TypedDict

from cadence.state import PlaybookState
from usecases import bar_requests
from usecases.sections.base import PagePart, Reading, StatusPart
from usecases.shared.caller import Caller

Asked = dict[str, object] | None  # bar_requests.asked: who asked (`by`), when (`on`), the `changes` in words; None


def _asked(reading: Reading, states: list[PlaybookState]) -> dict[int, Asked]:
    return {s.playbook.id: bar_requests.asked(reading.store, s.playbook.id) for s in states}


class BarRequestStatus(TypedDict):
    bar_asked: Asked


class BarRequestPage(TypedDict):
    bar_asked: Asked


class BarRequestSection(StatusPart[Asked, BarRequestStatus], PagePart[Asked, BarRequestPage]):
    name = "bar request"

    def status(self, caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, Asked]:
        return _asked(reading, states)

    def status_words(self, state: PlaybookState, model: Asked) -> BarRequestStatus:
        return BarRequestStatus(bar_asked=model)

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Asked]:
        return _asked(reading, states)

    def page_words(self, state: PlaybookState, model: Asked) -> BarRequestPage:
        return BarRequestPage(bar_asked=model)


SECTION = BarRequestSection()
