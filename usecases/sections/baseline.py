"""The declared baseline's section (docs/judgement.md, "The baseline week";
usecases/shared/baseline.py): whether an adopter's KPI baseline is its own, declared and
not measured: "(declared, not measured)" on status and the web page, and the API's
`kpi.baseline_declared` (its list and its playbook read)."""

from __future__ import annotations

from typing import Any

from cadence.state import PlaybookState
from usecases.sections.base import Reading, Section
from usecases.shared import baseline
from usecases.shared.caller import Caller


class BaselineSection(Section):
    name = "baseline"

    def status(self, caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, Any]:
        return self.summary(reading, states)

    def status_words(self, state: PlaybookState, model: bool) -> dict[str, Any]:
        return dict(baseline_declared=model)

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Any]:
        return self.summary(reading, states)

    def page_words(self, state: PlaybookState, model: bool) -> dict[str, Any]:
        return dict(baseline_declared=model)

    def summary(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Any]:
        """One read of the versions however many playbooks (status, the page, the API's list
        and its read)."""
        return baseline.declared(reading.store, states)

    def summary_kpi(self, state: PlaybookState, model: bool) -> dict[str, Any]:
        return dict(baseline_declared=model)


SECTION = BaselineSection()
