"""Setup time's section (docs/playbooks.md, "Made in Slack"; usecases/setup_time.py): a
first-cycle playbook's own days from asked to its first nudge and first closed week, on
status; the org's medians on the web overview."""

from __future__ import annotations

from typing import TypedDict

from cadence.state import PlaybookState
from usecases import setup_time
from usecases.sections.base import OverviewOrgPart, Reading, StatusPart
from usecases.shared.caller import Caller


class SetupStatus(TypedDict):
    setup: dict[str, object] | None  # setup_time.own: asked (ISO date), to_nudge and to_close (days); None: none


class SetupOrg(TypedDict):
    setup: dict[str, object] | None  # setup_time.overview: the medians and their counts; None: none asked for


class SetupSection(StatusPart[dict[str, object] | None, SetupStatus], OverviewOrgPart[object, SetupOrg]):
    name = "setup"

    def status(
        self, caller: Caller, reading: Reading, states: list[PlaybookState]
    ) -> dict[int, dict[str, object] | None]:
        return {s.playbook.id: setup_time.own(reading.store, s) for s in states}

    def status_words(self, state: PlaybookState, model: dict[str, object] | None) -> SetupStatus:
        return SetupStatus(setup=model)

    def overview_org(self, reading: Reading, models: dict[int, object]) -> SetupOrg:
        """The org's medians of the playbooks' setup times."""
        return SetupOrg(setup=setup_time.overview(reading.store, reading.now))


SECTION = SetupSection()
