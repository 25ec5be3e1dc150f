"""Value the sponsor can weigh, on the fakes: what a promotion earned (its oversight per
cycle before and since, from what the week's slash commands reported and the clock
closed) and the org's words for a spend not known. The figures from reports and the
sources' fetches (an unknown spend never taken as 0, "no spend declared", cost per hour
saved charging only the weeks counted) are read on the database:
tests/usecases/test_value_figures.py; end to end: tests/bot/test_value.py and
tests/bot/test_net_value.py."""

from __future__ import annotations

from tests.fakes import OWNER
from tests.usecases.fast.ready_world import close_of, ready, wednesday
from tests.usecases.fast.slash import slash
from usecases import value as worth


def test_a_step_whose_mode_changed_says_its_oversight_per_cycle_before_and_since():
    """Net value's "what a promotion earned" (moved from tests/bot/test_net_value.py): send
    reviewed 10 of its cases a week in cycle 1, collaborative from cycle 2 with 20 reviewed;
    at 4 min a review its oversight per cycle is said before and since."""
    services, clock = ready(
        value_events=[{"name": "reply_accepted", "step": "draft", "counts": "cases"}],
        value={"event": "reply_accepted", "minutes_saved": 6, "review_minutes": 4, "exception_minutes": 15},
    )
    for week in range(1, 6):
        clock.clock.at = wednesday(week)
        if week == 5:  # cycle 2: send is collaborative, and twice as many of its cases are reviewed
            said = slash(services, "mode support-replies send collaborative the model drifts", OWNER)
            assert "collaborative" in said, said
        reviewed = 10 if week < 5 else 20
        assert "cases" in slash(services, "cases support-replies send 40", OWNER)
        assert "passed" in slash(services, f"rubric support-replies send {reviewed}/{reviewed}", OWNER)
        clock.run(close_of(week))
    clock.clock.at = wednesday(6)
    state = services.store.playbooks.state("support-replies")
    measure = worth.of_playbook(services.store, state, "EUR")
    assert measure is not None
    # 4 weeks × 10 reviews × 4 min = 160 min a cycle before; 20 × 4 = 80 min in cycle 2 so far
    assert measure.promotions == ["send collaborative since cycle 2: oversight 2.7 h → 1.3 h a cycle"]
    assert "send collaborative since cycle 2: oversight 2.7 h → 1.3 h a cycle" in worth.words(measure)


def test_the_orgs_cost_per_hour_says_the_playbooks_left_out_for_a_spend_not_known():
    """Issue 91, item 2: an unknown spend is never 0, in the org's cost per hour saved too:
    beside a figure over the playbooks whose spend is known, those left out are said."""
    from usecases.org_value import OrgValue

    org = OrgValue([], 41.2, 12.5, "USD", measured=3, playbooks=3, costed=1, cost_unknown=2)
    assert org.cost_left_out == "2 playbooks left out, their spend not known" and org.no_cost_per_hour is None
    alone = OrgValue([], 41.2, None, "USD", measured=1, playbooks=1, costed=0, cost_unknown=1)
    assert alone.no_cost_per_hour == "cost per hour saved unknown: 1 playbook's spend is not known"
    assert alone.cost_left_out is None
    known = OrgValue([], 41.2, 12.5, "USD", measured=1, playbooks=1, costed=1)
    assert known.cost_left_out is None and known.no_cost_per_hour is None
