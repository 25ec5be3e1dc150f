"""Licenses against results' section (docs/usage-records.md, "Licenses against results";
usecases/shared/licenses.py): per tool a usage source covers, its seats, their holders
active, the playbooks on it and how many moved their KPI, and the idle seats' cost, on the
web overview's first screen and in the digest's header (the API's digest and the
assistant's `digest` tool are that header as data). Org figures only: a function's seats
show only where its seat holders are at least the pulse's floor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from cadence.state import PlaybookState
from usecases.sections.base import DigestHeaderPart, OverviewOrgPart, OverviewPart, Reading
from usecases.shared import licenses
from usecases.shared.licenses import Licenses, ToolData


@dataclass(frozen=True)
class LicensesHeader:
    """The digest header's licenses (templates/_digest_licenses.j2): a line a tool, its
    functions' seats after it, and the same tools as data (the API's)."""

    lines: tuple[str, ...]
    tools: tuple[ToolData, ...]


class LicensesApi(TypedDict):
    """The API's digest's `org` field (handlers/api_read_models.py, DigestOrg)."""

    licenses: list[ToolData]


class LicensesLine(TypedDict):
    """Nothing on a playbook's line: the section's figures are the org's."""


class LicensesOrg(TypedDict):
    licenses: Licenses


class LicensesSection(
    DigestHeaderPart[LicensesHeader, LicensesApi],
    OverviewPart[PlaybookState, LicensesLine],
    OverviewOrgPart[PlaybookState, LicensesOrg],
):
    name = "licenses"
    fragment = "_digest_licenses.j2"

    def digest_header(self, reading: Reading, active: list[PlaybookState]) -> LicensesHeader:
        read = licenses.read(reading.store, active, reading.now, reading.currency)
        return LicensesHeader(lines=tuple(_lines(read)), tools=tuple(read.as_data()))

    def digest_api(self, model: LicensesHeader) -> LicensesApi:
        return LicensesApi(licenses=list(model.tools))

    def overview(self, reading: Reading, states: list[PlaybookState]) -> dict[int, PlaybookState]:
        """Each listed playbook, for the org's figures (the line shows nothing of its own)."""
        return {state.playbook.id: state for state in states}

    def overview_line(self, state: PlaybookState, model: PlaybookState) -> LicensesLine:
        return LicensesLine()

    def overview_org(self, reading: Reading, models: dict[int, PlaybookState]) -> LicensesOrg:
        return LicensesOrg(licenses=licenses.read(reading.store, list(models.values()), reading.now, reading.currency))


def _lines(read: Licenses) -> list[str]:
    """A tool's line, then its functions' seats after it."""
    found = []
    for tool, line in zip(read.tools, read.lines(), strict=True):
        shown = "; ".join(read.functions(tool))
        found.append(f"{line} (by function: {shown})" if shown else line)
    return found


SECTION = LicensesSection()
