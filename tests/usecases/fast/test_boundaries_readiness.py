"""Strict boundaries beside readiness (issue 97, item 2), on the fakes: a playbook whose
draft declares boundaries and counts its cases out of scope each week is ready to scale
after two cycles, and the proposal shows draft's out-of-scope share over those cycles
beside the criteria, as information, not a criterion; the "not yet ready" news does too."""

from __future__ import annotations

from tests import fakes
from tests.conftest import SUPPORT_REPLIES
from tests.fakes import OWNER
from tests.usecases.fast.ready_world import CURATORS, SLUG, ready, run_weeks, said, wednesday
from usecases import commands
from usecases.shared import messages

READY = "support-replies is ready to scale"
BOUNDED = [
    {**s, "boundaries": ["refund over 500 EUR", "legal threat"]} if s["name"] == "draft" else s
    for s in SUPPORT_REPLIES["steps"]
]


def test_ready_to_scale_shows_the_out_of_scope_share_over_its_cycles():
    services, clock = ready(steps=BOUNDED)
    for week in range(1, 9):  # each week, draft's 20 cases with 5 out of scope, then the week as ever
        clock.clock.at = wednesday(week)
        commands.cases(fakes.caller(services, OWNER), messages.Cases(SLUG, "draft", 20, out=5))
        run_weeks(services, clock, range(week, week + 1))
    [proposal] = said(clock, CURATORS, READY)
    assert "*Out of scope* over these cycles, beside the criteria as information, not a criterion" in proposal
    assert "draft: 20% of cases out of scope, 40 of 200" in proposal, proposal


def test_not_ready_shows_it_too_and_a_playbook_without_boundaries_shows_nothing():
    services, clock = ready(steps=BOUNDED)
    run_weeks(services, clock, range(1, 9), draft=lambda week: (20, 0, 0.95 if week in (1, 2, 3, 5, 6) else 0.88))
    [told] = said(clock, CURATORS, "not yet ready")
    assert "draft: none counted" in told
    services, clock = ready()
    run_weeks(services, clock, range(1, 9))
    [proposal] = said(clock, CURATORS, READY)
    assert "Out of scope" not in proposal
