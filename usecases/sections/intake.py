"""The intake's section (cadence/definition_intake.py; docs/programme.md, the self-check):
a playbook in its first cycle whose intake says "funding a demo?" (few cases, little
friction, unstructured work, or the self-check's answers left vague) is named so in the
curators' digest, beside its week; the web page says its intake and the same warning."""

from __future__ import annotations

from typing import TypedDict

from cadence.calendar import WeekRef
from cadence.definition_intake import intake_words, warning_of
from cadence.state import PlaybookState
from usecases.sections.base import DigestPart, PagePart, Reading

Page = tuple[str | None, str | None]  # its intake in words (None without one), and its warning


class IntakeWeek(TypedDict):
    demo: str  # the warning


class IntakePage(TypedDict):
    intake: str | None
    demo: str | None


class IntakeSection(DigestPart[str, IntakeWeek], PagePart[Page, IntakePage]):
    name = "intake"

    def digest(self, reading: Reading, reported: dict[int, tuple[PlaybookState, WeekRef]]) -> dict[int, str]:
        """Each reported playbook in its first cycle with a warning: the warning."""
        return {
            pid: said
            for pid, (state, week) in reported.items()
            if week.cycle <= 1 and (said := warning_of(state.playbook.definition)) is not None
        }

    def digest_week(self, model: str) -> IntakeWeek:
        return IntakeWeek(demo=model)

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Page]:
        """Its intake in words (none without one) and its warning, whatever its cycle."""
        return {
            s.playbook.id: (
                intake_words(s.spec.intake.model_dump()) if s.spec.intake else None,
                warning_of(s.playbook.definition),
            )
            for s in states
        }

    def page_words(self, state: PlaybookState, model: Page) -> IntakePage:
        intake, demo = model
        return IntakePage(intake=intake, demo=demo)


SECTION = IntakeSection()
