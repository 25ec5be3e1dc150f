"""The reporting API's tokens (stored as SHA-256 hashes, never as themselves) and the
idempotency keys their reports carry."""

from __future__ import annotations

import functools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from storage.db import Bind, engine_of, joined, reading, writers_in_turn
from storage.models.access import ApiRate, ApiToken
from storage.playbooks import Conflict

LAST_USE_EVERY = timedelta(minutes=1)  # a token's last use is written at most this often


class ApiTokens:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def add(self, token: ApiToken) -> ApiToken:
        """A new token. Raises Conflict if the name is taken; in a unit of work, which then
        is spoiled, the caller leaves it. Its decision row is the caller's, in the same
        unit of work."""
        try:
            with joined(self.bind) as s:
                s.add(token)
                s.flush()  # the name's unique key decides here, in the caller's unit of work too
                return token
        except IntegrityError as err:
            raise Conflict(f"a token named {token.name} exists") from err

    def all(self) -> list[ApiToken]:
        with reading(self.bind) as s:
            return list(s.execute(select(ApiToken).order_by(ApiToken.name)).scalars())

    def revoke(self, name: str, at: datetime) -> bool:
        """Revoke the token named `name`; False if there is no such token, or it was revoked
        already (a compare-and-set). Its decision row is the caller's, in the same unit of work."""
        with joined(self.bind) as s:
            done = s.exec(
                update(ApiToken)
                .where(col(ApiToken.name) == name, col(ApiToken.revoked_at).is_(None))
                .values(revoked_at=at)
            )
            return bool(done.rowcount)

    def by_hash(self, token_hash: str) -> ApiToken | None:
        """The token that hashes to `token_hash`, unless it is revoked: read at each request,
        so a revocation holds at once in every process."""
        with reading(self.bind) as s:
            query = select(ApiToken).where(col(ApiToken.token_hash) == token_hash, col(ApiToken.revoked_at).is_(None))
            return s.execute(query).scalar_one_or_none()

    def mark_used(self, token_id: int, at: datetime) -> None:
        """Note the token's use, at most once a minute (`rollout token list` shows it)."""
        with joined(self.bind) as s:
            s.execute(
                update(ApiToken)
                .where(
                    col(ApiToken.id) == token_id,
                    or_(col(ApiToken.last_used_at).is_(None), col(ApiToken.last_used_at) < at - LAST_USE_EVERY),
                )
                .values(last_used_at=at)
            )

    def count_request(self, token_id: int, at: datetime) -> int:
        """Count a request of the token made at `at`: how many it has made in that second,
        this one included, in every process on the database. One UPSERT on the token's one
        row (table api_rate), which starts the count again in a later second; the row's
        lock makes concurrent requests count one after the other. A process whose clock
        is behind counts in the latest second. On PostgreSQL it needs no transaction of
        its own (SQLite's writers take their turn, as for any write)."""
        with writers_in_turn(self.engine), self.engine.connect() as connection:
            if self.engine.dialect.name != "sqlite":
                connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            requests = connection.execute(
                _count_request(self.engine.dialect.name), {"token_id": token_id, "at": int(at.timestamp())}
            ).scalar_one()
            connection.commit()
            return int(requests)


@functools.cache
def _count_request(dialect_name: str) -> Any:
    """The UPSERT of count_request, built once a dialect."""
    table = ApiRate.__table__  # type: ignore[attr-defined]
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    insert = dialect.insert(table).values(token_id=bindparam("token_id"), at_second=bindparam("at"), requests=1)
    same_second = table.c.at_second >= insert.excluded.at_second
    return insert.on_conflict_do_update(
        index_elements=[table.c.token_id],
        set_={
            "requests": case((same_second, table.c.requests + 1), else_=1),
            "at_second": case((same_second, table.c.at_second), else_=insert.excluded.at_second),
        },
    ).returning(table.c.requests)
