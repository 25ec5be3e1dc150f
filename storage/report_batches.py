"""Reports written in batches (storage/weekly_reports.py's add_reports): each made and checked
as a row to write (`new_report`), written only while its week is open (`WeekClosed`, the
playbooks locked in one order), once per idempotency key (`KeyReused` for a key sent again
with another report; the first answer given again for the same one)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists
from sqlalchemy.engine import Connection
from sqlmodel import Session, select

from cadence.report_kinds import ReportKind
from storage import report_writes as writes
from storage.bulk import insert_new
from storage.models import table_of
from storage.models.access import ApiReportKey
from storage.playbooks import PLAYBOOK
from storage.types import one_of

API_KEYS = table_of(ApiReportKey)


class KeyReused(Exception):
    """Reports whose idempotency keys their token used before, for a different report (its
    `report_hash`): nothing was written. `indexes`: which of the reports written together."""

    def __init__(self, indexes: list[int]):
        super().__init__(f"{len(indexes)} keys used before for different reports")
        self.indexes = indexes


class WeekClosed(Exception):
    """A report for a week the clock has closed (its verdicts are recorded): nothing was
    written. The request judged the week open by its own start time; the close came first.
    `index`: which of the reports written together it was."""

    def __init__(self, index: int, message: str):
        super().__init__(message)
        self.index = index


@dataclass(frozen=True)
class NewReport:
    """A report to write (WeeklyReports.add_reports), made by new_report: the columns of
    its table, and for the API its idempotency key (scoped to its token) and what the
    answer says it counts for."""

    kind: ReportKind
    values: dict[str, Any]
    key: str | None = None
    counts_for: str = ""
    adds: bool = False  # a value event's: `count` added to the week's latest cases or KPI
    times: int = 1  # a value event counting exceptions: one row for each
    report_hash: str | None = None  # with `key`: the report as it was sent, hashed


def new_report(
    kind: ReportKind,
    playbook_id: int,
    week_start: date,
    by: str,
    at: datetime,
    key: str | None = None,
    counts_for: str = "",
    adds: bool = False,
    **value: Any,
) -> NewReport:
    """The one way a report's columns are made, for Slack and the API alike: the columns
    every report has, and `value` (value, cases, score, reason, step_id; a check-in's
    attestation, step_id and note, with `by` as its member)."""
    reporter = {"user_id": by} if kind == ReportKind.CHECKIN else {"reported_by": by}
    values = dict(playbook_id=playbook_id, week_start=week_start, **value, **reporter, reported_at=at)
    if kind == ReportKind.RUBRIC:
        values.setdefault("reviewed", None)  # a bare score: every case reviewed
        values.setdefault("dimensions", None)  # a review without dimensions
        values.setdefault("reviewers", None)  # none named: the reporter reviewed
        values.setdefault("review_minutes", None)  # none typed: reviewed × the playbook's review_minutes
    return NewReport(kind, values, key, counts_for, adds)


def same_report(stored_hash: str | None, report_hash: str | None) -> bool:
    """Whether a report hashed `report_hash` is the one its key was first used for (a key
    stored before hashes were kept has none: any report under it is taken as the same)."""
    return stored_hash is None or stored_hash == report_hash


def key_answers(connection: Connection, keys: list[str]) -> dict[str, dict[str, Any]]:
    rows = connection.execute(
        select(API_KEYS.c.key, API_KEYS.c.week_start, API_KEYS.c.counts_for, API_KEYS.c.report_hash).where(
            one_of(API_KEYS.c.key, "keys")
        ),
        {"keys": keys},
    )
    return {
        key: dict(week_start=week_start, counts_for=counts_for, report_hash=report_hash)
        for key, week_start, counts_for, report_hash in rows
    }


def in_an_open_week(table: Any, lock: bool = False) -> Any:
    """A report row of `table` whose week the clock has not closed (report_writes.open_week's test,
    on the row's own playbook and week); `lock`: taking open_week's lock, so that an
    undo and the close, like a report and the close, run one wholly before the other."""
    closed_through = PLAYBOOK.c.closed_through
    still_open = select(PLAYBOOK.c.id).where(
        PLAYBOOK.c.id == table.c.playbook_id,
        closed_through.is_(None) | (closed_through < table.c.week_start),
    )
    return exists(still_open.with_for_update(read=True) if lock else still_open)


def _add_batch(
    connection: Connection, kind: ReportKind, reports: list[NewReport], indexes: list[int], closed: dict[int, date]
) -> None:
    """Reports of one kind written by one executemany, each only if its week is open (the
    statement is the one-at-a-time one's, without RETURNING). The playbooks are locked
    already (for share), and the weeks they closed through (`closed`) read with the lock,
    so a report for a closed week is named (WeekClosed) before anything is sent; a row
    count that still falls short (SQLite, whose locks are the database's) says so too."""
    rows = [reports[i].values for i in indexes for _ in range(reports[i].times)]
    for index in indexes:
        values = reports[index].values
        through = closed.get(values["playbook_id"])
        if through is not None and through >= values["week_start"]:
            raise WeekClosed(index, f"the week of {values['week_start']} has closed")
    written = connection.execute(writes.BATCHED[kind], rows).rowcount
    if written not in (-1, None) and written != len(rows):  # -1: the driver does not count an executemany
        raise WeekClosed(indexes[0], f"the week of {reports[indexes[0]].values['week_start']} has closed")


def take_keys(
    session: Session, reports: list[NewReport], token_id: int | None
) -> tuple[set[str], dict[str, dict[str, Any]]]:
    """The idempotency keys of `reports` this request takes now, and what was answered for
    those taken before. Raises KeyReused for a key taken before for a different report."""
    keyed = [r for r in reports if r.key is not None]
    if not keyed:
        return set(), {}
    rows = [
        dict(key=r.key, token_id=token_id, week_start=r.values["week_start"], counts_for=r.counts_for)
        | dict(created_at=r.values["reported_at"], report_hash=r.report_hash)
        for r in sorted(keyed, key=lambda r: r.key or "")  # in one order: two requests never wait in a ring
    ]
    fresh = insert_new(session, API_KEYS, rows)
    repeated = [r.key for r in keyed if r.key is not None and r.key not in fresh]
    # Read after the insert that found them taken: on PostgreSQL that insert waited for the
    # request that took them to commit, and this statement sees its rows.
    answers = key_answers(session.connection(), repeated) if repeated else {}
    reused = [
        index
        for index, r in enumerate(reports)
        if r.key in answers and not same_report(answers[r.key]["report_hash"], r.report_hash)
    ]
    if reused:
        raise KeyReused(reused)  # rolled back: the keys this request took are free again
    return fresh, answers


def lock_playbooks(connection: Connection, reports: list[NewReport]) -> None:
    """Every playbook the reports are for, locked first, in the order of the ids (as the
    clock's close locks them), so two requests never wait on each other in a ring: for
    update where value events add up (they then add in turn), for share otherwise (as each
    report's own statement would). Reports on one playbook that add nothing up take no
    lock first: a ring needs two rows, and each report's own statement takes the share
    lock (report_writes.open_week), so `/rollout kpi` sends one statement fewer."""
    adding = {r.values["playbook_id"] for r in reports if r.adds}
    playbooks = sorted({r.values["playbook_id"] for r in reports})
    if adding:
        for pid in playbooks:
            connection.execute(writes.LOCK_PLAYBOOK if pid in adding else writes.SHARE_PLAYBOOK, {"playbook_id": pid})
    elif len(playbooks) > 1:  # shared locks only: one statement takes them all, in the same order
        connection.execute(writes.SHARE_PLAYBOOKS, {"ids": playbooks})


def add_batches(connection: Connection, reports: list[NewReport]) -> None:
    """Plain reports (no key, nothing added up), one statement a kind, after one that
    locks their playbooks for share, in the order of the ids, and reads the weeks they
    closed through with the lock (once, however many kinds: the owner's week form sends
    three)."""
    playbooks = sorted({r.values["playbook_id"] for r in reports})
    closed = {pid: through for pid, through in connection.execute(writes.SHARE_PLAYBOOKS, {"ids": playbooks})}
    batches: dict[ReportKind, list[int]] = {}
    for index, report in enumerate(reports):
        batches.setdefault(report.kind, []).append(index)
    for kind, indexes in batches.items():
        _add_batch(connection, kind, reports, indexes, closed)


def add_each(connection: Connection, reports: list[NewReport], fresh: set[str]) -> None:
    """Each report by its own statement, but a duplicate's (its key taken before)."""
    for index, report in enumerate(reports):
        if report.key is not None and report.key not in fresh:
            continue  # a duplicate: written by the request that first sent its key
        statement = writes.ADD_TO[report.kind] if report.adds else writes.STATEMENTS[report.kind]
        if any(connection.execute(statement, report.values).first() is None for _ in range(report.times)):
            raise WeekClosed(index, f"the week of {report.values['week_start']} has closed")  # rolled back
