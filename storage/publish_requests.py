"""Requests to publish over readiness (docs/usage.md, "Publishing over readiness"): a
`/rollout publish … override <reason>` over missing readiness criteria waits for a curator
who is neither the playbook's owner nor the asker. One open request per playbook (a
partial unique index): a later one replaces it in the same transaction. A decision is a
conditional UPDATE of an open request, so of two clicks at once one decides."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import col, select, update

from storage.db import Bind, engine_of, joined, reading
from storage.models.governance import PublishRequest


class PublishRequests:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def get(self, request_id: int) -> PublishRequest | None:
        with reading(self.bind) as s:
            return s.get(PublishRequest, request_id)

    def open_for(self, playbook_id: int) -> PublishRequest | None:
        with reading(self.bind) as s:
            return s.exec(
                select(PublishRequest).where(
                    col(PublishRequest.playbook_id) == playbook_id, col(PublishRequest.state) == "open"
                )
            ).first()

    def ask(self, request: PublishRequest, at: datetime) -> PublishRequest | None:
        """A new open request (in the caller's unit of work), replacing the playbook's open
        one, which is returned marked replaced (its card is the caller's to redraw) or None."""
        with joined(self.bind) as s:
            old = s.exec(
                select(PublishRequest)
                .where(col(PublishRequest.playbook_id) == request.playbook_id, col(PublishRequest.state) == "open")
                .with_for_update()
            ).first()
            if old is not None:
                old.state, old.decided_at = "replaced", at
                s.add(old)
                s.flush()
            s.add(request)
            s.flush()
            return old

    def decide(self, request_id: int, state: str, at: datetime, **values: Any) -> bool:
        """The open request moved to `state` with `values` (decided_by, version, criteria);
        False, and nothing written, if it is no longer open (another click a moment ago)."""
        with joined(self.bind) as s:
            moved = s.exec(
                update(PublishRequest)
                .where(col(PublishRequest.id) == request_id, col(PublishRequest.state) == "open")
                .values(state=state, decided_at=at, **values)
                .execution_options(synchronize_session=False)
            ).rowcount
        return bool(moved)

    def refound(self, request_id: int, criteria: list[Any]) -> bool:
        """An open request's criteria not met, as read at a click since: False, nothing
        written, if it is no longer open."""
        with joined(self.bind) as s:
            moved = s.exec(
                update(PublishRequest)
                .where(col(PublishRequest.id) == request_id, col(PublishRequest.state) == "open")
                .values(criteria=criteria)
                .execution_options(synchronize_session=False)
            ).rowcount
        return bool(moved)
