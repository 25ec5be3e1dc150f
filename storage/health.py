"""The clock's heartbeat, the database's answer, and whether Slack still accepts the bot's
token: for /healthz, /metrics and the dispatcher, in every process."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from storage.db import Bind, engine_of, own_transaction, reading, unit_of_work
from storage.models.bookkeeping import Heartbeat
from storage.models.org import Setting

SLACK_ACCESS_LOST = "slack_access_lost"  # a setting: Slack's word for why it refuses the token
REFUSED_BY = "slack"  # the setting's `updated_by`, with the refused token's fingerprint after it


def token_fingerprint(token: str) -> str:
    """What the hold keeps of the token Slack refused: a hash (never the token), so that
    a process running with another token is not held by it."""
    return hashlib.sha256(token.encode()).hexdigest()[:24]


class Health:
    """`token`: the bot token this process runs with. A hold that Slack's refusal of
    another token left is not this process's: it reads as no hold, and the first refusal
    of this token replaces it. Without a token (tools, tests), any hold is read."""

    def __init__(self, bind: Bind, token: str | None = None):
        self.bind, self.engine = bind, engine_of(bind)
        self.refused_by = f"{REFUSED_BY} {token_fingerprint(token)}" if token else None

    def holds(self, row: Setting | None) -> bool:
        """Whether the hold in `row` (the SLACK_ACCESS_LOST setting, however it was read)
        holds this process: a refusal of its own token (a hold from before tokens were told
        apart, `slack` alone, is anyone's). Every reader asks this, so /healthz, the
        dispatcher and the tick agree about a hold that an earlier token left."""
        return row is not None and (self.refused_by is None or row.updated_by in (REFUSED_BY, self.refused_by))

    def beat(self, name: str, at: datetime) -> None:
        """Record that `name` (the clock) is alive and finished its work at `at`."""
        try:
            with own_transaction(self.bind) as s:
                if s.exec(update(Heartbeat).where(col(Heartbeat.name) == name).values(at=at)).rowcount == 0:
                    s.add(Heartbeat(name=name, at=at))
        except IntegrityError:
            pass  # another clock wrote the first beat at the same moment: alive either way

    def heartbeat(self, name: str) -> datetime | None:
        with reading(self.bind) as s:
            return s.execute(select(Heartbeat.at).where(Heartbeat.name == name)).scalar()

    def ping(self) -> bool:
        with reading(self.bind) as s:
            return s.connection().execute(text("SELECT 1")).scalar() == 1

    def slack_access_lost(self) -> tuple[str, datetime] | None:
        """Why and since when Slack refuses the bot's token (the app uninstalled, the token
        revoked or the workspace gone); None while it accepts it."""
        with reading(self.bind) as s:
            row = s.get(Setting, SLACK_ACCESS_LOST)
            return (row.value, row.updated_at) if row is not None and self.holds(row) else None

    def lose_slack_access(self, reason: str, at: datetime) -> bool:
        """Slack refused the token: True if that is news (the first to hear says so once)."""
        try:
            with own_transaction(self.bind) as s:
                row = s.get(Setting, SLACK_ACCESS_LOST, with_for_update=True)
                if self.holds(row):
                    return False
                if row is not None:  # another token's: not this one's news
                    s.delete(row)
                    s.flush()
                by = self.refused_by or REFUSED_BY
                s.add(Setting(key=SLACK_ACCESS_LOST, value=reason[:200], updated_by=by, updated_at=at))
            return True
        except IntegrityError:
            return False  # another process heard it at the same moment

    def any_hold(self) -> bool:
        """Whether a hold of any token is kept (a read: Slack accepting this process's
        token ends them all, regain_slack_access)."""
        with reading(self.bind) as s:
            return s.get(Setting, SLACK_ACCESS_LOST) is not None

    def regain_slack_access(self) -> bool:
        """Slack accepts the token again: True if it had been refused. (A hold of another
        token goes too: this is the token in use now.)"""
        with unit_of_work(self.bind) as s:  # own commit: the first to hear says so, once
            row = s.get(Setting, SLACK_ACCESS_LOST, with_for_update=True)
            if row is None:
                return False
            s.delete(row)
            return True
