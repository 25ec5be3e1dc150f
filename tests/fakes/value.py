"""The value measure's reads that the fast tests reach (storage/value_counts.py's
ValueCounts): each playbook's measure, and the quality work the hero's section weighs,
over the reports (held.reports) and the exception queue's moves (held.item_events). The
value's figures (events counted, oversight, costs pulled) are read on the database only
(tests/usecases/test_value_figures.py, issue 110, item 6)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from cadence import heroics
from storage.value_counts import Measure, QualityWork

if TYPE_CHECKING:
    from tests.fakes.reports import Row
    from tests.fakes.store import Held

_TEAM = ("cases", "rubric", "exception", "kpi", "guardrail", "checkin")


class FakeValueCounts:
    def __init__(self, held: Held):
        self.held = held

    def _rows(self, kind: str, ids: set[int], first: date, last: date) -> list[Row]:
        """The reports of `kind` that count, of the playbooks `ids`, in the weeks `first` to `last`, oldest first."""
        return sorted(
            (
                r
                for r in self.held.reports.rows
                if r.kind == kind
                and not r.withdrawn
                and r.values["playbook_id"] in ids
                and first <= r.values["week_start"] <= last
            ),
            key=lambda r: r.id,
        )

    def measures(self, playbook_ids: list[int]) -> dict[int, Measure]:
        found = {}
        for state in self.held.states.values():
            if state.playbook.id not in playbook_ids:
                continue
            spec = state.spec
            if spec.value is not None and spec.value.minutes_saved is not None:
                steps = {s.name: s.id for s in state.steps}
                found[state.playbook.id] = Measure(spec.value, spec.cost, list(spec.value_events), steps)
        return found

    def _cases(self, ids: set[int], first: date, last: date) -> dict[tuple[int, date], int]:
        return {
            (r.values["step_id"], r.values["week_start"]): r.values["cases"]
            for r in self._rows("cases", ids, first, last)
        }

    def quality_work(self, playbook_ids: list[int], first: date, last: date) -> dict[int, QualityWork]:
        found = {pid: QualityWork([], Counter(), set()) for pid in playbook_ids}
        ids = set(playbook_ids)
        for kind in _TEAM:
            for row in self._rows(kind, ids, first, last):
                found[row.values["playbook_id"]].team.add(row.by)
        cases = self._cases(ids, first, last)
        latest: dict[tuple[int, date], Any] = {}
        for row in self._rows("rubric", ids, first, last):
            latest[(row.values["step_id"], row.values["week_start"])] = row.values
        for key, v in latest.items():
            named = tuple((v.get("reviewers") or "").split())
            found[v["playbook_id"]].reviews.append(
                heroics.Review(v.get("reviewed"), cases.get(key), named, v["reported_by"])
            )
            found[v["playbook_id"]].team.update(named)
        since = datetime.combine(first, time(0), UTC)
        until = datetime.combine(last + timedelta(days=7), time(0), UTC)
        for event in self.held.item_events:
            if event.playbook_id in ids and event.state in ("resolved", "accepted") and since <= event.at < until:
                found[event.playbook_id].closed[event.by] += 1
        return found
