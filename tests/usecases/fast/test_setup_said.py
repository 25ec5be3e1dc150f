"""Setup as the seed means it on the fakes (usecases/setup_said.py, usecases/shared/setup_said.py):
an adopting playbook's first check-in asks its champion (else its owner) once; only that
person answers, once; every refusal stores nothing."""

from __future__ import annotations

import pytest

from cadence import calendar, keys
from templates.refusals import Refusal
from tests import fakes
from tests.fakes import MEMBER, OWNER
from usecases import setup_said
from usecases.shared import recording
from usecases.shared import setup_said as asking

CHAMPION = "UCHAMPION1"


def _world(adopted=True, champion=CHAMPION):
    state = fakes.a_playbook()
    state.playbook.adopted_from_id = 99 if adopted else None
    state.playbook.champion_id = champion
    services = fakes.services(state, members=(MEMBER, OWNER, CHAMPION))
    return state, services, fakes.store_of(services)


def _refused(key, call, *args):
    with pytest.raises(Refusal) as raised:
        call(*args)
    assert raised.value.key == key


def _attest(state, store, who):
    week = calendar.week_containing(state.cycle_anchor, fakes.NOW.date())
    recording.record_attestation(store, state, week, None, None, who, fakes.NOW)


def test_the_first_check_in_asks_the_champion_once():
    state, _, store = _world()
    _attest(state, store, MEMBER)
    _attest(state, store, OWNER)
    asked = [m for m in store.held.sent() if m.key == keys.setup_asked(state.playbook.id)]
    assert [(m.channel, m.method) for m in asked] == [(CHAMPION, "chat.postMessage")]


def test_no_champion_asks_the_owner_and_a_playbook_of_its_own_is_not_asked():
    state, _, store = _world(champion=None)
    assert [m.channel for m in asking.ask(store, state.playbook)] == [OWNER]
    state, _, store = _world(adopted=False)
    assert asking.ask(store, state.playbook) == []


def test_only_the_champion_answers_once_and_refusals_store_nothing():
    state, services, store = _world()
    pid = state.playbook.id
    _refused("setup_said_not_yours", setup_said.submit, fakes.caller(services, OWNER), pid, 30, False)
    _refused("setup_said_gone", setup_said.submit, fakes.caller(services, CHAMPION), pid + 1000, 30, False)
    assert store.held.said == {}
    kept = setup_said.submit(fakes.caller(services, CHAMPION), pid, 75, True)
    assert (kept.minutes, kept.meeting) == (75, True)
    _refused("setup_said_answered", setup_said.submit, fakes.caller(services, CHAMPION), pid, 30, False)
    _refused("setup_said_answered", setup_said.open_sent, fakes.caller(services, CHAMPION), pid)
    assert store.held.said == {pid: (75, True, CHAMPION, fakes.NOW)}


def test_a_playbook_not_adopted_has_no_setup_to_tell():
    state, services, store = _world(adopted=False)
    _refused("setup_said_not_adopted", setup_said.open_sent, fakes.caller(services, CHAMPION), state.playbook.id)
    assert store.held.said == {}
