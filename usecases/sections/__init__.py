"""The sections, in the capabilities' order (cadence/capabilities.py `sections`), and each
surface's loop over them (issue 94, item 3; a section: usecases/sections/base.py). Their
order is also the order of their fields in the API's JSON and of their columns in the
overview's playbooks.csv (the stall's "stalled" before depth's "plateau"). A surface
imports this module and no capability's (tests/test_layers.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from cadence.calendar import WeekRef
from cadence.capabilities import load
from cadence.change import Message
from cadence.digest import PlaybookDigest
from cadence.state import PlaybookState
from storage.store import Store
from templates.tables import Column, Table
from usecases.sections.base import Reading, Section
from usecases.shared.caller import Caller

SECTIONS: tuple[Section, ...] = tuple(load("sections", "SECTION", Section))

Read = dict[str, Any]  # a playbook's models, by section name

__all__ = ["SECTIONS", "Read", "Reading", "Section"]


def _by_playbook(states: list[PlaybookState], reads: list[tuple[str, dict[int, Any]]]) -> dict[int, Read]:
    found: dict[int, Read] = {s.playbook.id: {} for s in states}
    for name, models in reads:
        for pid, model in models.items():
            found[pid][name] = model
    return found


def _words(read: Read, hook: str, state: PlaybookState) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for section in SECTIONS:
        if section.name in read:
            shown |= getattr(section, hook)(state, read[section.name])
    return shown


def status(caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, Read]:
    return _by_playbook(states, [(s.name, s.status(caller, reading, states)) for s in SECTIONS])


def status_words(state: PlaybookState, read: Read) -> dict[str, Any]:
    return _words(read, "status_words", state)


def digest(reading: Reading, reported: dict[int, tuple[PlaybookState, WeekRef]]) -> dict[int, Read]:
    states = [state for state, _ in reported.values()]
    return _by_playbook(states, [(s.name, s.digest(reading, reported)) for s in SECTIONS])


def digest_week(read: Read) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for section in SECTIONS:
        if section.name in read:
            shown |= section.digest_week(read[section.name])
    return shown


def digest_rollup(digests: list[PlaybookDigest]) -> dict[str, Any]:
    return {k: v for section in SECTIONS for k, v in section.digest_rollup(digests).items()}


def digest_org(reading: Reading, active: list[PlaybookState]) -> dict[str, Any]:
    return {k: v for section in SECTIONS for k, v in section.digest_org(reading, active).items()}


def digest_messages(reading: Reading, unit: str, summary_key: str, channel: str) -> list[Message]:
    return [m for section in SECTIONS for m in section.digest_messages(reading, unit, summary_key, channel)]


def registry_page(reading: Reading) -> dict[str, Any]:
    return {k: v for section in SECTIONS for k, v in section.registry_page(reading).items()}


def page(reading: Reading, states: list[PlaybookState]) -> dict[int, Read]:
    return _by_playbook(states, [(s.name, s.page(reading, states)) for s in SECTIONS])


def page_words(state: PlaybookState, read: Read) -> dict[str, Any]:
    return _words(read, "page_words", state)


def page_charted(state: PlaybookState, read: Read) -> dict[str, Any]:
    return _words(read, "page_charted", state)


def page_tables(shown: dict[str, Any]) -> dict[str, Table]:
    return {k: v for section in SECTIONS for k, v in section.page_tables(shown).items()}


def page_charts(shown: dict[str, Any]) -> dict[str, Any]:
    return {k: v for section in SECTIONS for k, v in section.page_charts(shown).items()}


def summary(reading: Reading, states: list[PlaybookState]) -> dict[int, Read]:
    return _by_playbook(states, [(s.name, s.summary(reading, states)) for s in SECTIONS])


def summary_fields(state: PlaybookState, read: Read) -> dict[str, Any]:
    return _words(read, "summary_fields", state)


def summary_kpi(state: PlaybookState, read: Read) -> dict[str, Any]:
    return _words(read, "summary_kpi", state)


def api(reading: Reading, states: list[PlaybookState]) -> dict[int, Read]:
    return _by_playbook(states, [(s.name, s.api(reading, states)) for s in SECTIONS])


def api_fields(state: PlaybookState, read: Read) -> dict[str, Any]:
    return _words(read, "api_fields", state)


def api_week(read: Read, week: date) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for section in SECTIONS:
        if section.name in read:
            shown |= section.api_week(read[section.name], week)
    return shown


def overview_weeks(state: PlaybookState, now: datetime) -> set[date]:
    return {week for section in SECTIONS for week in section.overview_weeks(state, now)}


def overview(reading: Reading, states: list[PlaybookState]) -> dict[int, Read]:
    return _by_playbook(states, [(s.name, s.overview(reading, states)) for s in SECTIONS])


def overview_line(state: PlaybookState, read: Read) -> dict[str, Any]:
    return _words(read, "overview_line", state)


def overview_org(reading: Reading, reads: dict[int, Read]) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for section in SECTIONS:
        models = {pid: read[section.name] for pid, read in reads.items() if section.name in read}
        shown |= section.overview_org(reading, models)
    return shown


def overview_columns(shown: dict[str, Any]) -> list[Column]:
    return [column for section in SECTIONS for column in section.overview_columns(shown)]


def overview_tables(shown: dict[str, Any]) -> dict[str, Table]:
    return {k: v for section in SECTIONS for k, v in section.overview_tables(shown).items()}


def overview_charts(shown: dict[str, Any]) -> dict[str, Any]:
    return {k: v for section in SECTIONS for k, v in section.overview_charts(shown).items()}


def export(store: Store, states: list[PlaybookState]) -> dict[str, Table]:
    return {k: v for section in SECTIONS for k, v in section.export(store, states).items()}
