"""The escalation's section (docs/judgement.md, "Handoffs with a fallback"; cadence/escalation.py):
the steps running in their fallback mode while escalated items wait, beside their stored
mode (unchanged), in the API's summary of a playbook (its list and its read, and so the
assistant's tools)."""

from __future__ import annotations

from typing import TypedDict

from cadence import escalation
from cadence.state import PlaybookState
from usecases.sections.base import Reading, SummaryPart


class Fallback(TypedDict):
    fallback_mode: str | None
    fallback_since: str | None  # ISO
    shown: str  # the mode in words, beside the stored one


Fallbacks = dict[str, Fallback]  # the steps in their fallback mode, by name


class EscalationSummary(TypedDict):
    fallbacks: Fallbacks


class EscalationSection(SummaryPart[Fallbacks, EscalationSummary]):
    name = "escalation"

    def summary(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Fallbacks]:
        """Each playbook's steps in their fallback mode, by name (none: an empty dict)."""
        return {
            state.playbook.id: {
                s.name: Fallback(
                    fallback_mode=s.fallback_mode,
                    fallback_since=s.fallback_since.isoformat() if s.fallback_since else None,
                    shown=escalation.mode_words(s.mode, s.fallback_mode),
                )
                for s in state.steps
                if s.fallback_mode
            }
            for state in states
        }

    def summary_fields(self, state: PlaybookState, model: Fallbacks) -> EscalationSummary:
        return EscalationSummary(fallbacks=model)


SECTION = EscalationSection()
