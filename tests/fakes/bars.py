"""What the closed weeks' verdicts give, in memory: storage/bar_requests.py's requests to
change a bar (one open a playbook, a later one replacing it; a decision moves a request
only from the state it was read in) and storage/depth.py's depth over months."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from storage.depth import WIDER_MODES, DepthWeek
from storage.governance_rows import shallow_columns
from storage.models.governance import BarRequest, PublishRequest, StepVerdict
from tests.fakes.playbooks import clone, next_id

if TYPE_CHECKING:
    from tests.fakes.store import Held

M = TypeVar("M", BarRequest, PublishRequest)


def verdicts(held: Held) -> list[StepVerdict]:
    """The step verdicts the closes recorded (governance.apply's), as their rows."""
    return [
        StepVerdict(id=index + 1, **shallow_columns(v), recorded_at=at)
        for index, (v, at) in enumerate(held.governance.verdicts)
    ]


class FakeAwaiting(Generic[M]):
    """storage/awaiting.py's Table in memory, its requests `held.<area>` by id: one open a
    playbook, a later one replacing it; a decision moves a request only from the state it
    was read in."""

    area: ClassVar[str]
    kept: ClassVar[str]  # storage/awaiting.py's Table.kept

    def __init__(self, held: Held):
        self.held = held

    @property
    def rows(self) -> dict[int, M]:
        rows: dict[int, M] = getattr(self.held, self.area)
        return rows

    def get(self, request_id: int) -> M | None:
        return self.rows.get(request_id)

    def open_for(self, playbook_id: int) -> M | None:
        return next((r for r in self.rows.values() if r.playbook_id == playbook_id and r.state == "open"), None)

    def ask(self, request: M, at: datetime) -> M | None:
        replaced = self._replace_with(request, at, lambda r: r.state == "open")
        return replaced[0] if replaced else None

    def _replace_with(self, request: M, at: datetime, replaced: Any) -> list[M]:
        old = sorted(
            (r for r in self.rows.values() if r.playbook_id == request.playbook_id and replaced(r)), key=lambda r: r.id
        )
        marked = [clone(row, state="replaced", decided_at=at) for row in old]
        self.rows.update((row.id, row) for row in marked)
        request.id = next_id()
        self.rows[request.id] = request
        return marked  # as the real one returns them: marked replaced

    def decide(self, request_id: int, state: str, at: datetime, was: str = "open", **values: Any) -> bool:
        return self._moved(request_id, was, state=state, decided_at=at, **values)

    def refound(self, request_id: int, found: list[Any]) -> bool:
        return self._moved(request_id, "open", **{self.kept: found})

    def _moved(self, request_id: int, was: str = "open", **values: Any) -> bool:
        request = self.rows.get(request_id)
        if request is None or request.state != was:
            return False
        self.rows[request_id] = clone(request, **values)
        return True


class FakeBarRequests(FakeAwaiting[BarRequest]):
    """The requests (`held.bar_requests`, by id)."""

    area, kept = "bar_requests", "changes"

    def open_for_all(self, playbook_ids: list[int]) -> dict[int, BarRequest]:
        return {
            r.playbook_id: r
            for r in self.held.bar_requests.values()
            if r.playbook_id in playbook_ids and r.state == "open"
        }

    def last_weeks(self, playbook_id: int, weeks: int = 4, as_of: datetime | None = None) -> list[StepVerdict]:
        found = [
            v
            for v in verdicts(self.held)
            if v.playbook_id == playbook_id and (as_of is None or v.recorded_at is None or v.recorded_at <= as_of)
        ]
        last = sorted({v.week_start for v in found}, reverse=True)[:weeks]
        return sorted((v for v in found if v.week_start in last), key=lambda v: v.week_start, reverse=True)

    def last_cycles(self, playbook_id: int, cycles: int) -> list[tuple[int, date, bool]]:
        found = [r for r, _ in self.held.governance.cycle_results if r.playbook_id == playbook_id]
        found.sort(key=lambda r: r.result.cycle, reverse=True)
        return [(r.result.cycle, r.starts_on, r.result.interrupted) for r in found[:cycles]]

    def approved(self) -> list[BarRequest]:
        return sorted((r for r in self.held.bar_requests.values() if r.state == "approved"), key=lambda r: r.id)

    def loaded(self, request: BarRequest, at: datetime, files: str) -> list[BarRequest]:
        return self._replace_with(
            request, at, lambda r: r.state == "open" or (r.state == "approved" and r.asked_by.startswith(files))
        )


class FakeDepth:
    def __init__(self, held: Held):
        self.held = held

    def weeks(self, since: date, until: date, playbook_id: int | None = None) -> dict[date, DepthWeek]:
        judged = [
            v
            for v in verdicts(self.held)
            if since <= v.week_start <= until and (playbook_id is None or v.playbook_id == playbook_id)
        ]
        people: dict[date, set[str]] = {}
        for r in self.held.reports.rows:
            week = r.values["week_start"]
            if r.withdrawn or r.kind not in _PEOPLES or not since <= week <= until or ":" in r.by:
                continue
            if playbook_id is None or r.values["playbook_id"] == playbook_id:
                people.setdefault(week, set()).add(r.by)
        found = {}
        for week in sorted({v.week_start for v in judged} | set(people)):
            of_week = [v for v in judged if v.week_start == week]
            counted = [v.cases for v in of_week if v.cases is not None]
            found[week] = DepthWeek(
                sum(counted) if counted else None,
                len(of_week),
                sum(1 for v in of_week if v.mode in WIDER_MODES),
                len(people.get(week, ())),
            )
        return found

    def weekly_cases(self, playbook_ids: list[int], since: date, until: date) -> dict[tuple[int, date], int]:
        found: dict[tuple[int, date], int] = {}
        for v in verdicts(self.held):
            if v.playbook_id in playbook_ids and since <= v.week_start <= until and v.cases is not None:
                found[(v.playbook_id, v.week_start)] = found.get((v.playbook_id, v.week_start), 0) + v.cases
        return found


_PEOPLES = ("kpi", "guardrail", "cases", "rubric", "exception", "checkin")  # the reports people make


class FakePublishRequests(FakeAwaiting[PublishRequest]):
    """storage/publish_requests.py's requests to publish over readiness (`held.publish_requests`, by id)."""

    area, kept = "publish_requests", "criteria"
