"""Where it rolls next's section: the curators' digest names the top three of the ranking
(usecases/next_steps.py) with their reasons; `/rollout next` and the registry page show it all."""

from __future__ import annotations

from typing import TypedDict

from cadence.state import PlaybookState
from usecases import next_steps
from usecases.sections.base import DigestOrgPart, Reading, RegistryPart

TOP = 3


class NextStepsOrg(TypedDict):
    next_steps: tuple[tuple[str, int, str, str, str], ...]  # the top's (slug, version, kind, target, reason)


class NextStepsRegistry(TypedDict):
    next_steps: list[dict[str, object]]  # the ranking as shown (usecases/next_steps.py, shown)


class NextSteps(DigestOrgPart, RegistryPart[NextStepsRegistry]):
    name = "next_steps"

    def digest_org(self, reading: Reading, active: list[PlaybookState]) -> NextStepsOrg:
        top = next_steps.ranked(reading.store, reading.now, reading.currency)[:TOP]
        return NextStepsOrg(
            next_steps=tuple(
                (r.candidate.slug, r.candidate.version, r.candidate.kind, r.candidate.target, r.reason) for r in top
            )
        )

    def registry_page(self, reading: Reading) -> NextStepsRegistry:
        return NextStepsRegistry(
            next_steps=next_steps.shown(next_steps.ranked(reading.store, reading.now, reading.currency))
        )


SECTION = NextSteps()
