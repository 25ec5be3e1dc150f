"""The export for analysts (`rollout export csv`): every table but the pulse's as <table>.csv,
as of one instant, streamed, and moved in all or nothing; people's and channels' ids
written with their names beside them, an API token's hash and a webhook's secret never
written. One of its tables, its rows those of some playbooks, for the reporting API's
`/api/v1/export/<table>.csv` (usecases/api_export.py): the same producer, `_rows`.
`CsvExport` is a base of storage/readouts.py's Readouts."""

from __future__ import annotations

import csv
import errno
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, false, func, select
from sqlalchemy.engine import Connection, Engine
from sqlmodel import SQLModel

from cadence.text import csv_row
from storage.db import snapshot
from storage.governance import seen_by
from storage.models import table_of
from storage.models.governance import Decision
from storage.models.org import ChannelName, Person
from storage.models.playbooks import Playbook
from storage.models.pulse import GATED

Written = tuple[list[str], list[list[Any]]]  # a file's header and rows


NOT_EXPORTED = {"token_hash", "secret"}  # an API token's hash, a webhook's secret: an export is shared


# Columns that hold a person's Slack id, and a channel's: the export puts the name beside
# each, as `<column>_name` (empty when Slack has none), and keeps the id for joining.
PERSON_COLUMNS = {
    "owner_id",
    "champion_id",
    "user_id",
    "reported_by",
    "withdrawn_by",
    "added_by",
    "actor",
    "by",
    "requester_id",
    "decided_by",
    "marked_by",
    "granted_by",
    "published_by",
    "started_by",
}


CHANNEL_COLUMNS = {"channel_id"}


def _with_names(table: Any, columns: list[Any]) -> tuple[Any, list[str]]:
    """The export's query of `table`, with the kept name beside each person's or channel's
    id (storage/people.py), and its header."""
    if table.name in (Person.__tablename__, ChannelName.__tablename__):  # the names themselves
        return select(*columns).order_by(*table.primary_key.columns), [c.name for c in columns]
    person, channel = table_of(Person), table_of(ChannelName)
    joined, selected, header = table, [], []
    for column in columns:
        selected.append(column)
        header.append(column.name)
        if column.name in PERSON_COLUMNS:
            named = person.alias(f"{column.name}_person")
            joined = joined.outerjoin(named, named.c.user_id == column)
            selected.append(func.coalesce(named.c.display_name, named.c.real_name))
        elif column.name in CHANNEL_COLUMNS:
            named = channel.alias(f"{column.name}_channel")
            joined = joined.outerjoin(named, named.c.channel_id == column)
            selected.append(named.c.name)
        else:
            continue
        header.append(f"{column.name}_name")
    return select(*selected).select_from(joined).order_by(*table.primary_key.columns), header


