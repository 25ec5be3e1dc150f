"""The pulse on the fakes (usecases/pulse.py): who may answer it and when, one answer a
person a cycle, and "7 of 9 answered" before the close to the owner and curators only."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from cadence.pulse import Answer
from templates.refusals import Refusal
from tests import fakes
from tests.fakes import CURATOR, MEMBER, OUTSIDER, OWNER
from tests.fakes.playbooks import clone
from usecases import pulse
from usecases.sections import pulse as pulse_section

WEEK_4 = date(2026, 3, 23)  # of the cycle begun on Monday 2 March (Europe/Berlin)
THURSDAY = datetime(2026, 3, 26, 14, 0, tzinfo=UTC)
WEDNESDAY = datetime(2026, 3, 25, 14, 0, tzinfo=UTC)
IN_GRACE = datetime(2026, 3, 30, 9, 0, tzinfo=UTC)  # Monday, before the close (12 h grace, Berlin)
CLOSED = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)
TARGET = (0, WEEK_4)  # the playbook's id is filled in


def _world(now=THURSDAY, members=(MEMBER, OWNER, "UMEMBER002"), **playbook):
    state = fakes.a_playbook(**playbook)
    services = fakes.services(state, now=now, members=members)
    return state, services, fakes.store_of(services)


def _refused(key, call, *args):
    with pytest.raises(Refusal) as raised:
        call(*args)
    assert raised.value.key == key
    return raised.value


def test_a_member_and_the_owner_open_the_form_from_week_4s_thursday_to_the_close():
    for now in (THURSDAY, IN_GRACE):
        _, services, _ = _world(now)
        for who in (MEMBER, OWNER):
            form = pulse.open_form(fakes.caller(services, who), "support-replies")
            assert (form.week.cycle, form.week.week, form.week.week_start) == (1, 4, WEEK_4)


def test_outside_the_window_the_form_is_refused_saying_when():
    _, services, _ = _world(WEDNESDAY)
    refusal = _refused("pulse_not_open", pulse.open_form, fakes.caller(services), "support-replies")
    assert refusal.values["day"] == "2026-03-26"
    _, services, _ = _world(CLOSED)
    _refused("pulse_closed", pulse.open_form, fakes.caller(services), "support-replies")


def test_an_outsider_a_pulse_turned_off_and_a_retired_playbook_are_refused():
    _, services, _ = _world()
    _refused("pulse_members_only", pulse.open_form, fakes.caller(services, OUTSIDER), "support-replies")
    _, services, _ = _world(pulse="off")
    _refused("pulse_off", pulse.open_form, fakes.caller(services), "support-replies")
    _, services, _ = _world(status="retired")
    _refused("retired", pulse.open_form, fakes.caller(services), "support-replies")


def test_an_answer_is_kept_once_a_person_and_without_the_person():
    state, services, store = _world()
    target = (state.playbook.id, WEEK_4)
    pulse.submit(fakes.caller(services, MEMBER), target, Answer(trust=2))
    pulse.submit(fakes.caller(services, MEMBER), target, Answer(trust=4, around="often"))
    pulse.submit(fakes.caller(services, OWNER), target, Answer(safety=5))
    answers = store.held.pulse_answers
    assert sorted(a.trust or 0 for a in answers.values()) == [0, 4]
    assert not any(MEMBER in key or OWNER in key for key in answers)
    assert store.held.pulse_keys.keys() == {(state.playbook.id, 1)}


def test_refused_answers_store_nothing():
    state, services, store = _world()
    target = (state.playbook.id, WEEK_4)
    _refused("pulse_empty", pulse.submit, fakes.caller(services), target, Answer())
    _refused("pulse_members_only", pulse.submit, fakes.caller(services, OUTSIDER), target, Answer(trust=3))
    _refused(
        "pulse_not_open", pulse.submit, fakes.caller(services), (state.playbook.id, date(2026, 3, 30)), Answer(trust=3)
    )
    assert store.held.pulse_answers == {}
    # the clock closed the week meanwhile (its grace not yet over by the caller's clock)
    store.held.put(replace(state, playbook=clone(state.playbook, closed_through=WEEK_4)))
    _refused("pulse_closed", pulse.submit, fakes.caller(services), target, Answer(trust=3))
    assert store.held.pulse_answers == {}


def test_before_the_close_only_how_many_answered_and_only_to_the_owner_and_curators():
    state, services, _ = _world()
    target = (state.playbook.id, WEEK_4)
    for who in (MEMBER, OWNER):
        pulse.submit(fakes.caller(services, who), target, Answer(trust=3))
    assert pulse_section.answered(fakes.caller(services, OWNER), state) == (2, 3)
    assert pulse_section.answered(fakes.caller(services, CURATOR), state) == (2, 3)
    assert pulse_section.answered(fakes.caller(services, MEMBER), state) is None


# ---- at the close (usecases/shared/close/pulse_hold.py and pulse.py, through weeks.close_round) ----


def _closing(answers_by_cycle, week=4, cycle=1, **playbook):
    """A playbook closing week `week` of `cycle`, with these sealed answers per cycle."""
    from cadence.calendar import WeekRef
    from cadence.schedule import Due

    start = date(2026, 3, 2)
    monday = date.fromordinal(start.toordinal() + 28 * (cycle - 1) + 7 * (week - 1))
    state = fakes.a_playbook(closed_through=monday, **playbook)
    store = fakes.FakeStore(state)
    pid = state.playbook.id
    store.held.pulse_answers = {
        (pid, c, f"label{c}-{i}"): answer for c, answers in answers_by_cycle.items() for i, answer in enumerate(answers)
    }
    due = Due(f"close:{pid}:{monday}", "close", CLOSED, pid, WeekRef(cycle, week, monday))
    return state, store, (state, due)


def _pulse_held(store, closing):
    """The close's pulse rule's outcome, which the steps' reads (usecases/shared/close/pulse_hold.py)."""
    from usecases.shared.close import pulse_hold
    from usecases.shared.close.week import Round, WeekClose

    week = WeekClose(*closing)
    week.judge(pulse_hold.RULE, Round(store, store, [week]).read(pulse_hold.RULE.read))
    return week.outcome(pulse_hold.RULE)


