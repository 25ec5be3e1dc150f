"""Monday's digest to the curators channel, once an active playbook has closed a week
(before, nothing goes to anyone). Without a channel the digest waits: the admins hear
weekly that it is ready; once it is set the latest waiting digest goes out. After the
week closes, so the digest reports them; a refused token holds none of it."""

from __future__ import annotations

from datetime import timedelta

from cadence import keys
from cadence.change import Message
from cadence.schedule import DIGEST_SLOT, Due, Slot, digest_work
from storage.cadence_log import Work
from templates import notices_close
from usecases.clock.job import ClockJob, Tick

WAITING = "digest-waiting"
NOTHING_CLOSED = "no playbook has closed a week yet: nothing to report"


def due(tick: Tick) -> bool:
    return True  # asked every tick: its cursors are read already, and decide in memory


def run(tick: Tick, _: bool) -> None:
    reads = tick.reads
    posted, waiting = reads.org_cursors.get("digest"), reads.org_cursors.get(WAITING)
    cursor = max((d for d in (posted, waiting) if d is not None), default=None)
    dues = digest_work(cursor, tick.org_timezone, tick.at)
    channel = reads.curators_channel
    if channel is None:
        tick.record([_waiting(tick, due) for due in dues])
        return
    if not dues and waiting is not None and (posted is None or waiting > posted):
        slot = Slot.parse(DIGEST_SLOT).instant(waiting, tick.org_timezone)
        dues = [Due(keys.digest(waiting), "digest", slot)]
    for due in dues:  # oldest first: a catch-up posts each missed week's digest in order
        monday = keys.parse_work(due.key).week_start
        messages = tick.digest.messages(monday, due.key, channel, due.due_at)
        status, note = ("done", None) if messages else ("skipped", NOTHING_CLOSED)
        tick.record([Work(due.key, "digest", due.due_at, status, week_start=monday, note=note, messages=messages)])


def _waiting(tick: Tick, due: Due) -> Work:
    monday = keys.parse_work(due.key).week_start
    key = keys.digest_waiting(monday)
    if not tick.admins:
        return Work(key, WAITING, due.due_at, "skipped", week_start=monday, note="no curators channel, no admins")
    if not tick.digest.reports_anything(monday):  # nothing is waiting: the admins hear nothing
        return Work(key, WAITING, due.due_at, "skipped", week_start=monday, note=NOTHING_CLOSED)
    message = notices_close.digest_waiting(week_of=(monday - timedelta(days=7)).isoformat())
    messages = [
        Message(keys.to_audience(key, admin), "chat.postMessage", admin, message) for admin in sorted(tick.admins)
    ]
    return Work(key, WAITING, due.due_at, "done", week_start=monday, messages=messages)


JOB = ClockJob("digests", due, run, after=("readiness news",))
