"""Champions: the person an adopting team names to see its adoption through, and the
items of their checklist marked done (kept, never updated: each mark is a row)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from storage.db import Bind, engine_of, joined, reading
from storage.models.playbooks import ChecklistMark, Playbook


class Champions:
    def __init__(self, bind: Bind):
        self.bind, self.engine = bind, engine_of(bind)

    def name_champion(self, playbook_id: int, before: str | None, champion_id: str, at: datetime) -> bool:
        """A new champion in place of `before`; False, and nothing written, if the
        champion is no longer `before` (changed a moment ago): decided under a lock on the
        playbook's row. Its decision row and the champion's message are the caller's, in
        the same unit of work."""
        with joined(self.bind) as s:
            playbook = s.get(Playbook, playbook_id, with_for_update=True)
            if playbook is None or playbook.champion_id != before or playbook.champion_id == champion_id:
                return False
            playbook.champion_id, playbook.updated_at = champion_id, at
            s.add(playbook)
            s.flush()
        return True

    def mark_item(self, playbook_id: int, kind: str, item: str, done: bool, by: str, at: datetime) -> bool:
        """An item of the champion's checklist marked done (or undone) by `by`. False, and
        nothing written, if it is in that state already (a second click of the same
        button): counted under a lock on the playbook's row, so of two clicks one marks.
        The message redrawing the checklist is the caller's, in the same unit of work."""
        with joined(self.bind) as s:
            if s.get(Playbook, playbook_id, with_for_update=True) is None:
                return False
            latest = s.exec(
                select(ChecklistMark)
                .where(
                    col(ChecklistMark.playbook_id) == playbook_id,
                    col(ChecklistMark.kind) == kind,
                    col(ChecklistMark.item) == item,
                )
                .order_by(col(ChecklistMark.id).desc())
                .limit(1)
            ).first()
            if (latest.done if latest is not None else False) == done:
                return False
            s.add(ChecklistMark(playbook_id=playbook_id, kind=kind, item=item, done=done, marked_by=by, marked_at=at))
            s.flush()
        return True

    def checklists(self, playbook_ids: list[int]) -> dict[int, dict[tuple[str, str], ChecklistMark]]:
        """Each playbook's latest mark of each checklist item, by (kind, item)."""
        found: dict[int, dict[tuple[str, str], ChecklistMark]] = {pid: {} for pid in playbook_ids}
        if not playbook_ids:
            return found
        with reading(self.bind) as s:
            for mark in s.exec(
                select(ChecklistMark)
                .where(col(ChecklistMark.playbook_id).in_(playbook_ids))
                .order_by(col(ChecklistMark.id))
            ):
                found[mark.playbook_id][(mark.kind, mark.item)] = mark
        return found