def _make_parents(folder: Path) -> list[Path]:
    """Make `folder` and its missing parents; the ones made, innermost first."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for made in reversed(missing):
        try:
            made.mkdir()
        except BaseException:
            for undo in missing[missing.index(made) + 1 :]:
                shutil.rmtree(undo, ignore_errors=True)
            raise
    return missing


def _move_in(scratch: Path, directory: Path, names: list[str]) -> None:
    """Move the files `names` from `scratch` into `directory`, all or none (export_csv)."""
    for name in names:  # what would refuse a file in its place, before anything is moved
        target = directory / name
        if target.is_dir() and not target.is_symlink():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
    aside = scratch / ".replaced"
    aside.mkdir()
    moved: list[str] = []
    try:
        for name in names:
            target = directory / name
            if target.exists() or target.is_symlink():
                os.replace(target, aside / name)
            moved.append(name)
            os.replace(scratch / name, target)
    except BaseException:
        for name in reversed(moved):
            target = directory / name
            if target.exists() and not (scratch / name).exists():
                os.replace(target, scratch / name)  # the new file out again
            if (aside / name).exists() or (aside / name).is_symlink():
                os.replace(aside / name, target)  # the earlier file back
        raise


def _cell(value: Any) -> Any:
    """A stored value as the export writes it, before csv_row neutralises it: JSON as JSON
    text, instants in ISO 8601; text and numbers as they are (text that would start a
    formula gets its apostrophe there, numbers stay numbers)."""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


class CsvExport:
    """The export (`rollout export csv`): every table but the pulse's as CSV, all or
    nothing. A base of storage/readouts.py's Readouts, which gives it its engine."""

    engine: Engine

    def export_csv(self, directory: Path, files: Mapping[str, Written] | None = None) -> list[tuple[str, int]]:
        """Every table as <table>.csv with a header row; JSON as JSON text, instants in ISO 8601 UTC.
        Rows are streamed, so a large table does not have to fit in memory. The pulse's
        tables are not among them (GATED: read through storage/pulse.py's gate alone);
        `files`: more files written beside them, each a header and its rows (the pulse's
        figures, usecases/operator.py).

        All or nothing: the files are written into a scratch folder beside `directory`
        (on the same file system), and moved in only once all are complete. A new folder
        is the scratch folder renamed; into an existing one each file is moved in turn,
        the file it replaces set aside first, and on any failure the files moved in are
        taken out and the ones set aside put back. A failure (OSError) leaves `directory`
        as it was: an earlier export intact, no new file, no new folder."""
        directory = directory.absolute()
        made = _make_parents(directory.parent)
        try:
            scratch = Path(tempfile.mkdtemp(prefix=f".{directory.name}-export-", dir=directory.parent))
            try:
                written = self._write_tables(scratch)
                for name, (header, rows) in (files or {}).items():
                    with (scratch / name).open("w", newline="", encoding="utf-8") as handle:
                        writer = csv.writer(handle)
                        writer.writerow(csv_row(header))
                        writer.writerows(csv_row(_cell(value) for value in row) for row in rows)
                    written.append((name, len(rows)))
                if not directory.exists():
                    os.rename(scratch, directory)  # one step: the whole folder, or none of it
                else:
                    _move_in(scratch, directory, [name for name, _ in written])
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
        except BaseException:
            for folder in made:  # the parents this export made, innermost first
                shutil.rmtree(folder, ignore_errors=True)
            raise
        return written

    def _write_tables(self, folder: Path) -> list[tuple[str, int]]:
        written = []
        with snapshot(self.engine) as connection:  # every table as of one instant
            for table in exported():
                path = folder / f"{table.name}.csv"
                with path.open("w", newline="", encoding="utf-8") as handle:
                    writer = csv.writer(handle)
                    rows = _rows(connection, table)
                    writer.writerow(next(rows))
                    count = 0
                    for row in rows:
                        writer.writerow(row)
                        count += 1
                written.append((path.name, count))
        return written

    def table_names(self) -> set[str]:
        """The export's tables, by the names of their files without .csv."""
        return {table.name for table in exported()}

    def table_rows(
        self, name: str, playbook_ids: list[int] | None = None, teams: frozenset[str] | None = None
    ) -> Iterator[list[Any]]:
        """One of the export's tables (`name`, as its file is named without .csv), its header
        first, then each row, as the export writes them (names beside ids, formulas
        neutralised), read in one snapshot and streamed: the reporting API's
        /api/v1/export/<table>.csv. `playbook_ids`: only those playbooks' rows (a table
        with no playbook column has none then); `teams`: the decisions naming another team
        only when it is one of them (storage/governance.py's rule). KeyError for a table
        the export has not."""
        table = {t.name: t for t in exported()}[name]
        where = None
        if playbook_ids is not None:
            column = table.c.id if table.name == Playbook.__tablename__ else table.c.get("playbook_id")
            where = column.in_(playbook_ids) if column is not None else false()
            if table.name == Decision.__tablename__ and teams is not None:
                where = and_(where, seen_by(teams))
        with snapshot(self.engine) as connection:
            yield from _rows(connection, table, where)


def exported() -> list[Any]:
    """The tables the export writes: every table but the pulse's (GATED: aggregates only,
    through its gate)."""
    return [table for table in SQLModel.metadata.sorted_tables if not table.info.get(GATED)]


def _rows(connection: Connection, table: Any, where: Any = None) -> Iterator[list[Any]]:
    """A table as the export writes it: its header, then its rows (streamed), every cell
    as csv_row writes it; `where`: only the rows it holds for."""
    columns = [c for c in table.columns if c.name not in NOT_EXPORTED]
    query, header = _with_names(table, columns)
    if where is not None:
        query = query.where(where)
    yield csv_row(header)
    for row in connection.execution_options(stream_results=True, yield_per=1000).execute(query):
        yield csv_row(_cell(value) for value in row)
