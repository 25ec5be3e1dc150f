"""Requests to publish over readiness (docs/usage.md, "Publishing over readiness"): a
`/rollout publish … override <reason>` over missing readiness criteria, or a scale rule
that never held, waits for a curator who is neither the playbook's owner nor the asker.
The machine (one open a playbook, a later one replacing it, a conditional UPDATE so that
one of two clicks decides) is storage/awaiting.py's, which bar change requests share."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage import awaiting
from storage.db import Bind, engine_of, reading
from storage.models.governance import PublishRequest


class PublishRequests:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def get(self, request_id: int) -> PublishRequest | None:
        with reading(self.bind) as s:
            return s.get(PublishRequest, request_id)

    def open_for(self, playbook_id: int) -> PublishRequest | None:
        found: PublishRequest | None = awaiting.open_for(self.bind, PublishRequest, playbook_id)
        return found

    def ask(self, request: PublishRequest, at: datetime) -> PublishRequest | None:
        """A new open request (in the caller's unit of work), replacing the playbook's open
        one, which is returned marked replaced (its card is the caller's to redraw) or None."""
        replaced = awaiting.replace_with(self.bind, PublishRequest, request, at)
        return replaced[0] if replaced else None

    def decide(self, request_id: int, state: str, at: datetime, **values: Any) -> bool:
        """The open request moved to `state` with `values` (decided_by, version, criteria);
        False, and nothing written, if it is no longer open (another click a moment ago)."""
        return awaiting.decide(self.bind, PublishRequest, request_id, state, at, **values)

    def refound(self, request_id: int, criteria: list[Any]) -> bool:
        """An open request's criteria not met, as read at a click since: False, nothing
        written, if it is no longer open."""
        return awaiting.moved(self.bind, PublishRequest, request_id, criteria=criteria)
