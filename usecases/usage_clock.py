"""The usage pass beside the clock (docs/usage-records.md): each hour, every usage source
with days to pull is pulled, its records counted per team and dropped (usecases/usage.py);
a source whose pulls start failing is told to the curators once. Like the numbers'
sources' pass (usecases/sources.py), it runs in a job of its own, never inside the tick:
a vendor's API may take its time (a rate limit's Retry-After), and the tick must not wait.

A source is due once its last day pulled whole is before yesterday, so a source that
works is pulled once a day and one that fails is asked again each hour."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from slack_sdk import WebClient

from cadence import keys
from cadence.change import Message
from slack_api.members import DirectoryUnavailable, TeamDirectory
from storage.cadence_log import Work
from storage.store import CURATORS_CHANNEL, Store
from templates import notices
from usecases import usage
from usecases.shared import work as work_log

log = logging.getLogger(__name__)

KIND = "usage-failed"


class UsageClock:
    def __init__(
        self,
        store: Store,
        client: WebClient,
        directory: TeamDirectory,
        clock: Callable[[], datetime],
        environ: Mapping[str, str],
    ):
        self.store, self.client, self.directory, self.clock, self.environ = store, client, directory, clock, environ

    def due(self, at: datetime) -> bool:
        """Whether a source has days to pull at `at`: two reads, and no call to Slack."""
        specs = usage.sources_of(self.store)
        if not specs:
            return False
        pulls, today = self.store.usage.pulls(), at.astimezone(UTC).date()
        return any(usage.days_to_pull(pulls[n].last_day if n in pulls else None, today) for n in specs)

    def run_due(self, at: datetime) -> list[usage.Passed]:
        """The pass at `at`: the sources due pulled and kept, their new failures told."""
        if not self.due(at):
            return []
        try:
            teams = usage.teams_of(self.store, self.directory, self.client)
        except DirectoryUnavailable as err:  # no team to count: the next pass asks again
            log.warning("usage: Slack did not list the teams (%s); the next pass asks again", err)
            return []
        passed = usage.run(self.store, self.environ, teams, at)
        self._tell([p for p in passed if p.tell], at)
        return passed

    def _tell(self, failing: list[usage.Passed], at: datetime) -> None:
        """Each new failure to the curators' channel, once: the notice's record and the
        source's `told` go in one unit of work. With no curators channel nothing is told
        and nothing marked, so the next failing pass tries again."""
        channel = self.store.org.setting(CURATORS_CHANNEL) if failing else None
        if channel is None:
            return
        pulls = self.store.usage.pulls()
        work = []
        for passed in failing:
            pull = pulls[passed.source]
            since = pull.failing_since or at
            key = keys.usage_failed(passed.source, since.isoformat())
            message = notices.usage_failed(
                tool=passed.source,
                error=passed.error or "failed",
                since=since.strftime("%Y-%m-%d %H:%M UTC"),
                last_day=pull.last_day.isoformat() if pull.last_day else None,
            )
            work.append(
                Work(
                    key,
                    KIND,
                    at,
                    "done",
                    messages=[Message(keys.only_message(key), "chat.postMessage", channel, message)],
                )
            )
        with self.store.unit_of_work() as uow:
            work_log.claim(uow, work, self.clock())
            for passed in failing:
                uow.usage.told(passed.source)
            uow.commit()
