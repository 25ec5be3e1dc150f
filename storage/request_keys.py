"""The keys of the requests handled (storage/replay.py): recorded once, forgotten after a while."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlmodel import col

from storage import replay
from storage.db import Bind, engine_of, joined, reading, writers_in_turn
from storage.models.bookkeeping import SeenRequest


class RequestKeys:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def first_time(self, keys: list[str], at: datetime) -> bool:
        """Record these request keys; False if any was seen before (a replay or a retry).
        For a request that wrote nothing (its keys were not recorded with a write). A
        write, so it takes its turn with the process's other writers: on SQLite, 32
        clients' `help` met SQLite's busy handler here (p99 135 ms, 47 ms in turn). A
        request of one key (a slash command's or a click's signature) is one INSERT that
        decides and keeps itself: on PostgreSQL it needs no transaction of its own, which
        spares two round trips (SQLite's are calls in this process; it keeps them)."""
        with writers_in_turn(self.engine), self.engine.connect() as connection:
            if len(keys) == 1 and self.engine.dialect.name != "sqlite":
                return replay.insert_keys(connection.execution_options(isolation_level="AUTOCOMMIT"), keys, at)
            if replay.insert_keys(connection, keys, at):
                connection.commit()
                return True
            connection.rollback()  # a repeat: remember nothing new from it either
            return False

    def record(self, claim: replay.Claim) -> None:
        """Record the keys of the request `claim` is for, if its first write has not
        (storage/replay.py): before it has an effect outside the database. Raises
        replay.Repeated for a repeat. Its own keys only: a form's view goes in with the
        form's first write and never before, so a view refused on a field after a look
        at Slack (is the bot in that channel?) stays free for its corrected submission."""
        replay.refuse_if_held(claim)
        if not claim.pending:
            return
        with writers_in_turn(self.engine), self.engine.connect() as connection:
            if not replay.insert_keys(connection, claim.keys, claim.at):
                connection.rollback()
                replay.repeated(claim)
            connection.commit()
        claim.recorded = True

    def seen(self, keys: list[str]) -> bool:
        """Whether any of these keys was recorded: a form's view handled before, asked before
        a look that would answer it otherwise (handlers/playbook_form.py, the close matches)."""
        if not keys:
            return False
        with reading(self.bind) as s:
            found = s.execute(select(func.count()).select_from(SeenRequest).where(col(SeenRequest.key).in_(keys)))
            return bool(found.scalar_one())

    def forget(self, before: datetime) -> int:
        with joined(self.bind) as s:
            return s.exec(delete(SeenRequest).where(col(SeenRequest.seen_at) < before)).rowcount
