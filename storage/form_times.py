"""Forms the bot opened for people, the playbook each is for (as its view names it) and
when they were submitted (storage/models/bookkeeping.py, FormTime): what an adopter's
active setup time is measured from (usecases/shared/setup_effort.py). A form opened is
written in its own unit of work (the open writes nothing else); its submission's time is
the last submission's: a form refused on a field and sent again was open until then."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import col, select

from storage.bulk import insert_new
from storage.db import Bind, engine_of, joined, reading
from storage.models import table_of
from storage.models.bookkeeping import FormTime, SetupSaid
from storage.models.playbooks import Playbook
from storage.models.reports import CheckIn

FormSpan = tuple[datetime, datetime | None]  # opened, submitted (None: never)


class FormTimes:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def opened(self, view_id: str, user_id: str, callback_id: str, playbook_id: int | None, at: datetime) -> bool:
        """A form opened for `user_id`, for `playbook_id` (None: its view names none); False:
        that view was recorded already."""
        row = dict(
            view_id=view_id,
            user_id=user_id,
            callback_id=callback_id[:64],
            playbook_id=playbook_id,
            opened_at=at,
            submitted_at=None,
        )
        with joined(self.bind) as s:
            return bool(insert_new(s, table_of(FormTime), [row], key="view_id"))

    def submitted(self, view_id: str, at: datetime, playbook_id: int | None = None) -> None:
        """The view's submission came at `at`, for `playbook_id` if it names one (a form that
        asked which playbook says so only now); a view the bot did not record: nothing."""
        t = table_of(FormTime)
        named = {} if playbook_id is None else {"playbook_id": playbook_id}
        with joined(self.bind) as s:
            s.connection().execute(update(t).where(t.c.view_id == view_id).values(submitted_at=at, **named))

    def setup_forms(self, playbook_ids: list[int]) -> dict[int, list[FormSpan]]:
        """Each playbook's own forms, anyone's, opened from its adopt (its row's creation) to
        its first check-in answered (not withdrawn), oldest first; by the index of a
        playbook's forms by opening (ix_form_time_playbook_opened)."""
        if not playbook_ids:
            return {}
        first = (
            select(func.min(CheckIn.reported_at))
            .where(col(CheckIn.playbook_id) == col(FormTime.playbook_id), col(CheckIn.withdrawn_at).is_(None))
            .scalar_subquery()
        )
        with reading(self.bind) as s:
            rows = s.exec(
                select(FormTime.playbook_id, FormTime.opened_at, FormTime.submitted_at)
                .join(Playbook, col(Playbook.id) == col(FormTime.playbook_id))
                .where(
                    col(FormTime.playbook_id).in_(sorted(set(playbook_ids))),
                    col(FormTime.opened_at) >= col(Playbook.created_at),
                    col(FormTime.opened_at) <= first,
                )
                .order_by(col(FormTime.opened_at), col(FormTime.view_id))
            ).all()
        found: dict[int, list[FormSpan]] = {}
        for pid, opened, submitted in rows:
            if pid is not None:
                found.setdefault(pid, []).append((opened, submitted))
        return found

    def first_checkins(self, playbook_ids: list[int]) -> dict[int, datetime]:
        """Each playbook's first check-in answered (not withdrawn): when."""
        if not playbook_ids:
            return {}
        with reading(self.bind) as s:
            rows = s.exec(
                select(CheckIn.playbook_id, func.min(CheckIn.reported_at))
                .where(col(CheckIn.playbook_id).in_(sorted(set(playbook_ids))), col(CheckIn.withdrawn_at).is_(None))
                .group_by(col(CheckIn.playbook_id))
            ).all()
        return {pid: at for pid, at in rows}

    def said(self, playbook_id: int, minutes: int, meeting: bool, by: str, at: datetime) -> bool:
        """What `by` said of the playbook's setup (cadence/setup_said.py); False: it was said
        already (one answer a playbook, its key), nothing changed."""
        row = dict(playbook_id=playbook_id, minutes=minutes, meeting=meeting, said_by=by, said_at=at)
        with joined(self.bind) as s:
            return bool(insert_new(s, table_of(SetupSaid), [row], key="playbook_id"))

    def said_of(self, playbook_ids: list[int]) -> dict[int, tuple[int, bool]]:
        """Each playbook's setup as said: the minutes and whether a meeting was needed."""
        if not playbook_ids:
            return {}
        with reading(self.bind) as s:
            rows = s.exec(
                select(SetupSaid.playbook_id, SetupSaid.minutes, SetupSaid.meeting).where(
                    col(SetupSaid.playbook_id).in_(sorted(set(playbook_ids)))
                )
            ).all()
        return {pid: (minutes, bool(meeting)) for pid, minutes, meeting in rows}
