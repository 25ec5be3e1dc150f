"""Bar change requests (docs/playbooks.md, "The bar moves by decision"): a change to a
playbook's bar that waits for a curator. The machine (one open a playbook, a later one
replacing it, a conditional UPDATE so that one of two clicks decides) is storage/awaiting.py's
`Table` (get, open_for, ask, decide), which the requests to publish over readiness share."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select as sa_select
from sqlalchemy import true
from sqlmodel import col, select

from storage import awaiting
from storage.awaiting import Table
from storage.db import reading
from storage.models.governance import BarRequest, CycleResult, StepVerdict


class BarRequests(Table[BarRequest]):
    model, kept = BarRequest, "changes"  # the changes with what their replay found at a click since

    def open_for_all(self, playbook_ids: list[int]) -> dict[int, BarRequest]:
        """The open request of each of these playbooks that has one."""
        if not playbook_ids:
            return {}
        with reading(self.bind) as s:
            rows = s.exec(
                select(BarRequest).where(col(BarRequest.playbook_id).in_(playbook_ids), col(BarRequest.state) == "open")
            ).all()
        return {r.playbook_id: r for r in rows}

    def last_weeks(self, playbook_id: int, weeks: int = 4, as_of: datetime | None = None) -> list[StepVerdict]:
        """The playbook's step verdicts of its last `weeks` closed weeks, newest week first;
        `as_of`: those closed by then (a card shows what its request was asked on)."""
        recorded = true() if as_of is None else col(StepVerdict.recorded_at) <= as_of
        with reading(self.bind) as s:
            starts = (
                select(col(StepVerdict.week_start))
                .where(col(StepVerdict.playbook_id) == playbook_id, recorded)
                .distinct()
                .order_by(col(StepVerdict.week_start).desc())
                .limit(weeks)
            )
            return list(
                s.exec(
                    select(StepVerdict)
                    .where(
                        col(StepVerdict.playbook_id) == playbook_id,
                        col(StepVerdict.week_start).in_(starts.scalar_subquery()),
                        recorded,
                    )
                    .order_by(col(StepVerdict.week_start).desc())
                ).all()
            )

    def last_cycles(self, playbook_id: int, cycles: int) -> list[tuple[int, date, bool]]:
        """The playbook's last `cycles` closed cycles, newest first: (cycle, first Monday,
        cut short by a pause or retirement). One query."""
        with reading(self.bind) as s:
            rows = s.execute(
                sa_select(col(CycleResult.cycle), col(CycleResult.starts_on), col(CycleResult.interrupted))
                .where(col(CycleResult.playbook_id) == playbook_id)
                .order_by(col(CycleResult.cycle).desc())
                .limit(cycles)
            ).all()
        return [(int(c), starts_on, bool(cut)) for c, starts_on, cut in rows]

    def approved(self) -> list[BarRequest]:
        """The approved requests not applied yet, oldest first (the clock applies them)."""
        with reading(self.bind) as s:
            return list(
                s.exec(select(BarRequest).where(col(BarRequest.state) == "approved").order_by(col(BarRequest.id))).all()
            )

    def loaded(self, request: BarRequest, at: datetime, files: str) -> list[BarRequest]:
        """A request a file loaded at the server asks (in the caller's unit of work): it
        replaces the playbook's open request and the ones of files (`asked_by` starting
        with `files`) approved and not applied yet, which are returned (their cards are the
        caller's to redraw)."""
        by_a_file = (col(BarRequest.state) == "approved") & col(BarRequest.asked_by).startswith(files)
        return awaiting.replace_with(self.bind, BarRequest, request, at, (col(BarRequest.state) == "open") | by_a_file)
