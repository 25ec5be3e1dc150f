"""What a team's playbook gathers besides its reports, in memory: champions' checklist
marks (storage/champions.py: its reads only, its writes are being reshaped), calibration
runs (storage/calibration.py), input checks (storage/input_checks.py) and the readouts
readiness asks (storage/readouts.py, attestation_counts)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from cadence.calibration import Run
from cadence.decisions import DecisionKind
from storage.input_checks import AlreadyChecked
from storage.models.calibration import CalibrationRun
from storage.models.playbooks import ChecklistMark
from storage.models.reports import InputCheckResult
from storage.source_fetches import Asked
from tests.fakes.playbooks import next_id

if TYPE_CHECKING:
    from tests.fakes.store import Held

_REVISIONS = (DecisionKind.PLAYBOOK_CREATED.value, DecisionKind.PLAYBOOK_CHANGED.value)


class FakeChampions:
    """The checklists' marks as `held.marks` holds them (a test puts them there)."""

    def __init__(self, held: Held):
        self.held = held

    def checklists(self, playbook_ids: list[int]) -> dict[int, dict[tuple[str, str], ChecklistMark]]:
        found: dict[int, dict[tuple[str, str], ChecklistMark]] = {pid: {} for pid in playbook_ids}
        for mark in sorted(self.held.marks, key=lambda m: m.id):
            if mark.playbook_id in found:
                found[mark.playbook_id][(mark.kind, mark.item)] = mark
        return found


class FakeCalibrations:
    def __init__(self, held: Held):
        self.held = held

    def add(self, rows: list[CalibrationRun]) -> None:
        for row in rows:
            row.id = next_id()
        self.held.calibrations += rows

    def latest(self, playbook_ids: list[int]) -> dict[tuple[int, str], tuple[Run | None, bool]]:
        found: dict[tuple[int, str], tuple[Run | None, bool]] = {}
        for r in sorted(self.held.calibrations, key=lambda r: r.id):
            if r.playbook_id not in playbook_ids:
                continue
            key = (r.playbook_id, r.step.lower())
            if r.kind == "run" and r.passed is not None and r.total is not None:
                found[key] = (Run(r.passed, r.total, r.basis, r.recorded_by, r.recorded_at, r.revision, r.note), False)
            else:
                found[key] = (found.get(key, (None, False))[0], True)
        return found

    def _revisions(self, playbook_id: int, *kinds: str) -> list[dict[str, Any]]:
        return sorted(
            (d for d in self.held.decisions if d.get("playbook_id") == playbook_id and d["kind"] in kinds),
            key=lambda d: d["id"],
        )

    def revisions_since(self, playbook_id: int, after: int | None) -> list[tuple[int, dict[str, Any], dict[str, Any]]]:
        return [
            (d["id"], d["figures"].get("before") or {}, d["figures"].get("after") or {})
            for d in self._revisions(playbook_id, DecisionKind.PLAYBOOK_CHANGED.value)
            if d["id"] > (after or 0)
        ]

    def latest_revision(self, playbook_id: int) -> int | None:
        found = self._revisions(playbook_id, *_REVISIONS)
        return found[-1]["id"] if found else None


class FakeInputChecks:
    """Input checks' results, as `input_checks.record` writes them (`held.checks`)."""

    def __init__(self, held: Held):
        self.held = held

    def record(self, rows: list[dict[str, Any]]) -> None:
        """AlreadyChecked, and nothing kept, if an input's week was settled already."""
        settled = {(r.playbook_id, r.week_start, r.input) for r in self.held.checks if r.outcome != "failed"}
        if any((r["playbook_id"], r["week_start"], r["input"]) in settled for r in rows if r["outcome"] != "failed"):
            raise AlreadyChecked("an input's week was settled already")
        self.held.checks += [InputCheckResult(id=next_id(), **row) for row in rows]

    def asked(self, weeks: list[date]) -> dict[tuple[int, date, str], Asked]:
        found: dict[tuple[int, date, str], Asked] = {}
        for r in sorted(self.held.checks, key=lambda r: r.id):
            if r.week_start not in weeks:
                continue
            key = (r.playbook_id, r.week_start, r.input)
            before = found.get(key)
            found[key] = Asked(
                max(r.checked_at, before.last_at) if before else r.checked_at,
                (before.settled if before else False) or r.outcome != "failed",
                (before.failures if before else 0) + (r.outcome == "failed"),
            )
        return found

    def of_playbook(self, playbook_id: int, first: date | None = None) -> list[InputCheckResult]:
        return sorted(
            (r for r in self.held.checks if r.playbook_id == playbook_id and (first is None or r.week_start >= first)),
            key=lambda r: r.id,
        )


class FakeReadouts:
    """The check-ins asked are `held.asked` ((playbook id, week, person): a check-in DM
    sent); the fake keeps no cadence jobs else."""

    def __init__(self, held: Held):
        self.held = held

    def attestation_counts(self, playbook_id: int, weeks: list[date]) -> tuple[int, int]:
        asked = {(w, u) for pid, w, u in self.held.asked if pid == playbook_id and w in weeks}
        answered = {
            (r.values["week_start"], r.by)
            for r in self.held.reports.rows
            if r.kind == "checkin" and not r.withdrawn and r.values["playbook_id"] == playbook_id
        }
        return len(asked), len(asked & answered)
