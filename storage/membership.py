"""Membership changes of Slack channels, counted where every process can read them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from storage.db import unit_of_work
from storage.models import MembershipChange


class Memberships:
    def __init__(self, engine: Engine):
        self.engine = engine

    def versions(self, channel_ids: list[str]) -> dict[str, int]:
        """Each channel's count of changes; 0 for one never changed."""
        with unit_of_work(self.engine, commit=False) as s:
            rows = s.execute(
                select(MembershipChange.channel_id, MembershipChange.version).where(
                    MembershipChange.channel_id.in_(channel_ids)
                )
            ).all()
        found = dict(rows)
        return {channel: found.get(channel, 0) for channel in channel_ids}

    def changed(self, channel_id: str, at: datetime) -> None:
        """Count one more change of `channel_id`'s membership."""
        for _ in range(2):  # the first change of a channel may be counted by two processes at once
            try:
                with unit_of_work(self.engine) as s:
                    counted = s.execute(
                        update(MembershipChange)
                        .where(MembershipChange.channel_id == channel_id)
                        .values(version=MembershipChange.version + 1, changed_at=at)
                    ).rowcount
                    if counted == 0:
                        s.add(MembershipChange(channel_id=channel_id, version=1, changed_at=at))
                return
            except IntegrityError:
                continue
