"""Escalation with a clock, the pure part (docs/playbooks.md, "Escalation with a clock"): the
handoff terms as the YAML writes them, when an item's SLA has run out, and when an
escalation is current; the mode an ai-led step falls back to while escalated items wait."""

import copy
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from cadence.definition_handoff import HandoffSpec
from cadence.definition_load import DefinitionError, parse_playbook
from cadence.escalation import (
    CLOCK,
    Escalated,
    Escalation,
    age_words,
    breached,
    deadline,
    fallback_mode,
    mode_words,
    still_open_words,
    unresolved,
)
from cadence.exception_queue import ACKNOWLEDGED, RESOLVED, Item
from tests.conftest import SUPPORT_REPLIES

LOGGED = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


def item(**changes) -> Item:
    given = dict(
        source="exception", report_id=7, playbook_id=1, step_id=2, reason="r", logged_by="U0000001", logged_at=LOGGED
    )
    return Item(**{**given, **changes})


def with_handoff(handoff):
    raw = copy.deepcopy(SUPPORT_REPLIES)
    raw["handoff"] = handoff
    return parse_playbook(raw)


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("<@UBOSS00001>", "UBOSS00001"),
        ("<@UBOSS00001|boss>", "UBOSS00001"),
        ("<#CLEADS0001|support-leads>", "CLEADS0001"),
        ("<#CLEADS0001>", "CLEADS0001"),
        ("CLEADS0001", "CLEADS0001"),
        ("WBOSS00001", "WBOSS00001"),
        (None, None),
    ],
)
def test_escalate_to_is_kept_as_the_id_however_it_is_written(written, kept):
    handoff = {"sla_hours": 24} if written is None else {"sla_hours": 24, "escalate_to": written}
    spec = with_handoff(handoff)
    assert spec.handoff is not None and spec.handoff.escalate_to == kept and spec.handoff.sla_hours == 24
    expected = {"sla_hours": 24} if kept is None else {"sla_hours": 24, "escalate_to": kept}
    assert spec.canonical()["handoff"] == expected


@pytest.mark.parametrize(
    ("handoff", "says"),
    [
        ({"sla_hours": 0}, "handoff.sla_hours: must be more than 0"),
        ({"sla_hours": 24 * 91}, "handoff.sla_hours"),
        ({"escalate_to": "CLEADS0001"}, "handoff.sla_hours: required"),
        ({"sla_hours": 24, "escalate_to": "bob"}, "handoff.escalate_to: must name a person or a channel"),
        ({"sla_hours": 24, "escalate_to": "<@CLEADS0001>"}, "is written as a person but CLEADS0001 is not"),
        ({"sla_hours": 24, "escalate_to": "<#UBOSS00001>"}, "is written as a channel but UBOSS00001 is not"),
        ({"sla_hours": 24, "escalate": "CLEADS0001"}, "handoff.escalate: not a key here"),
        ({"sla_hours": 24, "escalate_to": "CLEADS\u200b0001"}, "handoff.escalate_to"),
        ({"sla_hours": 24, "resolve_hours": 0}, "handoff.resolve_hours: must be more than 0"),
        ({"sla_hours": 24, "fallback": "ai-led"}, "handoff.fallback"),
    ],
)
def test_bad_handoff_terms_are_refused_naming_the_field(handoff, says):
    with pytest.raises(DefinitionError, match="handoff") as refused:
        with_handoff(handoff)
    assert says in str(refused.value)


def test_a_playbook_without_handoff_keeps_its_definition():
    assert "handoff" not in parse_playbook(copy.deepcopy(SUPPORT_REPLIES)).canonical()


def test_the_sla_runs_out_at_the_deadline_itself():
    assert deadline(item(), 24) == LOGGED + timedelta(hours=24)
    assert not breached(item(), 24, LOGGED + timedelta(hours=24) - timedelta(seconds=1))
    assert breached(item(), 24, LOGGED + timedelta(hours=24))
    assert breached(item(), 1.5, LOGGED + timedelta(minutes=90))
    late = LOGGED + timedelta(days=3)
    assert not breached(item(state="acknowledged", moves=1), 24, late)  # answered
    assert not breached(item(state="resolved", moves=1), 24, late)  # closed
    assert not breached(item(withdrawn=True), 24, late)  # undone


