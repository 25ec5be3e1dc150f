"""Helpers for the command-line tests of playbook files: a YAML file written from
documents, and how many rows a table holds after a command ran."""

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select


def write_yaml(tmp_path: Path, name: str, *documents: Any) -> str:
    """The documents written, one after another, to a file `name` in `tmp_path`; its path."""
    path = tmp_path / name
    path.write_text(yaml.safe_dump_all(documents, sort_keys=False))
    return str(path)


def count_rows(engine: Engine, table: Any) -> int:
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(table)).one()