def test_the_week_4_close_shows_the_pulse_from_five_answers_and_keeps_aggregates_only():
    from usecases.shared import weeks

    answers = [Answer(trust=4, around="never", safety=5, freed="new")] * 4 + [Answer(trust=3, around="sometimes")]
    _, store, closing = _closing({1: answers})
    (closed,) = weeks.close_round(store, [closing])
    (kept,) = [d for d in closed.change.decisions if d.kind == "pulse"]
    assert kept.figures["shown"] and kept.figures["answers"] == 5 and kept.figures["trust"]["mean"] == 3.8
    assert kept.figures["worked_around"]["share"] == 0.2
    # safety and freed time were answered by four: each figure needs five answers to its own question
    assert kept.figures["safety"] is None and kept.figures["freed"] == {}
    assert kept.figures["hidden"] == {"safety": 4, "freed": 4}
    said = str(closed.summary)
    assert "*Pulse* of cycle 1 (anonymous): 5 answered · trust 3.8 of 5 (95% CI" in said
    assert "safety: too few answers to show (4; 5 needed)" in said
    assert "freed time: too few answers to show (4; 5 needed)" in said
    assert not [d for d in closed.change.decisions if d.kind == "pulse-hold"]


def test_fewer_answers_show_only_too_few():
    from usecases.shared import weeks

    _, store, closing = _closing({1: [Answer(trust=1)] * 4})
    (closed,) = weeks.close_round(store, [closing])
    assert "too few answers to show (4; 5 needed)" in str(closed.summary)
    assert "trust 1" not in str(closed.summary)
    _, store, closing = _closing({1: [Answer(trust=1)] * 5}, pulse_min_answers=6)
    (closed,) = weeks.close_round(store, [closing])
    assert "too few answers to show (5; 6 needed)" in str(closed.summary)


def test_a_high_work_around_share_holds_promotions_and_tells_the_owner_once():
    from usecases.shared import weeks

    answers = [Answer(trust=4, around="often")] * 2 + [Answer(trust=4, around="never")] * 4  # 33%
    state, store, closing = _closing({1: answers})
    (closed,) = weeks.close_round(store, [closing])
    (hold,) = [d for d in closed.change.decisions if d.kind == "pulse-hold"]
    assert hold.figures == {"cycle": 1, "through": 2, "worked_around": 0.333}
    (told,) = closed.change.messages
    assert told.channel == OWNER and told.key == f"pulse-hold:{state.playbook.id}:1#owner"
    assert "no step of support-replies is proposed to ai-led through cycle 2" in str(told.payload)


def test_a_clear_fall_holds_promotions_through_the_next_cycle_and_never_demotes():
    from cadence.pulse import without_promotions_to_ai_led
    from cadence.rules import Kind, Transition, TransitionRule

    before = [Answer(trust=t, safety=4) for t in (4, 5, 4, 5, 4, 5)]
    after = [Answer(trust=t, safety=4) for t in (2, 3, 2, 2, 3, 2)]
    for week, cycles, held in ((2, {1: before, 2: after}, False), (1, {1: before, 2: after}, True)):
        cycle = 3 if held else 2  # a close in cycle 3 is held by cycle 2's pulse; cycle 2's week 2 is not yet
        _, store, closing = _closing(cycles, week=week, cycle=cycle)
        why = _pulse_held(store, closing).promotions
        assert set(why) == ({"trust"} if held else set())
    proposals = [
        Transition(Kind.PROPOSAL, TransitionRule.STREAK, WEEK_4, "collaborative", "ai-led"),
        Transition(Kind.PROPOSAL, TransitionRule.STREAK, WEEK_4, "human-led", "collaborative"),
        Transition(Kind.DEMOTION, TransitionRule.FAILS, WEEK_4, "ai-led", "collaborative"),
    ]
    kept = without_promotions_to_ai_led(proposals)
    assert [(t.kind, t.to_mode) for t in kept] == [(Kind.PROPOSAL, "collaborative"), (Kind.DEMOTION, "collaborative")]


def test_readiness_shows_the_pulse_beside_its_criteria_as_information():
    from usecases.shared.registry import not_ready_messages

    state, store, closing = _closing({1: [Answer(trust=2)] * 3})
    shown = _pulse_held(store, closing).pulses[1].figures()  # as the close's readiness news shows it
    assert shown is not None and shown["hidden"] == {"trust": 3} and not shown["shown"] and shown["trust"] is None
    figures = {"cycle": 1, "results": [], "criteria": []}
    (told, _) = not_ready_messages(state, {**figures, "pulse": shown}, None)
    assert "beside the criteria as information, not a criterion: too few answers to show (3; 5 needed)" in str(
        told.payload
    )
