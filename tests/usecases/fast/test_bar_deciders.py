"""Never the asker (usecases/bar_requests.py) on the fakes: a bar change request is decided
by a curator other than the asker; with a single curator, by an admin other than the asker
too; with no second person it waits, and its card says so and how to appoint a curator.
Each refusal is checked at the click and stores nothing."""

from __future__ import annotations

import json

import pytest

from cadence.decisions import DecisionKind
from storage.models.governance import BarRequest
from templates.refusals import Refusal
from tests import fakes
from tests.fakes import ADMIN, CURATOR, NOW, OWNER
from usecases import bar_approval, bar_requests
from usecases.shared import second_person

CURATOR2 = "UCURATOR02"
CHANGE = {
    "field": "steps[refunds].pinned",
    "old": True,
    "new": False,
    "words": "step refunds pinned → unpinned",
    "tightens": False,
}


def world(asked_by, curators=(CURATOR,), admins=(ADMIN,)):
    state = fakes.a_playbook()
    services = fakes.services(state, curators=curators, admins=admins)
    held = fakes.store_of(services).held
    held.bar_requests[1] = BarRequest(
        id=1,
        playbook_id=state.playbook.id,
        owner_id=state.playbook.owner_id,
        asked_by=asked_by,
        asked_at=NOW,
        reason="the refunds team trusts it now",
        changes=[CHANGE],
        card_channel="CCURATORS1",
        card_key="bar:1",
    )
    return services, held, state


def refused(services, user):
    with pytest.raises(Refusal) as refusal:
        bar_approval.approve(fakes.caller(services, user), "1")
    return refusal.value.key


def test_the_asker_is_refused_at_the_click_even_as_the_only_curator_and_an_admin_decides():
    services, held, _ = world(asked_by=CURATOR)
    assert refused(services, CURATOR) == "bar_own_request"
    assert held.bar_requests[1].state == "open" and held.governance.changes == []
    bar_approval.approve(fakes.caller(services, ADMIN), "1")
    assert (held.bar_requests[1].state, held.bar_requests[1].decided_by) == ("approved", ADMIN)
    [change] = held.governance.changes
    assert [(d.kind, d.actor) for d in change.decisions] == [(DecisionKind.BAR_APPROVED, ADMIN)]


def test_with_two_curators_the_other_curator_decides_and_an_admin_does_not():
    services, held, _ = world(asked_by=CURATOR, curators=(CURATOR, CURATOR2))
    assert refused(services, ADMIN) == "bar_curators_only"
    assert refused(services, OWNER) == "bar_curators_only"
    bar_approval.approve(fakes.caller(services, CURATOR2), "1")
    assert held.bar_requests[1].decided_by == CURATOR2


def test_an_owners_request_with_one_curator_is_the_curators_or_an_admins():
    services, _, _ = world(asked_by=OWNER)
    assert second_person.deciders(services.store, services.admins, OWNER) == {CURATOR, ADMIN}


def test_with_no_second_person_the_request_waits_and_its_card_says_how_to_appoint_one():
    services, held, state = world(asked_by=CURATOR, admins=(CURATOR,))
    assert second_person.deciders(services.store, services.admins, CURATOR) == set()
    assert refused(services, CURATOR) == "bar_own_request"
    assert held.bar_requests[1].state == "open" and held.governance.changes == []
    card = json.dumps(bar_requests.card(services.store, held.bar_requests[1], state, admins=services.admins))
    assert "Waiting: nobody but <@UCURATOR01> can decide on it yet" in card
    assert "/rollout curator add @someone" in card


def test_the_decline_form_is_refused_to_the_asker_too():
    services, _, _ = world(asked_by=CURATOR)
    with pytest.raises(Refusal) as refusal:
        bar_approval.decline_form(fakes.caller(services, CURATOR), "1")
    assert refusal.value.key == "bar_own_request"
