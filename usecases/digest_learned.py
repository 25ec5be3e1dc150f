"""The digest's "learned this week" thread (docs/usage.md, "Replication"): the
learnings added across playbooks in the week before the digest's slot, newest first, at
most ten, then where to read the rest. No thread in a week without a learning."""

from __future__ import annotations

from datetime import datetime, timedelta

from cadence import keys
from cadence.change import Message
from storage.store import Store
from templates import notices_digest

SHOWN = 10


def thread(store: Store, unit: str, summary_key: str, channel: str, at: datetime) -> list[Message]:
    """The reply under the digest's summary, for the learnings added in the seven days
    before `at` (the digest's slot: each learning in one digest)."""
    rows, total = store.learnings.added(at - timedelta(days=7), at, SHOWN)
    if not rows:
        return []
    message = notices_digest.digest_learned(
        items=[notices_digest.Learned(slug, x.cycle, x.added_by, x.text, x.added_at.date()) for x, slug in rows],
        more=total - len(rows),
    )
    return [Message(keys.digest_learned(unit), "chat.postMessage", channel, {"thread_of": summary_key, **message})]
