"""The clock's heartbeat and the database's answer, for /healthz and /metrics."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from storage.db import unit_of_work
from storage.models import Heartbeat


class Health:
    engine: Engine

    def beat(self, name: str, at: datetime) -> None:
        """Record that `name` (the clock) is alive and finished its work at `at`."""
        try:
            with unit_of_work(self.engine) as s:
                if s.execute(update(Heartbeat).where(Heartbeat.name == name).values(at=at)).rowcount == 0:
                    s.add(Heartbeat(name=name, at=at))
        except IntegrityError:
            pass  # another clock wrote the first beat at the same moment: alive either way

    def heartbeat(self, name: str) -> datetime | None:
        with unit_of_work(self.engine) as s:
            return s.execute(select(Heartbeat.at).where(Heartbeat.name == name)).scalar()

    def ping(self) -> bool:
        with self.engine.connect() as connection:
            return connection.execute(text("SELECT 1")).scalar() == 1
