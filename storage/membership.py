"""Membership changes of Slack channels, counted where every process can read them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlmodel import col

from storage.bulk import upsert
from storage.db import Bind, engine_of, reading, unit_of_work
from storage.models import table_of
from storage.models.bookkeeping import MembershipChange


class Memberships:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def versions(self, channel_ids: list[str]) -> dict[str, int]:
        """Each channel's count of changes; 0 for one never changed."""
        with reading(self.bind) as s:
            rows = s.execute(
                select(col(MembershipChange.channel_id), col(MembershipChange.version)).where(
                    col(MembershipChange.channel_id).in_(channel_ids)
                )
            ).all()
        found = dict(rows)
        return {channel: found.get(channel, 0) for channel in channel_ids}

    def changed(self, channel_id: str, at: datetime) -> None:
        """Count one more change of `channel_id`'s membership."""
        table = table_of(MembershipChange)
        # Its own commit: every process learns of the change at once (slack_api/members.py);
        # one statement, so two processes counting at once both count.
        with unit_of_work(self.bind) as s:
            upsert(
                s,
                table,
                dict(channel_id=channel_id, version=1, changed_at=at),
                dict(version=table.c.version + 1, changed_at=at),
            )
