"""The order of the clock's jobs (usecases/clock/registry.py), by what one tick does: the
week closes come before the bar changes they make due, and the digest after the closes it
reports. Each assertion below fails if the registry's order is changed against it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from tests import fakes
from tests.fakes import CURATOR, OWNER
from tests.usecases.fast.test_bar_requests import CURATORS, bar_world, buttons, cards, loosen, playbook, requests_of
from tests.usecases.fast.ticking import Ticking
from usecases import bar_approval

CYCLE_1_ENDS = datetime(2026, 12, 14, 13, tzinfo=UTC)  # week 4's close, and Monday's digest slot


def test_one_tick_closes_the_weeks_then_applies_the_bar_change_they_made_due_then_posts_the_digest():
    services = bar_world()
    loosen(services)  # exception cap 10% -> 15%, from cycle 2's first week
    [card] = cards(services)
    bar_approval.approve(fakes.caller(services, CURATOR, CURATORS), buttons(card)["bar_approve"])
    clock = Ticking(services)
    assert playbook(services).closed_through is None
    clock.run(CYCLE_1_ENDS)  # one tick: cycle 1's four weeks close in it, in rounds
    assert playbook(services).closed_through == date(2026, 12, 7)
    # applied in the same tick: its first week is open only once the close before it ran
    assert requests_of(services) == [("applied", OWNER, CURATOR)]
    assert playbook(services).exception_cap == 0.15
    # the digest of the same tick reports the week closed in it (before a close: nothing to report)
    assert clock.texts(CURATORS)[-2:] == ["Rollout digest: week of 2026-12-07", "Support: 1 playbook"]
