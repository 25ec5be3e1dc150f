"""The declared baseline's section (docs/judgement.md, "The baseline week";
usecases/shared/baseline.py): whether an adopter's KPI baseline is its own, declared and
not measured: "(declared, not measured)" on status and the web page, and the API's
`kpi.baseline_declared` (its list and its playbook read)."""

from __future__ import annotations

from typing import TypedDict

from cadence.state import PlaybookState
from usecases.sections.base import PagePart, Reading, StatusPart, SummaryPart
from usecases.shared import baseline
from usecases.shared.caller import Caller


class BaselineStatus(TypedDict):
    baseline_declared: bool


class BaselinePage(TypedDict):
    baseline_declared: bool


class BaselineSummary(TypedDict):
    """None of the summary's own fields: the section's is in its `kpi` (BaselineKpi)."""


class BaselineKpi(TypedDict):
    baseline_declared: bool


class BaselineSection(
    StatusPart[bool, BaselineStatus], PagePart[bool, BaselinePage], SummaryPart[bool, BaselineSummary]
):
    name = "baseline"

    def status(self, caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, bool]:
        return self.summary(reading, states)

    def status_words(self, state: PlaybookState, model: bool) -> BaselineStatus:
        return BaselineStatus(baseline_declared=model)

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, bool]:
        return self.summary(reading, states)

    def page_words(self, state: PlaybookState, model: bool) -> BaselinePage:
        return BaselinePage(baseline_declared=model)

    def summary(self, reading: Reading, states: list[PlaybookState]) -> dict[int, bool]:
        """One read of the versions however many playbooks (status, the page, the API's list
        and its read)."""
        return baseline.declared(reading.store, states)

    def summary_fields(self, state: PlaybookState, model: bool) -> BaselineSummary:
        return BaselineSummary()

    def summary_kpi(self, state: PlaybookState, model: bool) -> BaselineKpi:
        return BaselineKpi(baseline_declared=model)


SECTION = BaselineSection()
