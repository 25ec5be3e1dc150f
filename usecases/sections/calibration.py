"""The calibration sets' section (docs/playbooks.md, "Calibration";
usecases/shared/calibration.py): each step's latest calibration run, whether it is current,
and the runs kept, in words ("none: <reason>" for a step without a set by design, "no
calibration set" for an ai-led one without), on status (under the step's line) and the
web page."""

from __future__ import annotations

from typing import TypedDict

from cadence.state import PlaybookState
from usecases.sections.base import PagePart, Reading, StatusPart
from usecases.shared import calibration
from usecases.shared.caller import Caller

Lines = dict[str, str]  # each step's calibration in words, by step name (a step with nothing to say is left out)


class CalibrationStatus(TypedDict):
    calibration: Lines


class CalibrationPage(TypedDict):
    calibration: Lines


def _lines(reading: Reading, states: list[PlaybookState]) -> dict[int, Lines]:
    return {s.playbook.id: calibration.lines(reading.store, s) for s in states}


class CalibrationSection(StatusPart[Lines, CalibrationStatus], PagePart[Lines, CalibrationPage]):
    name = "calibration"

    def status(self, caller: Caller, reading: Reading, states: list[PlaybookState]) -> dict[int, Lines]:
        return _lines(reading, states)

    def status_words(self, state: PlaybookState, model: Lines) -> CalibrationStatus:
        """By step name (a step with nothing to say is left out)."""
        return CalibrationStatus(calibration=model)

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Lines]:
        return _lines(reading, states)

    def page_words(self, state: PlaybookState, model: Lines) -> CalibrationPage:
        return CalibrationPage(calibration=model)


SECTION = CalibrationSection()
