"""The names pages show, asked of Slack (usecases/names.py): every report's author on the
hour, unless this tick closed weeks (that read grows with the years, and a close does not
wait on it: the next hour's tick makes it). Not on a dry run, nor while Slack refuses the
token (as this tick found it so far)."""

from __future__ import annotations

from usecases import names
from usecases.clock.job import ClockJob, Tick


def due(tick: Tick) -> bool | None:
    if tick.dry_run or tick.report.held:
        return None
    return tick.at.minute == 0 and not any(work.closes for _, _, work in tick.plans)


def run(tick: Tick, everyone: bool) -> None:
    named = names.name_people_and_channels(
        tick.store, tick.client, tick.directory, tick.at, tick.clock(), everyone=everyone
    )
    if named.people or named.channels:
        tick.report.counts[("name", "kept")] += named.people + named.channels


JOB = ClockJob("names", due, run, after=("digests",))  # Slack's names last: a close does not wait on them
