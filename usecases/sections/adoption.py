"""The adoption's section (docs/playbooks.md, "The registry"; usecases/shared/versions.py): what
an adopter runs of its origin's versions ("runs v2; v3 published 1 Mar"), its kit, and in its
first cycle the second pilot's ceiling, on status; on the web page, what it runs, its kit and
the learnings its adopters sent back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cadence import calendar
from cadence.definition_parts import ReplicationSpec
from cadence.state import PlaybookState
from storage.models.governance import RegistryVersion
from usecases.sections.base import Reading, Section
from usecases.shared import versions
from usecases.shared.caller import Caller
from usecases.shared.listings import PLAYBOOK_LEARNINGS


@dataclass(frozen=True)
class Adopted:
    origin: RegistryVersion | None  # the version it was adopted from (None: not adopted)
    runs: str | None  # "runs v2; v3 published 1 Mar"
    pilot: bool  # its first cycle: no proposal above the adopted modes (a second pilot, not a copy)


class AdoptionSection(Section):
    name = "adoption"

    def status(self, caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, Any]:
        """One read of the registry's versions, if any playbook was adopted."""
        known = reading.store.registry.versions() if any(s.playbook.adopted_from_id for s in states) else []
        found = {}
        for state in states:
            adopted_from = state.playbook.adopted_from_id
            origin = next((v for v in known if v.id == adopted_from), None) if adopted_from else None
            week = calendar.week_containing(state.running(), caller.today(state)) if state.anchor is not None else None
            runs = versions.runs(known, adopted_from) if adopted_from else None
            found[state.playbook.id] = Adopted(
                origin, runs, origin is not None and week is not None and week.cycle == 1
            )
        return found

    def status_words(self, state: PlaybookState, model: Adopted) -> dict[str, Any]:
        origin = f"{model.origin.slug} v{model.origin.version}" if model.origin else None
        return dict(
            origin=origin,
            runs=model.runs,
            pilot=model.pilot,
            kit=state.spec.replication if origin else ReplicationSpec(),
        )

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Any]:
        """What each runs, and the newest learnings its adopters sent back."""
        known = reading.store.registry.versions() if any(s.playbook.adopted_from_id for s in states) else []
        return {
            s.playbook.id: (
                versions.runs(known, s.playbook.adopted_from_id) if s.playbook.adopted_from_id else None,
                versions.from_adopters(reading.store, s.playbook.id, PLAYBOOK_LEARNINGS),
            )
            for s in states
        }

    def page_words(self, state: PlaybookState, model: tuple[str | None, list[dict[str, Any]]]) -> dict[str, Any]:
        runs, from_adopters = model
        # the kit as the registry page shows one (web/_kit.html)
        return dict(runs=runs, from_adopters=from_adopters, kit=state.spec.replication.as_stored())


SECTION = AdoptionSection()
