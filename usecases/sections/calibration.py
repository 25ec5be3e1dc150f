"""The calibration sets' section (docs/playbooks.md, "Calibration";
usecases/shared/calibration.py): each step's latest calibration run, whether it is current,
and the runs kept, in words ("none: <reason>" for a step without a set by design, "no
calibration set" for an ai-led one without), on status (under the step's line) and the
web page."""

from __future__ import annotations

from typing import Any

from cadence.state import PlaybookState
from usecases.sections.base import Reading, Section
from usecases.shared import calibration
from usecases.shared.caller import Caller


def _lines(reading: Reading, states: list[PlaybookState]) -> dict[int, dict[str, str]]:
    return {s.playbook.id: calibration.lines(reading.store, s) for s in states}


class CalibrationSection(Section):
    name = "calibration"

    def status(self, caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, Any]:
        return _lines(reading, states)

    def status_words(self, state: PlaybookState, model: dict[str, str]) -> dict[str, Any]:
        """By step name (a step with nothing to say is left out)."""
        return dict(calibration=model)

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Any]:
        return _lines(reading, states)

    def page_words(self, state: PlaybookState, model: dict[str, str]) -> dict[str, Any]:
        return dict(calibration=model)


SECTION = CalibrationSection()