def test_an_escalation_is_current_until_its_item_moves_or_it_is_acknowledged():
    escalation = Escalation("exception", 7, 1, 0, LOGGED + timedelta(hours=24), "unanswered for 24 h", CLOCK)
    assert escalation.current(item())
    assert not escalation.current(item(state="acknowledged", moves=1))
    assert not escalation.current(item(state="resolved", moves=2))
    assert not escalation.current(item(withdrawn=True))
    by_hand = Escalation("exception", 7, 1, 1, LOGGED, "stuck", "U0000002")
    assert by_hand.current(item(state="acknowledged", moves=1))
    assert not by_hand.current(item(state="resolved", moves=2))
    cleared = Escalation("exception", 7, 1, 1, LOGGED, "stuck", "U0000002", LOGGED, "U0000003")
    assert not cleared.current(item(state="acknowledged", moves=1))


def test_an_age_reads_in_days_and_hours_or_hours_and_minutes():
    assert age_words(item(), LOGGED + timedelta(hours=24, seconds=1)) == "1 d 0 h"
    assert age_words(item(), LOGGED + timedelta(hours=5, minutes=7)) == "5 h 7 min"
    assert age_words(item(), LOGGED - timedelta(hours=1)) == "0 h 0 min"


def test_an_acknowledged_item_still_open_resolve_hours_later_is_escalated_again():
    acked = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    item = Item("exception", 1, 7, 3, "refund", "U1", acked - timedelta(hours=5), ACKNOWLEDGED, 1)
    assert not unresolved(item, acked, 72, acked + timedelta(hours=72, seconds=-1))
    assert unresolved(item, acked, 72, acked + timedelta(hours=72))
    assert not unresolved(replace(item, state=RESOLVED, moves=2), acked, 72, acked + timedelta(days=9))
    assert not unresolved(replace(item, withdrawn=True), acked, 72, acked + timedelta(days=9))
    assert still_open_words(acked, acked + timedelta(hours=72)) == "acknowledged 3 days ago, still open"
    assert still_open_words(acked, acked + timedelta(hours=5)) == "acknowledged 5 hours ago, still open"
    terms = HandoffSpec(sla_hours=24)
    assert (terms.resolve_after, terms.fallback_mode) == (72, "collaborative")
    terms = HandoffSpec(sla_hours=24, resolve_hours=48, fallback="human-led")
    assert (terms.resolve_after, terms.fallback_mode) == (48, "human-led")


def test_an_ai_led_step_falls_back_while_an_escalated_item_waits_past_its_sla():
    terms = HandoffSpec(sla_hours=24)
    unanswered = Escalated(2, LOGGED)
    due = LOGGED + timedelta(hours=24)
    assert fallback_mode("ai-led", terms, [unanswered], due - timedelta(seconds=1)) is None  # escalated by hand early
    assert fallback_mode("ai-led", terms, [unanswered], due) == "collaborative"
    assert fallback_mode("ai-led", HandoffSpec(sla_hours=24, fallback="human-led"), [unanswered], due) == "human-led"
    assert fallback_mode("ai-led", terms, [], due) is None  # the items closed: its own mode again
    assert fallback_mode("ai-led", None, [unanswered], due) is None  # no handoff terms, no fallback
    for mode in ("collaborative", "human-led"):  # already so: no fallback to enter
        assert fallback_mode(mode, terms, [unanswered], due) is None


def test_an_acknowledged_item_waits_only_past_resolve_hours_after_its_acknowledgement():
    terms = HandoffSpec(sla_hours=24, resolve_hours=48)
    acked = LOGGED + timedelta(hours=2)
    answered = Escalated(2, LOGGED, acknowledged_at=acked)
    assert fallback_mode("ai-led", terms, [answered], LOGGED + timedelta(hours=30)) is None
    assert fallback_mode("ai-led", terms, [answered], acked + timedelta(hours=48, seconds=-1)) is None
    assert fallback_mode("ai-led", terms, [answered], acked + timedelta(hours=48)) == "collaborative"


def test_a_step_falling_back_shows_both_modes():
    assert mode_words("ai-led", "collaborative") == "collaborative (falling back from ai-led)"
    assert mode_words("ai-led", None) == "ai-led"
