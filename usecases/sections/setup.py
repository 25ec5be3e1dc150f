"""Setup time's section (docs/playbooks.md, "Made in Slack"; usecases/setup_time.py): a
first-cycle playbook's own days from asked to its first nudge and first closed week, on
status; the org's medians on the web overview."""

from __future__ import annotations

from typing import Any

from cadence.state import PlaybookState
from usecases import setup_time
from usecases.sections.base import Reading, Section
from usecases.shared.caller import Caller


class SetupSection(Section):
    name = "setup"

    def status(self, caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, Any]:
        return {s.playbook.id: setup_time.own(reading.store, s) for s in states}

    def status_words(self, state: PlaybookState, model: dict[str, Any] | None) -> dict[str, Any]:
        return dict(setup=model)

    def overview_org(self, reading: Reading, models: dict[int, Any]) -> dict[str, Any]:
        """The org's medians of the playbooks' setup times."""
        return dict(setup=setup_time.overview(reading.store, reading.now))


SECTION = SetupSection()
