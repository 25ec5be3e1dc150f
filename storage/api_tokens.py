"""The reporting API's tokens (stored as SHA-256 hashes, never as themselves) and the
idempotency keys their reports carry."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from cadence.decisions import Decision as DecisionRecord
from storage.db import reading, unit_of_work
from storage.governance_rows import decision_columns
from storage.models.access import ApiToken
from storage.models.governance import Decision
from storage.playbooks import Conflict

LAST_USE_EVERY = timedelta(minutes=1)  # a token's last use is written at most this often


class ApiTokens:
    def __init__(self, engine: Engine):
        self.engine = engine

    def add(self, token: ApiToken, decision: DecisionRecord) -> ApiToken:
        """A new token with its decision row. Raises Conflict if the name is taken."""
        try:
            with unit_of_work(self.engine) as s:
                s.add(token)
                s.add(Decision(**decision_columns(decision, token.created_at)))
                s.flush()
                return token
        except IntegrityError as err:
            raise Conflict(f"a token named {token.name} exists") from err

    def all(self) -> list[ApiToken]:
        with reading(self.engine) as s:
            return list(s.execute(select(ApiToken).order_by(ApiToken.name)).scalars())

    def revoke(self, name: str, decision: DecisionRecord, at: datetime) -> bool:
        """Revoke the token named `name`, with its decision row; False if there is no such
        token, or it was revoked already."""
        with unit_of_work(self.engine) as s:
            done = s.exec(
                update(ApiToken)
                .where(col(ApiToken.name) == name, col(ApiToken.revoked_at).is_(None))
                .values(revoked_at=at)
            )
            if not done.rowcount:
                return False
            s.add(Decision(**decision_columns(decision, at)))
            return True

    def by_hash(self, token_hash: str) -> ApiToken | None:
        """The token that hashes to `token_hash`, unless it is revoked: read at each request,
        so a revocation holds at once in every process."""
        with reading(self.engine) as s:
            query = select(ApiToken).where(col(ApiToken.token_hash) == token_hash, col(ApiToken.revoked_at).is_(None))
            return s.execute(query).scalar_one_or_none()

    def mark_used(self, token_id: int, at: datetime) -> None:
        """Note the token's use, at most once a minute (`rollout token list` shows it)."""
        with unit_of_work(self.engine) as s:
            s.execute(
                update(ApiToken)
                .where(
                    col(ApiToken.id) == token_id,
                    or_(col(ApiToken.last_used_at).is_(None), col(ApiToken.last_used_at) < at - LAST_USE_EVERY),
                )
                .values(last_used_at=at)
            )
