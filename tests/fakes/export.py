"""storage/readouts.py's export_csv over what the fakes hold: every table as <table>.csv
with the real one's header (a person's or a channel's kept name beside its id), the rows
the fake holds as model objects in primary-key order; all or nothing (written into a
scratch folder beside `directory`, then moved in)."""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlmodel import SQLModel

from cadence.text import csv_row
from storage.csv_export import CHANNEL_COLUMNS, NOT_EXPORTED, PERSON_COLUMNS, _cell
from storage.models.governance import Decision
from storage.models.org import ChannelName, Person
from storage.models.pulse import GATED

if TYPE_CHECKING:
    from tests.fakes.store import Held


def export_csv(held: Held, directory: Path, files: Any = None) -> list[tuple[str, int]]:
    rows = _rows(held)
    people = {user: display or real for user, (display, real, _) in held.names.items()}
    channels = {channel: name for channel, (name, _) in held.channel_names.items()}
    directory = directory.absolute()
    directory.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{directory.name}-export-", dir=directory.parent))
    try:
        written = []
        for table in SQLModel.metadata.sorted_tables:
            if table.info.get(GATED):  # the pulse's: through its gate alone
                continue
            columns = [c.name for c in table.columns if c.name not in NOT_EXPORTED]
            named = table.name not in (Person.__tablename__, ChannelName.__tablename__)
            keys = [c.name for c in table.primary_key.columns]
            found = sorted(rows.get(table.name, []), key=lambda r: [getattr(r, k) for k in keys])
            header = [h for c in columns for h in (c, *_name_column(c, named))]
            with (scratch / f"{table.name}.csv").open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(csv_row(header))
                for row in found:
                    cells: list[Any] = []
                    for c in columns:
                        value = getattr(row, c)
                        cells.append(value)
                        if _name_column(c, named):
                            cells.append((people if c in PERSON_COLUMNS else channels).get(value))
                    writer.writerow(csv_row(_cell(v) for v in cells))
            written.append((f"{table.name}.csv", len(found)))
        for name, (header, lines) in (files or {}).items():
            with (scratch / name).open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(csv_row(header))
                writer.writerows(csv_row(_cell(v) for v in line) for line in lines)
            written.append((name, len(lines)))
        if not directory.exists():
            os.rename(scratch, directory)
        else:
            for name, _ in written:
                os.replace(scratch / name, directory / name)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return written


def _name_column(column: str, named: bool) -> list[str]:
    return [f"{column}_name"] if named and (column in PERSON_COLUMNS or column in CHANNEL_COLUMNS) else []


def _rows(held: Held) -> dict[str, list[Any]]:
    """The model objects held, by table."""
    found: dict[str, list[Any]] = {}
    objects: list[Any] = [Decision(**d) for d in held.decisions] + [r.model() for r in held.reports.rows]
    for state in held.states.values():
        objects += [state.playbook, *state.steps, state.anchor, state.previous]
    for value in vars(held).values():
        objects += list(value.values() if isinstance(value, dict) else value if isinstance(value, Iterable) else [])
    for user, (display, real, at) in held.names.items():
        away = held.away.get(user, (None, None))
        objects.append(
            Person(
                user_id=user,
                display_name=display,
                real_name=real,
                named_at=at,
                updated_at=at,
                away_from=away[0],
                away_until=away[1],
            )
        )
    objects += [ChannelName(channel_id=c, name=n, named_at=at) for c, (n, at) in held.channel_names.items()]
    for row in objects:
        table = getattr(type(row), "__table__", None)
        if isinstance(row, SQLModel) and table is not None:
            found.setdefault(table.name, []).append(row)
    return found
