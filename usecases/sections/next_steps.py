"""Where it rolls next's section: the curators' digest names the top three of the ranking
(usecases/next_steps.py) with their reasons; `/rollout next` and the registry page show it all."""

from __future__ import annotations

from typing import Any

from cadence.state import PlaybookState
from usecases import next_steps
from usecases.sections.base import Reading, Section

TOP = 3


class NextSteps(Section):
    name = "next_steps"

    def digest_org(self, reading: Reading, active: list[PlaybookState]) -> dict[str, Any]:
        top = next_steps.ranked(reading.store, reading.now, reading.currency)[:TOP]
        return dict(
            next_steps=tuple(
                (r.candidate.slug, r.candidate.version, r.candidate.kind, r.candidate.target, r.reason) for r in top
            )
        )

    def registry_page(self, reading: Reading) -> dict[str, Any]:
        return dict(next_steps=next_steps.shown(next_steps.ranked(reading.store, reading.now, reading.currency)))


SECTION = NextSteps()
