"""Escalations and fallbacks judged by their effect (cadence/bar_fallback.py, issue 93,
item 2): a step falling back now whose fallback the asked handoff would end, or ease,
waits for a curator with what the replay found; without one, the handoff's own judge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cadence import bar_sort
from cadence.bar_fallback import Escalations
from cadence.bar_history import History
from cadence.definition_load import parse_playbook
from cadence.escalation import Escalated
from tests.conftest import SUPPORT_REPLIES

NOW = datetime(2026, 11, 25, 10, tzinfo=UTC)
HANDOFF = {"sla_hours": 24, "escalate_to": "C0123456789", "fallback": "human-led"}


def canonical(**changes):
    return parse_playbook({**SUPPORT_REPLIES, **changes}).canonical()


def waiting_for(hours):
    """send (ai-led) with two items logged `hours` ago, escalated and unanswered."""
    items = tuple(Escalated(2, NOW - timedelta(hours=hours)) for _ in range(2))
    return History(escalations=Escalations(NOW, (("send", "ai-led", items),)))


def test_raised_sla_hours_that_end_a_fallback_in_force_are_a_request_naming_it():
    sorting = bar_sort.sort(
        canonical(handoff=HANDOFF), canonical(handoff={**HANDOFF, "sla_hours": 48}), waiting_for(30)
    )
    assert sorting.found == [
        "under the asked bar, send's fallback to human-led would end now: its 2 escalated items would no longer hold it"
    ]


def test_removing_the_handoff_ends_the_fallback_and_easing_it_is_found_too():
    assert "would end now" in bar_sort.sort(canonical(handoff=HANDOFF), canonical(), waiting_for(30)).found[0]
    eased = canonical(handoff={**HANDOFF, "fallback": "collaborative"})
    assert bar_sort.sort(canonical(handoff=HANDOFF), eased, waiting_for(30)).found == [
        "under the asked bar, send would fall back to collaborative now, not human-led"
    ]


def test_with_no_fallback_in_force_the_handoffs_own_judge_stands():
    raised = canonical(handoff={**HANDOFF, "sla_hours": 48})
    sorting = bar_sort.sort(canonical(handoff=HANDOFF), raised, waiting_for(1))
    assert sorting.kind == bar_sort.REQUEST and sorting.found == []
    lowered = canonical(handoff={**HANDOFF, "sla_hours": 12})
    assert bar_sort.sort(canonical(handoff=HANDOFF), lowered, waiting_for(30)).kind == bar_sort.TIGHTENING
