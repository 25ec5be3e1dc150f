"""The web view's sign-in: its one-time links, kept as hashes, good once and for a while;
and its sessions, kept as hashes of their ids until sign-out or expiry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlmodel import col

from storage.db import Bind, engine_of, joined, reading
from storage.models.access import WebLogin, WebSession


class WebLogins:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def add(self, token_hash: str, user_id: str, expires_at: datetime) -> None:
        with joined(self.bind) as s:
            s.add(WebLogin(token_hash=token_hash, user_id=user_id, expires_at=expires_at))

    def use(self, token_hash: str, at: datetime) -> str | None:
        """The user the link signs in, if it is unused and not expired; it is used up now,
        in one statement, so a link opened twice at once signs in once."""
        with joined(self.bind) as s:
            used = s.execute(
                update(WebLogin)
                .where(
                    col(WebLogin.token_hash) == token_hash,
                    col(WebLogin.used_at).is_(None),
                    col(WebLogin.expires_at) > at,
                )
                .values(used_at=at)
                .returning(col(WebLogin.user_id))
            ).first()
            return used[0] if used else None

    def add_session(self, session_hash: str, user_id: str, at: datetime, expires_at: datetime) -> None:
        """A new session; the sessions that expired by `at` are deleted with it (the table
        holds at most the last 12 hours' sign-ins, so no index is needed to find them)."""
        with joined(self.bind) as s:
            s.execute(delete(WebSession).where(col(WebSession.expires_at) <= at))
            s.add(WebSession(session_hash=session_hash, user_id=user_id, expires_at=expires_at))

    def session_user(self, session_hash: str, at: datetime) -> str | None:
        """Whose session this is, if it has not ended and not expired by `at`."""
        with reading(self.bind) as s:
            return s.execute(
                select(col(WebSession.user_id)).where(
                    col(WebSession.session_hash) == session_hash, col(WebSession.expires_at) > at
                )
            ).scalar_one_or_none()

    def end_sessions_of(self, user_id: str) -> int:
        """`user_id` can no longer sign in (deactivated in Slack): their sessions end and
        their unused links are void, in one unit of work. How many sessions ended."""
        with joined(self.bind) as s:
            s.exec(delete(WebLogin).where(col(WebLogin.user_id) == user_id, col(WebLogin.used_at).is_(None)))
            ended = s.exec(delete(WebSession).where(col(WebSession.user_id) == user_id))
            return int(ended.rowcount)

    def end_session(self, session_hash: str) -> None:
        with joined(self.bind) as s:
            s.execute(delete(WebSession).where(col(WebSession.session_hash) == session_hash))
