"""Stalls on the fakes (usecases/clock/jobs/closes.py through tests/usecases/fast/ticking.py): an
interrupted cycle is passed over, not counted as a miss. Two missed cycles stalling a
playbook once through Slack, told to a webhook, its three buttons and forms, and a stall of
two cycles as one sentence in status, the digest, the web overview and the playbook's page
are tests/usecases/test_stalls.py's, end to end."""

from __future__ import annotations

import json
from datetime import date

from handlers import present_status
from tests import fakes
from tests.fakes import MEMBER, OWNER
from tests.usecases.fast.test_close_modes import CURATORS, close_of, report_week, world
from usecases import commands, status
from usecases.shared import messages

SLUG = "support-replies"
STALLED = "support-replies is stalled"


def test_an_interrupted_cycle_is_passed_over_not_counted_as_a_miss():
    """Cycle 1 misses; cycle 2 is paused in its second week (interrupted: no stall, and no
    miss); the resume's cycle 3 misses: stalled by cycles 1 and 3, once."""
    services, clock = world()
    for week in range(1, 11):
        report_week(services, clock, week, kpi=30.0)
        if week == 6:
            owner = fakes.caller(services, OWNER)
            commands.pause(owner, messages.Pause(SLUG, "the team moves desks"))
            started = commands.resume(owner, messages.Resume(SLUG, date(2026, 12, 28)))
            assert started.starts_on == date(2026, 12, 28)
        clock.run(close_of(week))
        if week < 10:
            assert STALLED not in clock.texts(CURATORS), week
    [message] = [m for m in clock.store.held.sent(CURATORS) if m.payload["text"] == STALLED]
    assert "cycles 1 and 3 both missed the target" in json.dumps(message.payload["blocks"], ensure_ascii=False)
    assert clock.texts(OWNER).count(STALLED) == 1
    [record] = [d for d in clock.store.held.decisions if d["kind"] == "stalled"]
    assert record["figures"]["cycles"] == [1, 3]
    shown = present_status.status(status.status(fakes.caller(services, MEMBER), messages.Status(SLUG)))
    said = "Stalled* since the end of cycle 3 (2027-01-24): cycles 1 and 3 missed the target"
    assert said in json.dumps(shown, ensure_ascii=False)
