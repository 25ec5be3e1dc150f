"""The org's words for a spend not known (usecases/org_value.py), no store read. The value's
figures from reports and the sources' fetches are read on the database:
tests/usecases/test_value_figures.py; what a promotion earned and the value end to end:
tests/bot/test_net_value.py and tests/bot/test_value.py."""

from __future__ import annotations


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
