"""The learnings' section (docs/usage.md, "Replication"; usecases/digest_learned.py): the
curators' digest's "learned this week" thread, the week's learnings across playbooks."""

from __future__ import annotations

from cadence.change import Message
from usecases import digest_learned
from usecases.sections.base import DigestOrgPart, Reading


class LearnedSection(DigestOrgPart):
    name = "learned"

    def digest_messages(self, reading: Reading, unit: str, summary_key: str, channel: str) -> list[Message]:
        return digest_learned.thread(reading.store, unit, summary_key, channel, reading.now)


SECTION = LearnedSection()
