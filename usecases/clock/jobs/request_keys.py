"""Hourly: forget the request keys of a day ago, requests Slack would refuse anyway. Not on
a dry run."""

from __future__ import annotations

from datetime import timedelta

from usecases.clock.job import ClockJob, Tick


def due(tick: Tick) -> bool | None:
    return True if tick.at.minute == 0 and not tick.dry_run else None


def run(tick: Tick, _: bool) -> None:
    with tick.store.unit_of_work() as uow:
        uow.request_keys.forget(tick.clock() - timedelta(days=1))
        uow.commit()


JOB = ClockJob("request keys forgotten", due, run, after=("names",))
