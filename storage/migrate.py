"""Schema migrations, run from the CLI (`rollout db upgrade`) and the release process.

Every process that opens the store checks its schema first (bot/startup.py's open_store:
`is_current`), which the suite's process tests pay hundreds of times. Alembic is imported
only to migrate or to read the scripts (0.55 s of CPU to import, and its ScriptDirectory
0.24 s more to load every script); the check reads the version table's row and the newest
script's revision from its file's name, which tests/storage/test_migrations.py holds to
alembic's head and to each script's `revision`."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
SCRIPT = re.compile(r"^(\d{4})_\w+\.py$")  # versions/NNNN_what.py: revision "NNNN"


def _config(engine: Engine, connection=None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(_config(engine, connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Back to `revision` (for tests of a migration's way back; operators restore backups)."""
    from alembic import command

    with engine.begin() as connection:
        command.downgrade(_config(engine, connection), revision)


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert head is not None, "the migrations have a head"
    return head


@cache
def newest_revision() -> str:
    """The newest script's revision, from the scripts' names (alembic's head: the test)."""
    return max(m.group(1) for p in (MIGRATIONS / "versions").iterdir() if (m := SCRIPT.match(p.name)))


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; None for an empty database."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def is_current(engine: Engine) -> bool:
    return current_revision(engine) == newest_revision()
