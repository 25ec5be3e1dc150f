"""The steps' texts' section (docs/playbooks.md, "Prompts and rubrics as text";
cadence/step_texts.py): on a playbook's web page, each step's prompt and rubric as text
as it is now, and each edit of it, newest first, with who, when and why, as a diff
(difflib's unified diff; the template escapes every line)."""

from __future__ import annotations

from datetime import datetime
from typing import TypedDict

from cadence import step_texts
from cadence.state import PlaybookState
from usecases.sections.base import PagePart, Reading


class TextEdit(TypedDict):
    at: datetime
    by: str
    why: str | None
    lines: list[step_texts.DiffLine]


class StepText(TypedDict):
    step: str
    named: str  # "prompt text", "rubric text"
    text: str | None  # as it is now (None: removed)
    edits: list[TextEdit]  # newest first


class StepTextsPage(TypedDict):
    step_texts: list[StepText]


def _shown(state: PlaybookState, found: list[step_texts.TextRevision]) -> list[StepText]:
    """A step's text kept now, or edited once: the steps' order, the prompt before the rubric."""
    now = step_texts.texts_of(state.playbook.definition)
    names = [s.name for s in state.steps] + [r.step for r in found if r.step not in {s.name for s in state.steps}]
    shown = []
    for step in dict.fromkeys(names):
        for key in step_texts.TEXT_FIELDS:
            edits = step_texts.of_step(found, step, key)
            text = now.get(step, {}).get(key)
            if text is None and not edits:
                continue
            said = [TextEdit(at=e.at, by=e.by, why=e.why, lines=e.lines()) for e in edits]
            shown.append(StepText(step=step, named=step_texts.NAMED[key], text=text, edits=said))
    return shown


class StepTextsSection(PagePart[list[StepText], StepTextsPage]):
    name = "step_texts"

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, list[StepText]]:
        """One read of each playbook's revisions (a page shows one playbook)."""
        found = {}
        for state in states:
            rows = reading.store.calibrations.revision_rows(state.playbook.id)
            found[state.playbook.id] = _shown(state, step_texts.revisions(rows))
        return found

    def page_words(self, state: PlaybookState, model: list[StepText]) -> StepTextsPage:
        return StepTextsPage(step_texts=model)


SECTION = StepTextsSection()
