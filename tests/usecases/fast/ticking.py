"""The clock on the fakes: usecases/tick.py's Cadence over a FakeStore and a FakeDirectory,
ticked as the clock process ticks it (tests/conftest.py's Engine, without delivery: what it
sends is what it puts in the outbox, `held.outbox`, and what it skips is a cadence job with
why, `held.jobs`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from storage.models.bookkeeping import CadenceJob
from tests import fakes
from tests.fakes import FixedClock
from usecases.shared.services import Services
from usecases.tick import Cadence
from usecases.tick_reads import TickReport


class Ticking:
    def __init__(self, services: Services):
        self.store = fakes.store_of(services)
        self.clock = cast(FixedClock, services.clock)
        self.cadence = Cadence(
            cast(Any, self.store),
            cast(Any, None),  # the directory is a fake: no Slack client is asked
            cast(Any, services.directory),
            services.org_timezone,
            self.clock,
            charts=False,
            admins=services.admins,  # told when the digest has no curators channel
        )

    def run(self, at: datetime) -> TickReport:
        """A tick, then the sources' pass at the same instant (the clock runs it beside the
        tick: bot/processes.py)."""
        self.clock.at = at
        report = self.cadence.tick(at)
        self.cadence.sources.run_due(at)
        return report

    def run_through(self, start: datetime, end: datetime, step: timedelta = timedelta(hours=1)) -> None:
        at = start
        while at <= end:
            self.run(at)
            at += step

    def sent_at(self, key_start: str) -> dict[str | None, datetime]:
        """When each message whose key starts with `key_start` was put in the outbox, by channel."""
        held = self.store.held
        return {m.channel: held.delivery[m.key][1] for m in held.outbox if m.key.startswith(key_start)}

    def texts(self, channel: str) -> list[str]:
        """The texts of what the clock sent to `channel` (a person's DM: their id), in order."""
        return [m.payload.get("text", "") for m in self.store.held.outbox if m.channel == channel]

    def skipped(self, user_id: str | None = None) -> list[CadenceJob]:
        return [j for j in self.store.held.jobs if j.status == "skipped" and (user_id is None or j.user_id == user_id)]
