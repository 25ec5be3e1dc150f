"""The unit of work a use case opens: one session, every repository bound to it, and
`commit()` (cosmicpython's pattern). Inside it a repository's methods take part in the
one transaction instead of each opening its own (storage.db.unit_of_work and `reading`
given a session), so a use case combines the writes it needs without a storage method for
each combination:

    with UnitOfWork(caller.store) as uow:
        row = ...                               # read through uow.playbooks, uow.reports...
        uow.reports.add_reports([row])
        uow.commit()

Nothing is kept unless `commit()` is called: leaving the block rolls back what was not
committed, and a raise leaves nothing. On a store made for a request (Store.for_request)
the request's replay keys go in with the first statement and are marked recorded at the
commit (storage/replay.py). On SQLite the block holds the process's writer lock
(storage.db.writers_in_turn). On a dry-run store `commit()` keeps nothing.

`Reading(store)` is the read-only kind: every read in the block on one pooled connection,
outside a transaction (as storage.db.reading's), for a use case that reads many things
(status, a page). A write asked of it is a transaction of its own, as outside the block
(with the request's keys, on a request's store): it is no place for writes that must
go together.
"""

from __future__ import annotations

from contextlib import ExitStack
from types import TracebackType
from typing import Self

from sqlmodel import Session

from storage import replay
from storage.db import ReadSession, writers_in_turn
from storage.store import Store


class UnitOfWork(Store):
    """One transaction over every repository of `store`'s areas (see the module)."""

    def __init__(self, store: Store):  # the repositories are bound when the block opens
        self._of = store
        self._exits = ExitStack()
        self._taken: replay.Taken | None = None

    def __enter__(self) -> Self:
        store = self._of
        self._exits.enter_context(writers_in_turn(store.engine))
        self.session = self._exits.enter_context(Session(store.engine, expire_on_commit=False))
        super().__init__(self.session, store.dry_run, store.secret_key, store.slack_token)
        claim = store.claim
        if claim is not None:
            try:
                self._taken = replay.record(self.session, claim)
            except BaseException:
                self._exits.close()
                raise
        return self

    def commit(self) -> None:
        """Keep what the block wrote (not on a dry-run store), with the request's keys."""
        if self.dry_run:
            return
        self.session.commit()
        if self._taken is not None:
            self._taken.committed()
            self._taken = None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            self.session.rollback()  # what was not committed
        finally:
            self._exits.close()


class Reading(Store):
    """Reads sharing one pooled connection, in no transaction (see the module)."""

    def __init__(self, store: Store):
        self._of = store
        self._exits = ExitStack()

    def __enter__(self) -> Self:
        store = self._of
        outer = store.bind if not isinstance(store.bind, Session) else store.engine
        session = self._exits.enter_context(ReadSession(outer, expire_on_commit=False))
        if store.engine.dialect.name != "sqlite":
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        super().__init__(session, store.dry_run, store.secret_key, store.slack_token)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._exits.close()
