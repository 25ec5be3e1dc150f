"""The clock's jobs, in the order a tick runs them (usecases/tick.py): each capability's
(cadence/capabilities.py `jobs`), each job after those it names in its `after` and before
those in its `before`.

The order is the product's: nudges first (their unit of work is the tick's first write);
the week closes before the bar changes they make due and before the members' DMs of the
week now open; the owners' and the curators' work next; the digest after the closes it
reports; Slack's names last (a close does not wait on them); then, hourly, the requests'
keys forgotten. tests/test_capabilities.py pins it."""

from __future__ import annotations

from typing import Any

from cadence.capabilities import load, ordered
from usecases.clock.job import ClockJob

JOBS: list[ClockJob[Any]] = ordered(
    load("jobs", "JOB", ClockJob), lambda job: job.name, lambda job: job.after, lambda job: job.before
)
