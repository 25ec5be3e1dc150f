"""The adopted playbook's section (docs/playbooks.md, "Versions and upgrades";
usecases/shared/versions.py): what an adopter runs of its origin's versions ("runs v2; v3 published 1 Mar"), its kit, and in its
first cycle the second pilot's ceiling, on status; on the web page, what it runs, its kit and
the learnings its adopters sent back; in the curators' digest, its origin's progress beside
its own and its latest replication verdict."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from cadence import calendar
from cadence.calendar import WeekRef
from cadence.definition import read_spec
from cadence.definition_parts import ReplicationSpec
from cadence.digest import Origin
from cadence.state import PlaybookState
from storage.models.governance import RegistryVersion
from usecases.sections.base import DigestPart, PagePart, Reading, StatusPart
from usecases.shared import versions
from usecases.shared.caller import Caller
from usecases.shared.listings import PLAYBOOK_LEARNINGS


@dataclass(frozen=True)
class Adopted:
    origin: RegistryVersion | None  # the version it was adopted from (None: not adopted, or that version unknown)
    runs: str | None  # "runs v2; v3 published 1 Mar"
    pilot: bool  # its first cycle: no proposal above the adopted modes (a second pilot, not a copy)


OnPage = tuple[str | None, list[dict[str, object]]]  # what it runs, and its adopters' newest learnings


class AdoptedStatus(TypedDict):
    origin: str | None  # "slug v2": the version it was adopted from
    runs: str | None
    pilot: bool
    kit: ReplicationSpec


class AdoptedPage(TypedDict):
    runs: str | None
    from_adopters: list[dict[str, object]]  # usecases/shared/versions.py, from_adopters
    kit: dict[str, object]  # ReplicationSpec.as_stored


class AdoptedDigest(TypedDict):
    origin: Origin


def _versions(reading: Reading, states: list[PlaybookState]) -> list[RegistryVersion]:
    """The registry's versions, read once if any of `states` was adopted (none otherwise)."""
    return reading.store.registry.versions() if any(s.playbook.adopted_from_id for s in states) else []


class AdoptedSection(
    StatusPart[Adopted, AdoptedStatus], PagePart[OnPage, AdoptedPage], DigestPart[Origin, AdoptedDigest]
):
    name = "adopted"

    def status(self, caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, Adopted]:
        """One read of the registry's versions, if any playbook was adopted."""
        known = _versions(reading, states)
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

    def status_words(self, state: PlaybookState, model: Adopted) -> AdoptedStatus:
        origin = f"{model.origin.slug} v{model.origin.version}" if model.origin else None
        return AdoptedStatus(
            origin=origin,
            runs=model.runs,
            pilot=model.pilot,
            kit=state.spec.replication if origin else ReplicationSpec(),
        )

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, OnPage]:
        """What each runs, and the newest learnings its adopters sent back."""
        known = _versions(reading, states)
        return {
            s.playbook.id: (
                versions.runs(known, s.playbook.adopted_from_id) if s.playbook.adopted_from_id else None,
                versions.from_adopters(reading.store, s.playbook.id, PLAYBOOK_LEARNINGS),
            )
            for s in states
        }

    def page_words(self, state: PlaybookState, model: OnPage) -> AdoptedPage:
        runs, from_adopters = model
        # the kit as the registry page shows one (web/_kit.html)
        return AdoptedPage(runs=runs, from_adopters=from_adopters, kit=state.spec.replication.as_stored())

    def digest(self, reading: Reading, reported: dict[int, tuple[PlaybookState, WeekRef]]) -> dict[int, Origin]:
        """Each adopter's origin: its version, its KPI in the adopter's reported week, and the
        adopter's latest replication verdict (three reads, however many adopters)."""
        adopters = {pid: (s, week) for pid, (s, week) in reported.items() if s.playbook.adopted_from_id}
        if not adopters:
            return {}
        store = reading.store
        known = store.registry.versions_by_id([s.playbook.adopted_from_id or 0 for s, _ in adopters.values()])
        verdicts = store.registry.replication_verdicts(list(adopters))
        weeks = sorted({week.week_start for _, week in adopters.values()})
        kpis = store.readouts.kpi_series(sorted({v.playbook_id for v in known.values()}), weeks)
        specs = {vid: read_spec(v.definition).kpi for vid, v in known.items()}
        found = {}
        for pid, (state, week) in adopters.items():
            v = known.get(state.playbook.adopted_from_id or 0)
            if v is None:
                continue
            latest = (verdicts.get(pid) or [{}])[-1]
            kpi = specs[v.id]
            found[pid] = Origin(
                v.slug,
                v.version,
                kpi.baseline,
                kpis.get((v.playbook_id, week.week_start)),
                latest.get("verdict"),
                latest.get("cycle"),
                kpi.target,
                latest if "change" in latest else None,
            )
        return found

    def digest_week(self, model: Origin) -> AdoptedDigest:
        return AdoptedDigest(origin=model)


SECTION = AdoptedSection()
