"""The sections, in the capabilities' order (cadence/capabilities.py `sections`), and each
surface's loop over its parts (issue 94, item 3; issue 110, item 2; a part:
usecases/sections/base.py). Their order is also the order of their fields in the API's
JSON and of their columns in the overview's playbooks.csv (the stall's "stalled" before
depth's "plateau"). A surface imports this module and no capability's (tests/test_layers.py)."""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any, TypeVar, is_typeddict

from cadence.calendar import WeekRef
from cadence.capabilities import load
from cadence.change import Message
from cadence.digest import PlaybookDigest
from cadence.state import PlaybookState
from storage.store import Store
from templates.notices_digest import Fragment
from templates.tables import Column, Table
from usecases.sections.base import (
    ApiPart,
    Chart,
    DigestHeaderPart,
    DigestOrgPart,
    DigestPart,
    ExportPart,
    OverviewOrgPart,
    OverviewPart,
    PagePart,
    Part,
    Reading,
    RegistryPart,
    StatusPart,
    SummaryPart,
)
from usecases.shared.caller import Caller

P = TypeVar("P", bound=Part)

SECTIONS: tuple[Part, ...] = tuple(load("sections", "SECTION", Part))

Read = dict[str, Any]  # a playbook's models, by section name

__all__ = ["SECTIONS", "Read", "Reading"]


def shown_keys(part: Part, hook: str) -> frozenset[str]:
    """The keys a part's `hook` shows: its return annotation's, a TypedDict of the part's
    own (none for a hook still typed as a plain mapping)."""
    method = getattr(type(part), hook, None)
    if method is None:
        return frozenset()
    annotation = inspect.signature(method).return_annotation
    if isinstance(annotation, str):
        annotation = eval(annotation, method.__globals__)
    return frozenset(annotation.__annotations__) if is_typeddict(annotation) else frozenset()


def parts_of(kind: type[P], among: Sequence[Part], *hooks: str) -> tuple[P, ...]:
    """The sections `among` with a part of `kind`, in their order; two of them showing the
    same key in one of `hooks` (one surface's context) is a TypeError, as it would
    overwrite the other's words."""
    parts = tuple(s for s in among if isinstance(s, kind))
    for hook in hooks:
        owner: dict[str, str] = {}
        for part in parts:
            for key in shown_keys(part, hook):
                if key in owner:
                    raise TypeError(f"sections {owner[key]} and {part.name} both show {key!r} ({kind.__name__}.{hook})")
                owner[key] = part.name
    return parts


STATUS = parts_of(StatusPart, SECTIONS, "status_words")
DIGEST = parts_of(DigestPart, SECTIONS, "digest_week")
DIGEST_ORG = parts_of(DigestOrgPart, SECTIONS, "digest_rollup", "digest_org")
DIGEST_HEADER = parts_of(DigestHeaderPart, SECTIONS, "digest_api")
REGISTRY = parts_of(RegistryPart, SECTIONS, "registry_page")
PAGE = parts_of(PagePart, SECTIONS, "page_words", "page_charted")
SUMMARY = parts_of(SummaryPart, SECTIONS, "summary_fields", "summary_kpi")
API = parts_of(ApiPart, SECTIONS, "api_fields", "api_week")
OVERVIEW = parts_of(OverviewPart, SECTIONS, "overview_line")
OVERVIEW_ORG = parts_of(OverviewOrgPart, SECTIONS, "overview_org")
EXPORT = parts_of(ExportPart, SECTIONS)


def _by_playbook(states: list[PlaybookState], reads: list[tuple[str, Mapping[int, object]]]) -> dict[int, Read]:
    found: dict[int, Read] = {s.playbook.id: {} for s in states}
    for name, models in reads:
        for pid, model in models.items():
            found[pid][name] = model
    return found


def _words(parts: Sequence[Part], read: Read, hook: str, state: PlaybookState) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for part in parts:
        if part.name in read:
            shown |= getattr(part, hook)(state, read[part.name])
    return shown


def status(caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, Read]:
    return _by_playbook(states, [(s.name, s.status(caller, reading, states)) for s in STATUS])


def status_words(state: PlaybookState, read: Read) -> dict[str, Any]:
    return _words(STATUS, read, "status_words", state)


def digest(reading: Reading, reported: dict[int, tuple[PlaybookState, WeekRef]]) -> dict[int, Read]:
    states = [state for state, _ in reported.values()]
    return _by_playbook(states, [(s.name, s.digest(reading, reported)) for s in DIGEST])


def digest_week(read: Read) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for part in DIGEST:
        if part.name in read:
            shown |= part.digest_week(read[part.name])
    return shown


def digest_rollup(digests: list[PlaybookDigest]) -> dict[str, Any]:
    return {k: v for part in DIGEST_ORG for k, v in part.digest_rollup(digests).items()}


def digest_org(reading: Reading, active: list[PlaybookState]) -> dict[str, Any]:
    return {k: v for part in DIGEST_ORG for k, v in part.digest_org(reading, active).items()}


def digest_header(reading: Reading, active: list[PlaybookState]) -> dict[str, object]:
    """The header parts' own models (cadence.digest.OrgWeek `parts`), by section name."""
    return {part.name: part.digest_header(reading, active) for part in DIGEST_HEADER}


def digest_fragments(models: Mapping[str, object]) -> list[Fragment]:
    """The header's lines of the parts' own: each part's fragment with its model, in the sections' order."""
    return [Fragment(part.fragment, models[part.name]) for part in DIGEST_HEADER if part.name in models]


