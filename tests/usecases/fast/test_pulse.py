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
    assert pulse.answered(fakes.caller(services, OWNER), state) == (2, 3)
    assert pulse.answered(fakes.caller(services, CURATOR), state) == (2, 3)
    assert pulse.answered(fakes.caller(services, MEMBER), state) is None
