"""The web view's one-time sign-in links: kept as hashes, good once and for a while."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import col

from storage.db import unit_of_work
from storage.models import WebLogin


class WebLogins:
    engine: Engine

    def add_web_login(self, token_hash: str, user_id: str, expires_at: datetime) -> None:
        with unit_of_work(self.engine) as s:
            s.add(WebLogin(token_hash=token_hash, user_id=user_id, expires_at=expires_at))

    def use_web_login(self, token_hash: str, at: datetime) -> str | None:
        """The user the link signs in, if it is unused and not expired; it is used up now,
        in one statement, so a link opened twice at once signs in once."""
        with unit_of_work(self.engine) as s:
            used = s.execute(
                update(WebLogin)
                .where(
                    col(WebLogin.token_hash) == token_hash,
                    col(WebLogin.used_at).is_(None),
                    col(WebLogin.expires_at) > at,
                )
                .values(used_at=at)
                .returning(WebLogin.user_id)
            ).first()
            return used[0] if used else None