def digest_api(models: Mapping[str, object]) -> dict[str, Any]:
    """The API's digest's `org` fields of the header parts, each drawn from its own model."""
    shown: dict[str, Any] = {}
    for part in DIGEST_HEADER:
        if part.name in models:
            shown |= part.digest_api(models[part.name])
    return shown


def digest_messages(reading: Reading, unit: str, summary_key: str, channel: str) -> list[Message]:
    return [m for part in DIGEST_ORG for m in part.digest_messages(reading, unit, summary_key, channel)]


def registry_page(reading: Reading) -> dict[str, Any]:
    return {k: v for part in REGISTRY for k, v in part.registry_page(reading).items()}


def page(reading: Reading, states: list[PlaybookState]) -> dict[int, Read]:
    return _by_playbook(states, [(s.name, s.page(reading, states)) for s in PAGE])


def page_words(state: PlaybookState, read: Read) -> dict[str, Any]:
    return _words(PAGE, read, "page_words", state)


def page_charted(state: PlaybookState, read: Read) -> dict[str, Any]:
    return _words(PAGE, read, "page_charted", state)


def _own(part: Part, hook: str, shown: Mapping[str, Any]) -> dict[str, Any]:
    """A part's own words of a surface's context: the keys its `hook` shows."""
    return {key: shown[key] for key in shown_keys(part, hook) if key in shown}


def page_tables(shown: Mapping[str, Any]) -> dict[str, Table]:
    found: dict[str, Table] = {}
    for part in PAGE:
        found |= part.page_tables(_own(part, "page_words", shown), shown.get("people") or {})
    return found


def page_charts(shown: Mapping[str, Any]) -> dict[str, Chart]:
    found: dict[str, Chart] = {}
    for part in PAGE:
        found |= part.page_charts(_own(part, "page_words", shown), shown["playbook"].title)
    return found


def summary(reading: Reading, states: list[PlaybookState]) -> dict[int, Read]:
    return _by_playbook(states, [(s.name, s.summary(reading, states)) for s in SUMMARY])


def summary_fields(state: PlaybookState, read: Read) -> dict[str, Any]:
    return _words(SUMMARY, read, "summary_fields", state)


def summary_kpi(state: PlaybookState, read: Read) -> dict[str, Any]:
    return _words(SUMMARY, read, "summary_kpi", state)


def api(reading: Reading, states: list[PlaybookState]) -> dict[int, Read]:
    return _by_playbook(states, [(s.name, s.api(reading, states)) for s in API])


def api_fields(state: PlaybookState, read: Read) -> dict[str, Any]:
    return _words(API, read, "api_fields", state)


def api_week(read: Read, week: date) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for part in API:
        if part.name in read:
            shown |= part.api_week(read[part.name], week)
    return shown


def overview_weeks(state: PlaybookState, now: datetime) -> set[date]:
    return {week for part in OVERVIEW for week in part.overview_weeks(state, now)}


def overview(reading: Reading, states: list[PlaybookState]) -> dict[int, Read]:
    return _by_playbook(states, [(s.name, s.overview(reading, states)) for s in OVERVIEW])


def overview_line(state: PlaybookState, read: Read) -> dict[str, Any]:
    return _words(OVERVIEW, read, "overview_line", state)


def overview_org(reading: Reading, reads: dict[int, Read]) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for part in OVERVIEW_ORG:
        models = {pid: read[part.name] for pid, read in reads.items() if part.name in read}
        shown |= part.overview_org(reading, models)
    return shown


def _org(part: Part, shown: Mapping[str, Any]) -> Any:
    """What a part's overview hooks are given: its own org words of the overview's context."""
    return _own(part, "overview_org", shown)


def overview_columns(shown: Mapping[str, Any]) -> list[Column]:
    return [column for part in OVERVIEW_ORG for column in part.overview_columns(_org(part, shown))]


def overview_tables(shown: Mapping[str, Any]) -> dict[str, Table]:
    return {k: v for part in OVERVIEW_ORG for k, v in part.overview_tables(_org(part, shown)).items()}


def overview_charts(shown: Mapping[str, Any]) -> dict[str, Chart]:
    return {k: v for part in OVERVIEW_ORG for k, v in part.overview_charts(_org(part, shown)).items()}


def export(store: Store, states: list[PlaybookState]) -> dict[str, Table]:
    return {k: v for part in EXPORT for k, v in part.export(store, states).items()}


EXPORT_BATCH = 500  # playbooks whose states an export holds at once


def export_all(store: Store, batch: int = EXPORT_BATCH) -> dict[str, Table]:
    """Every playbook's files of the export parts, `batch` playbooks' states read at a time
    in slug order (10,000 playbooks' states whole are 270 MiB): each part's rows of each
    batch follow the last's, as one read of them all would give them (a part's rows are
    per playbook, in slug order)."""
    listed = store.playbooks.listed_states()  # in slug order, without the definitions' JSON
    files: dict[str, Table] = {}
    for start in range(0, len(listed), batch):
        ids = [s.playbook.id for s in listed[start : start + batch]]
        read = store.playbooks.states_by_ids(ids)
        for name, (header, rows) in export(store, [read[i] for i in ids if i in read]).items():
            files.setdefault(name, (header, []))[1].extend(rows)
    return files or export(store, [])
