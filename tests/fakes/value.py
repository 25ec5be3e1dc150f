"""The value measure's reads (storage/value_counts.py's ValueCounts) over what the fakes
hold: the reports (held.reports), the sources' fetches (held.fetches), the exception
queue's moves (held.item_events) and the verdicts kept by governance.apply. A step is
found among the playbook's current steps (the real one reads every step row it has)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from cadence import heroics
from storage.value_counts import Ask, Measure, OversightWork, QualityWork, WeekCounts

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

    def events(self, asks: list[Ask], first: date, last: date) -> WeekCounts:
        found: WeekCounts = {}
        for ask in asks:
            if ask.kind in ("cases", "kpi"):
                column = "cases" if ask.kind == "cases" else "value"
                for row in self._rows(ask.kind, {ask.playbook_id}, first, last):  # the week's latest counts
                    if ask.kind == "kpi" or row.values.get("step_id") == ask.step_id:
                        found[(ask.playbook_id, row.values["week_start"])] = float(row.values[column])
            elif ask.kind == "exception":
                counted: Counter[tuple[int, date]] = Counter()
                for row in self._rows("exception", {ask.playbook_id}, first, last):
                    reason = str(row.values["reason"])
                    if row.values.get("step_id") == ask.step_id and (
                        reason == ask.event or reason.startswith(ask.event + ": ")
                    ):
                        counted[(ask.playbook_id, row.values["week_start"])] += 1
                found.update({key: float(n) for key, n in counted.items()})
            elif ask.kind == "own":
                summed: Counter[tuple[int, date]] = Counter()
                for row in self._rows("value", {ask.playbook_id}, first, last):
                    if row.values.get("event") == ask.event:
                        summed[(ask.playbook_id, row.values["week_start"])] += row.values["count"]
                found.update({key: float(n) for key, n in summed.items()})
            elif ask.kind == "source":
                for f in self.held.fetches:
                    if (
                        f["playbook_id"] == ask.playbook_id
                        and f["number"] == "value"
                        and f["outcome"] == "fetched"
                        and first <= f["week_start"] <= last
                        and f.get("value") is not None
                    ):
                        found[(f["playbook_id"], f["week_start"])] = float(f["value"])
        return found

    def _cases(self, ids: set[int], first: date, last: date) -> dict[tuple[int, date], int]:
        return {
            (r.values["step_id"], r.values["week_start"]): r.values["cases"]
            for r in self._rows("cases", ids, first, last)
        }

    def oversight(self, playbook_ids: list[int], first: date, last: date) -> dict[int, OversightWork]:
        found = {pid: OversightWork({}, []) for pid in playbook_ids}
        ids = set(playbook_ids)
        cases = self._cases(ids, first, last)
        for row in self._rows("rubric", ids, first, last):
            v = row.values
            sample = (
                v.get("reviewed") if v.get("reviewed") is not None else cases.get((v["step_id"], v["week_start"]), 0)
            )
            found[v["playbook_id"]].reviews[(v["step_id"], v["week_start"])] = (
                float(sample or 0),
                v.get("review_minutes"),
            )
        since = datetime.combine(first - timedelta(days=1), time(0), UTC)
        until = datetime.combine(last + timedelta(days=8), time(0), UTC)
        steps = {
            ("exception" if r.kind == "exception" else "deviation", r.id): r.values.get("step_id")
            for r in self.held.reports.rows
            if r.kind in ("exception", "checkin")
        }
        for event in sorted(self.held.item_events, key=lambda e: e.id):
            if event.playbook_id in ids and event.state in ("resolved", "accepted") and since <= event.at < until:
                found[event.playbook_id].closes.append((steps.get((event.source, event.report_id)), event.at))
        for verdict, _ in self.held.governance.verdicts:
            if verdict.playbook_id in ids and first <= verdict.week_start <= last:
                found[verdict.playbook_id].modes[(verdict.step_id, verdict.week_start)] = verdict.mode
        return found

    def costs(
        self, playbook_ids: list[int], first: date, last: date
    ) -> dict[tuple[int, date], tuple[float | None, str | None]]:
        found: dict[tuple[int, date], tuple[float | None, str | None]] = {}
        for f in sorted(self.held.fetches, key=lambda f: f["id"]):
            if f["playbook_id"] not in playbook_ids or f["number"] != "cost" or not first <= f["week_start"] <= last:
                continue
            key = (f["playbook_id"], f["week_start"])
            if found.get(key, (None, None))[0] is not None:
                continue  # fetched: the value stands
            fetched = f["outcome"] == "fetched" and f.get("value") is not None
            found[key] = (f["value"], None) if fetched else (None, f.get("error"))
        return found

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
