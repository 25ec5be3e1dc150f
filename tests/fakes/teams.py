"""What a team's playbook gathers besides its reports, in memory: champions' checklist
marks (storage/champions.py: its reads only, its writes are being reshaped), calibration
runs (storage/calibration.py), input checks (storage/input_checks.py) and the readouts
readiness asks (storage/readouts.py, attestation_counts)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from cadence.calibration import Run
from cadence.decisions import DecisionKind
from cadence.pulled import Asked
from cadence.pulse import Answer, Pulse, needed, summarize
from storage.input_checks import AlreadyChecked
from storage.models.boundaries import OutOfScopeCount
from storage.models.calibration import CalibrationRun
from storage.models.governance import Decision as DecisionRow
from storage.models.playbooks import ChecklistMark
from storage.models.reports import InputCheckResult
from storage.pulse import voter
from storage.readouts import ReportEntry
from storage.team_load import TeamRow
from tests.fakes.playbooks import clone, next_id

if TYPE_CHECKING:
    from tests.fakes.reports import Row
    from tests.fakes.store import Held

_REVISIONS = (DecisionKind.PLAYBOOK_CREATED.value, DecisionKind.PLAYBOOK_CHANGED.value)


class FakeChampions:
    """Each playbook's champion (its column) and the checklists' marks (`held.marks`)."""

    def __init__(self, held: Held):
        self.held = held

    def name_champion(self, playbook_id: int, before: str | None, champion_id: str, at: datetime) -> bool:
        """A new champion in place of `before`; False, and nothing written, if the champion
        is no longer `before`, or is `champion_id` already."""
        state = next((s for s in self.held.states.values() if s.playbook.id == playbook_id), None)
        if state is None or state.playbook.champion_id != before or before == champion_id:
            return False
        self.held.put(replace(state, playbook=clone(state.playbook, champion_id=champion_id, updated_at=at)))
        return True

    def mark_item(self, playbook_id: int, kind: str, item: str, done: bool, by: str, at: datetime) -> bool:
        """A new mark of the item; False, and nothing written, if its latest mark (none: not
        done) says `done` already, or there is no such playbook."""
        if not any(s.playbook.id == playbook_id for s in self.held.states.values()):
            return False
        latest = self.checklists([playbook_id])[playbook_id].get((kind, item))
        if (latest.done if latest is not None else False) == done:
            return False
        self.held.marks.append(
            ChecklistMark(
                id=next_id(), playbook_id=playbook_id, kind=kind, item=item, done=done, marked_by=by, marked_at=at
            )
        )
        return True

    def checklists(self, playbook_ids: list[int]) -> dict[int, dict[tuple[str, str], ChecklistMark]]:
        found: dict[int, dict[tuple[str, str], ChecklistMark]] = {pid: {} for pid in playbook_ids}
        for mark in sorted(self.held.marks, key=lambda m: m.id):
            if mark.playbook_id in found:
                found[mark.playbook_id][(mark.kind, mark.item)] = mark
        return found


class FakeOutOfScope:
    """Steps' out-of-scope counts, as `out_of_scope.add` writes them (`held.out_of_scope`)."""

    def __init__(self, held: Held):
        self.held = held

    def add(self, rows: list[OutOfScopeCount]) -> None:
        for row in rows:
            row.id = next_id()
        self.held.out_of_scope += rows

    def latest(self, playbook_id: int, first: date, last: date) -> dict[tuple[int, date], int]:
        return {
            (r.step_id, r.week_start): r.count
            for r in sorted(self.held.out_of_scope, key=lambda r: r.id)
            if r.playbook_id == playbook_id and first <= r.week_start <= last
        }

    def seen(self, playbook_id: int, first: date, last: date) -> dict[int, tuple[int, int]]:
        out = self.latest(playbook_id, first, last)
        cases = {
            (r.values["step_id"], r.values["week_start"]): r.values["cases"]
            for r in sorted(self.held.reports.rows, key=lambda r: r.id)
            if r.kind == "cases" and not r.withdrawn and r.values["playbook_id"] == playbook_id
        }
        found: dict[int, tuple[int, int]] = {}
        for (step_id, week), count in out.items():
            had, outside = found.get(step_id, (0, 0))
            found[step_id] = (had + cases.get((step_id, week), 0), outside + count)
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

    def runs(self, playbook_id: int) -> dict[str, list[Run]]:
        found: dict[str, list[Run]] = {}
        for r in sorted(self.held.calibrations, key=lambda r: r.id):
            if r.playbook_id == playbook_id and r.kind == "run" and r.passed is not None and r.total is not None:
                run = Run(r.passed, r.total, r.basis, r.recorded_by, r.recorded_at, r.revision, r.note)
                found.setdefault(r.step.lower(), []).append(run)
        return found

    def _revisions(self, playbook_id: int, *kinds: str) -> list[dict[str, Any]]:
        return sorted(
            (d for d in self.held.decisions if d.get("playbook_id") == playbook_id and d["kind"] in kinds),
            key=lambda d: d["id"],
        )

    def revisions_after(self, after: dict[int, int]) -> dict[int, list[tuple[int, dict[str, Any], dict[str, Any]]]]:
        return {
            playbook_id: [
                (d["id"], d["figures"].get("before") or {}, d["figures"].get("after") or {})
                for d in self._revisions(playbook_id, DecisionKind.PLAYBOOK_CHANGED.value)
                if d["id"] > first
            ]
            for playbook_id, first in after.items()
        }

    def revision_rows(self, playbook_id: int) -> list[tuple[int, str, datetime, dict[str, Any]]]:
        return [
            (d["id"], d["actor"], d["decided_at"], d["figures"] or {})
            for d in self._revisions(playbook_id, DecisionKind.PLAYBOOK_CHANGED.value)
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
    """The readouts the use cases read across reports (the check-ins asked are the cadence
    log's check-in jobs done, as the clock records each DM it sent)."""

    def __init__(self, held: Held):
        self.held = held

    def attestation_counts_of(self, weeks: dict[int, list[date]]) -> dict[int, tuple[int, int]]:
        """Per playbook over its weeks: (check-in DMs sent, the people asked who checked in)."""
        asked = self._asked((pid, week) for pid, starts in weeks.items() for week in starts)
        answered = asked & self._checked_in()
        return {pid: (sum(1 for a in asked if a[0] == pid), sum(1 for a in answered if a[0] == pid)) for pid in weeks}

    def _asked(self, weeks: Iterable[tuple[int, date]] | None = None) -> set[tuple[int, date, str]]:
        """(playbook, week, person) of each check-in DM sent (of these playbook-weeks)."""
        wanted = set(weeks) if weeks is not None else None
        return {
            (j.playbook_id, j.week_start, j.user_id)
            for j in self.held.jobs
            if j.kind == "checkin" and j.status == "done" and j.user_id is not None and j.playbook_id is not None
            if j.week_start is not None and (wanted is None or (j.playbook_id, j.week_start) in wanted)
        }

    def _checked_in(self) -> set[tuple[int, date, str]]:
        return {
            (r.values["playbook_id"], r.values["week_start"], r.by)
            for r in self.held.reports.rows
            if r.kind == "checkin" and not r.withdrawn
        }

    def _counting(self, kinds: Iterable[str]) -> list[Row]:
        kinds = tuple(kinds)
        return [r for r in self.held.reports.rows if r.kind in kinds and not r.withdrawn]

    def kpi_series(self, playbook_ids: list[int], weeks: list[date]) -> dict[tuple[int, date], float]:
        found: dict[tuple[int, date], float] = {}
        for r in sorted(self._counting(["kpi"]), key=lambda r: r.id):  # the latest stays
            key = (r.values["playbook_id"], r.values["week_start"])
            if key[0] in playbook_ids and key[1] in weeks and r.values.get("value") is not None:
                found[key] = r.values["value"]
        return found

    def checkin_counts(self, weeks: list[tuple[int, date]]) -> dict[int, tuple[int, int]]:
        asked = self._asked(weeks)
        answered = {(pid, week, user) for pid, week, user in self._checked_in() if (pid, week) in weeks}
        return {
            pid: (sum(1 for a in asked if a[0] == pid), len({u for p, _, u in answered if p == pid}))
            for pid, _ in weeks
        }

    def reasons(self, weeks: list[tuple[int, date]]) -> list[tuple[int, int | None, str, str]]:
        def of(kind: str) -> list[Row]:
            return [r for r in self._counting([kind]) if (r.values["playbook_id"], r.values["week_start"]) in weeks]

        exceptions = [
            (r.values["playbook_id"], r.values.get("step_id"), "exception", r.values["reason"]) for r in of("exception")
        ]
        deviations = [
            (r.values["playbook_id"], r.values.get("step_id"), "deviation", r.values["note"])
            for r in of("checkin")
            if r.values.get("attestation") == "deviated" and r.values.get("note") is not None
        ]
        return exceptions + deviations

    def report_sources(self, playbook_id: int, since: date, until: date | None = None) -> list[tuple[str, str, int]]:
        counts: dict[tuple[str, str], int] = {}
        for r in self._counting(_SHOWN_KINDS):
            if r.values["playbook_id"] == playbook_id and since <= r.values["week_start"] <= (until or date.max):
                key = (r.by, _SHOWN_KINDS[r.kind])
                counts[key] = counts.get(key, 0) + 1
        return sorted(((by, kind, n) for (by, kind), n in counts.items()), key=lambda c: (-c[2], c[0], c[1]))

    def report_log(self, playbook_id: int, since: date, until: date, limit: int) -> list[ReportEntry]:
        rows = [
            r
            for r in self.held.reports.rows
            if r.kind in _SHOWN_KINDS
            and r.values["playbook_id"] == playbook_id
            and since <= r.values["week_start"] <= until
        ]
        rows.sort(key=lambda r: -r.id)  # newest first, by kind, then the newest row first
        rows.sort(key=lambda r: _SHOWN_KINDS[r.kind])
        rows.sort(key=lambda r: r.values["reported_at"], reverse=True)
        return [
            ReportEntry(
                _SHOWN_KINDS[r.kind],
                r.values["week_start"],
                r.values.get("step_id"),
                r.values.get(_NUMBER[r.kind]) if r.kind in _NUMBER else None,
                r.values.get("reason"),
                r.by,
                r.values["reported_at"],
                r.values.get("undone_at"),
                r.values.get("undone_by"),
            )
            for r in rows[:limit]
        ]

    def exception_ratios(self, weeks: list[date]) -> dict[date, float]:
        totals: dict[date, tuple[int, int]] = {}
        for verdict, _ in self.held.governance.verdicts:
            if verdict.week_start in weeks and verdict.cases is not None:
                exceptions, cases = totals.get(verdict.week_start, (0, 0))
                totals[verdict.week_start] = (exceptions + verdict.exceptions, cases + verdict.cases)
        return {week: e / c for week, (e, c) in totals.items() if c}

    def mode_changes_between(self, playbook_ids: list[int], start: datetime, end: datetime) -> list[DecisionRow]:
        return [
            DecisionRow(**d)
            for d in sorted(self.held.decisions, key=lambda d: d.get("id", 0))
            if d["kind"] == "mode-change" and start < d["decided_at"] <= end and d.get("playbook_id") in playbook_ids
        ]

    def org_counts(self, since: datetime, until: datetime) -> dict[str, int]:
        closed = [r.closed_at or at for r, at in self.held.governance.cycle_results]
        published = [v.published_at for v in self.held.registry.versions.values()]
        return dict(
            cycles_week=sum(1 for c in closed if since < c <= until),
            cycles_total=sum(1 for c in closed if c <= until),
            versions_week=sum(1 for p in published if since < p <= until),
            versions_total=sum(1 for p in published if p <= until),
            adoptions=sum(1 for s in self.held.states.values() if s.playbook.adopted_from_id is not None),
        )


# The kinds of report the readouts name, as they name them, and the column of each one's number.
_SHOWN_KINDS = {"kpi": "KPI", "guardrail": "guardrail", "cases": "cases", "rubric": "rubric", "exception": "exception"}
_NUMBER = {"kpi": "value", "guardrail": "value", "cases": "cases", "rubric": "score"}


class FakePulses:
    """The pulse's keys and answers as `held.pulse_keys` and `held.pulse_answers` hold them."""

    def __init__(self, held: Held):
        self.held = held

    def answer(self, playbook_id: int, cycle: int, last_week: date, person: str, answer: Answer) -> bool:
        state = next((s for s in self.held.states.values() if s.playbook.id == playbook_id), None)
        closed = state.playbook.closed_through if state is not None else None
        if state is None or (closed is not None and closed >= last_week):
            return False
        secret = self.held.pulse_keys.setdefault((playbook_id, cycle), secrets.token_hex(32))
        self.held.pulse_answers = {**self.held.pulse_answers, (playbook_id, cycle, voter(secret, person)): answer}
        return True

    def shown(self, cycles: dict[tuple[int, int], int | None]) -> dict[tuple[int, int], Pulse]:
        """storage/pulse.py's gate: aggregates only; of a cycle still open, the count."""
        found: dict[tuple[int, int], list[Answer]] = {}
        for (pid, cycle, _), answer in sorted(self.held.pulse_answers.items(), key=lambda kv: kv[0]):
            found.setdefault((pid, cycle), []).append(answer)
        return {
            c: Pulse(c[1], len(found.get(c, [])), needed(floor))
            if c in self.held.pulse_keys
            else summarize(c[1], found.get(c, []), floor)
            for c, floor in cycles.items()
        }

    def seal(self, cycles: list[tuple[int, int]]) -> None:
        self.held.pulse_keys = {k: v for k, v in self.held.pulse_keys.items() if k not in cycles}
        self.held.pulse_answers = {
            ((pid, cycle, secrets.token_hex(16)) if (pid, cycle) in cycles else (pid, cycle, who)): answer
            for (pid, cycle, who), answer in self.held.pulse_answers.items()
        }


class FakeTeamLoads:
    """storage/team_load.py's teams, over the playbooks and decision rows held."""

    def __init__(self, held: Held):
        self.held = held

    def teams(self, channel_ids: list[str], since: datetime) -> dict[str, list[TeamRow]]:
        found: dict[str, list[TeamRow]] = {c: [] for c in channel_ids}
        for state in self.held.states.values():
            p = state.playbook
            if p.channel_id not in found:
                continue
            revised = sum(
                1
                for d in self.held.decisions
                if d.get("playbook_id") == p.id
                and d["kind"] == DecisionKind.PLAYBOOK_CHANGED.value
                and d["decided_at"] >= since
            )
            fell = sum(1 for s in state.steps if s.fallback_mode is not None)
            row = TeamRow(p.status, p.adopted_from_id, p.created_at, dict(p.rules or {}), fell, revised, None)
            found[p.channel_id].append(row)
        return found


class FakeFormTimes:
    """storage/form_times.py: forms opened and submitted, held by view; a playbook's first
    check-in answered, from the held reports."""

    def __init__(self, held: Held):
        self.held = held

    def opened(self, view_id: str, user_id: str, callback_id: str, playbook_id: int | None, at: datetime) -> bool:
        if view_id in self.held.forms:
            return False
        self.held.forms[view_id] = (user_id, playbook_id, at, None)
        return True

    def submitted(self, view_id: str, at: datetime, playbook_id: int | None = None) -> None:
        if view_id in self.held.forms:
            user_id, kept, opened, _ = self.held.forms[view_id]
            self.held.forms[view_id] = (user_id, kept if playbook_id is None else playbook_id, opened, at)

    def setup_forms(self, playbook_ids: list[int]) -> dict[int, list[tuple[datetime, datetime | None]]]:
        adopted = {s.playbook.id: s.playbook.created_at for s in self.held.states.values()}
        first = self.first_checkins(playbook_ids)
        found: dict[int, list[tuple[datetime, datetime | None]]] = {}
        for _, (_, pid, opened, submitted) in sorted(self.held.forms.items(), key=lambda f: (f[1][2], f[0])):
            if pid is not None and pid in first and pid in adopted and adopted[pid] <= opened <= first[pid]:
                found.setdefault(pid, []).append((opened, submitted))
        return found

    def first_checkins(self, playbook_ids: list[int]) -> dict[int, datetime]:
        found: dict[int, datetime] = {}
        for row in self.held.reports.rows:
            pid, at = row.values["playbook_id"], row.values["reported_at"]
            if row.kind == "checkin" and not row.withdrawn and pid in playbook_ids:
                found[pid] = min(found.get(pid, at), at)
        return found

    def said(self, playbook_id: int, minutes: int, meeting: bool, by: str, at: datetime) -> bool:
        if playbook_id in self.held.said:
            return False
        self.held.said[playbook_id] = (minutes, meeting, by, at)
        return True

    def said_of(self, playbook_ids: list[int]) -> dict[int, tuple[int, bool]]:
        return {pid: (m, meeting) for pid, (m, meeting, _, _) in self.held.said.items() if pid in playbook_ids}
