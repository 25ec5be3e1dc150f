"""Forms the bot opened for people and when they were submitted (storage/models/bookkeeping.py,
FormTime): what an adopter's active setup time is measured from (usecases/shared/setup_effort.py).
A form opened is written in its own unit of work (the open writes nothing else); its
submission's time is the last submission's: a form refused on a field and sent again
was open until then."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import col, select

from storage.bulk import insert_new
from storage.db import Bind, engine_of, joined, reading
from storage.models import table_of
from storage.models.bookkeeping import FormTime
from storage.models.reports import CheckIn

FormSpan = tuple[datetime, datetime | None]  # opened, submitted (None: never)


class FormTimes:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def opened(self, view_id: str, user_id: str, callback_id: str, at: datetime) -> bool:
        """A form opened for `user_id`; False: that view was recorded already."""
        row = dict(view_id=view_id, user_id=user_id, callback_id=callback_id[:64], opened_at=at, submitted_at=None)
        with joined(self.bind) as s:
            return bool(insert_new(s, table_of(FormTime), [row], key="view_id"))

    def submitted(self, view_id: str, at: datetime) -> None:
        """The view's submission came at `at` (a view the bot did not record: nothing)."""
        t = table_of(FormTime)
        with joined(self.bind) as s:
            s.connection().execute(update(t).where(t.c.view_id == view_id).values(submitted_at=at))

    def of_people(self, user_ids: list[str], since: datetime) -> dict[str, list[FormSpan]]:
        """Each person's forms opened from `since` on, oldest first."""
        if not user_ids:
            return {}
        with reading(self.bind) as s:
            rows = s.exec(
                select(FormTime)
                .where(col(FormTime.user_id).in_(sorted(set(user_ids))), col(FormTime.opened_at) >= since)
                .order_by(col(FormTime.opened_at))
            ).all()
        found: dict[str, list[FormSpan]] = {}
        for row in rows:
            found.setdefault(row.user_id, []).append((row.opened_at, row.submitted_at))
        return found

    def first_checkins(self, playbook_ids: list[int]) -> dict[int, tuple[datetime, str]]:
        """Each playbook's first check-in answered (not withdrawn): when, and by whom."""
        if not playbook_ids:
            return {}
        with reading(self.bind) as s:
            rows = s.exec(
                select(CheckIn.playbook_id, CheckIn.reported_at, CheckIn.user_id)
                .where(col(CheckIn.playbook_id).in_(sorted(set(playbook_ids))), col(CheckIn.withdrawn_at).is_(None))
                .order_by(col(CheckIn.reported_at), col(CheckIn.id))
            ).all()
        found: dict[int, tuple[datetime, str]] = {}
        for pid, at, user in rows:
            found.setdefault(pid, (at, user))
        return found
