"""The clock's heartbeat, the database's answer, and whether Slack still accepts the bot's
token: for /healthz, /metrics and the dispatcher, in every process."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from storage.db import reading, unit_of_work
from storage.models.bookkeeping import Heartbeat
from storage.models.org import Setting

SLACK_ACCESS_LOST = "slack_access_lost"  # a setting: Slack's word for why it refuses the token


class Health:
    def __init__(self, engine: Engine):
        self.engine = engine

    def beat(self, name: str, at: datetime) -> None:
        """Record that `name` (the clock) is alive and finished its work at `at`."""
        try:
            with unit_of_work(self.engine) as s:
                if s.exec(update(Heartbeat).where(col(Heartbeat.name) == name).values(at=at)).rowcount == 0:
                    s.add(Heartbeat(name=name, at=at))
        except IntegrityError:
            pass  # another clock wrote the first beat at the same moment: alive either way

    def heartbeat(self, name: str) -> datetime | None:
        with reading(self.engine) as s:
            return s.execute(select(Heartbeat.at).where(Heartbeat.name == name)).scalar()

    def ping(self) -> bool:
        with reading(self.engine) as s:
            return s.connection().execute(text("SELECT 1")).scalar() == 1

    def slack_access_lost(self) -> tuple[str, datetime] | None:
        """Why and since when Slack refuses the bot's token (the app uninstalled, the token
        revoked or the workspace gone); None while it accepts it."""
        with reading(self.engine) as s:
            row = s.get(Setting, SLACK_ACCESS_LOST)
            return (row.value, row.updated_at) if row else None

    def lose_slack_access(self, reason: str, at: datetime) -> bool:
        """Slack refused the token: True if that is news (the first to hear says so once)."""
        try:
            with unit_of_work(self.engine) as s:
                if s.get(Setting, SLACK_ACCESS_LOST) is not None:
                    return False
                s.add(Setting(key=SLACK_ACCESS_LOST, value=reason[:200], updated_by="slack", updated_at=at))
            return True
        except IntegrityError:
            return False  # another process heard it at the same moment

    def regain_slack_access(self) -> bool:
        """Slack accepts the token again: True if it had been refused."""
        with unit_of_work(self.engine) as s:
            row = s.get(Setting, SLACK_ACCESS_LOST, with_for_update=True)
            if row is None:
                return False
            s.delete(row)
            return True
