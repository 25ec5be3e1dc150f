"""Readiness's section (docs/usage.md, "Ready to scale?"; usecases/shared/readiness.py):
the latest judgement of readiness, each criterion with the numbers it was judged on, on
the web page and in the API's playbook read."""

from __future__ import annotations

from typing import Any, TypedDict

from cadence import calendar
from cadence.state import PlaybookState
from templates import criterion_phrase
from usecases.sections.base import ApiPart, PagePart, Reading
from usecases.shared import readiness

DECISIONS = 100  # the newest decisions a judgement of readiness is looked for in

Judged = dict[str, Any] | None  # usecases/shared/readiness.py's judgement (latest, judged_now); None: never asked


class ReadinessPage(TypedDict):
    readiness: dict[str, object] | None  # the judgement, its day (`when`) and each criterion's `lines`


class ReadinessApi(TypedDict):
    readiness: dict[str, object] | None  # the judgement, `at` in ISO


def _decisions(reading: Reading, state: PlaybookState) -> list[Any]:
    """The playbook's newest decisions, as the surface read them, else read now."""
    pid = state.playbook.id
    if pid in reading.decisions:
        return reading.decisions[pid]
    return reading.store.governance.history(pid, None, DECISIONS)


class ReadinessSection(PagePart[Judged, ReadinessPage], ApiPart[Judged, ReadinessApi]):
    name = "readiness"

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Judged]:
        """With the exception queue as it stands now (a publish would judge it so)."""
        found: dict[int, Judged] = {}
        for state in states:
            judged = readiness.judged_now(reading.store, state, _decisions(reading, state), reading.now)
            found[state.playbook.id] = (
                None
                if judged is None
                else dict(judged, when=calendar.local_date(judged["at"], state.playbook.timezone))
            )
        return found

    def page_words(self, state: PlaybookState, model: Judged) -> ReadinessPage:
        """Each criterion as the proposal words it."""
        if model is None:
            return ReadinessPage(readiness=None)
        lines = [line for c in model["criteria"] for line in criterion_phrase(c, today=True).split("\n")]
        return ReadinessPage(readiness=dict(model, lines=lines))

    def api(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Judged]:
        return {s.playbook.id: readiness.latest(_decisions(reading, s)) for s in states}

    def api_fields(self, state: PlaybookState, model: Judged) -> ReadinessApi:
        # the latest judgement of readiness (a scale proposal, "not yet ready" or a publish), if any
        return ReadinessApi(readiness=None if model is None else dict(model, at=model["at"].isoformat()))


SECTION = ReadinessSection()
