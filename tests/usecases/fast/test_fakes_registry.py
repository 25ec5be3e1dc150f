"""The fakes of governance, the outbox and the registry behave as the real ones on the
points the use cases rely on: apply keeps the Change it is given and moves a proposal only
while it is open, the outbox keeps a key once, and the registry refuses what the
database refuses, writing nothing then."""

from __future__ import annotations

from datetime import date

import pytest

from cadence.change import Change, Message, ModeChange, NewProposal
from cadence.decisions import Decision, DecisionKind
from cadence.definition_load import parse_playbook
from storage.governance_rows import StaleState
from storage.models.governance import AdoptionRequest, WaveReview
from storage.store import Conflict, RequestDecided, RequestPending, WaveFull, WaveMarked
from tests import fakes
from tests.committed import committed
from tests.fakes import NOW, FakeStore
from tests.fakes.playbooks import definition

SALES = "CSALES0001"


def decision(playbook_id, summary="decided"):
    return Decision(kind=DecisionKind.SETTING_CHANGED, actor="U1", summary=summary, playbook_id=playbook_id)


def message(key, channel="C1"):
    return Message(key, "chat.postMessage", channel, {"text": key})


# ---- governance.apply and the outbox ----


def test_apply_keeps_the_change_its_decision_rows_and_its_messages():
    state = fakes.a_playbook()
    store = FakeStore(state)
    change = Change(decisions=[decision(state.playbook.id)], messages=[message("a"), message("b")])
    assert committed(store).governance.apply(change, NOW)
    assert store.held.governance.changes == [change]
    [row] = store.held.decisions
    assert (row["kind"], row["summary"], row["playbook_id"], row["decided_at"]) == (
        "setting-changed",
        "decided",
        state.playbook.id,
        NOW,
    )
    assert [m.key for m in store.held.outbox] == ["a", "b"]


def test_a_proposal_moves_only_while_open():
    state = fakes.a_playbook()
    store = FakeStore(state)
    scale = NewProposal("scale:1", "scale", state.playbook.id, date(2026, 3, 2), figures={"cycle": 1})
    committed(store).governance.apply(Change(new_proposals=[scale]), NOW)
    assert store.governance.proposal("scale:1").status == "open"
    assert committed(store).governance.apply(Change(messages=[message("x")]), NOW, "scale:1", "approved", "U1")
    assert (store.governance.proposal("scale:1").status, store.governance.proposal("scale:1").decided_by) == (
        "approved",
        "U1",
    )
    kept = list(store.held.governance.changes)
    assert not committed(store).governance.apply(Change(messages=[message("y")]), NOW, "scale:1", "rejected", "U2")
    assert store.held.governance.changes == kept and [m.key for m in store.held.outbox] == ["x"]
    assert not committed(store).governance.apply(Change(), NOW, "no-such-key", "approved", "U1")


def test_a_mode_change_that_no_longer_holds_keeps_nothing():
    state = fakes.a_playbook()
    store = FakeStore(state)
    step = state.steps[0]
    moved = Change(
        mode_changes=[ModeChange(step.id, step.mode, "ai-led", cleared=True)], decisions=[decision(state.playbook.id)]
    )
    assert committed(store).governance.apply(moved, NOW)
    assert store.playbooks.state_by_id(state.playbook.id).steps[0].mode == "ai-led"
    assert state.steps[0].mode == step.mode  # the state read before is as it was
    with pytest.raises(StaleState):
        committed(store).governance.apply(moved, NOW)
    assert len(store.held.governance.changes) == 1 and len(store.held.decisions) == 1


def test_the_outbox_keeps_a_key_once():
    store = FakeStore()
    assert committed(store).outbox.enqueue([message("a"), message("b")], NOW) == {"a", "b"}
    assert committed(store).outbox.enqueue([message("a", "C2"), message("c")], NOW) == {"c"}
    assert [(m.key, m.channel) for m in store.held.outbox] == [("a", "C1"), ("b", "C1"), ("c", "C1")]


# ---- the registry ----


def published(wave=None):
    """support-replies and its version 1 (with `adoption_wave`), on a fake store."""
    origin = fakes.a_playbook()
    store = FakeStore(origin)
    raw = definition(adoption_wave=wave) if wave else definition()
    version = committed(store).registry.publish(origin.playbook.id, 1, raw, [], False, "U1", NOW)
    return store, origin, version


def spec_for(slug, channel=SALES):
    return parse_playbook(definition(playbook=slug, channel=channel))


def a_request(version, channel=SALES):
    return AdoptionRequest(
        version_id=version.id,
        channel_id=channel,
        requester_id="U2",
        champion_id="U3",
        answers={},
        card_key="card",
        created_at=NOW,
    )


def test_publish_numbers_versions_and_refuses_a_number_taken():
    store, origin, version = published()
    assert (version.slug, version.version, store.registry.next_version(origin.playbook.id)) == ("support-replies", 1, 2)
    with pytest.raises(StaleState):
        committed(store).registry.publish(origin.playbook.id, 1, {}, [], False, "U1", NOW)
    assert store.registry.version("support-replies", None) is version


def test_one_pending_request_a_channel_and_version():
    store, _, version = published()
    first = committed(store).registry.add_request(a_request(version))
    with pytest.raises(RequestPending):
        committed(store).registry.add_request(a_request(version))
    assert store.registry.requests([version.id]) == [first]
    assert committed(store).registry.decline(first.id, "U9", NOW, "not now")
    assert not committed(store).registry.decline(first.id, "U9", NOW, "twice")
    assert store.registry.request(first.id).status == "declined" and first.status == "pending"
    committed(store).registry.add_request(a_request(version))  # declined: the channel may ask again


def test_adopt_refuses_as_the_database_does_and_writes_nothing_then():
    store, origin, version = published()
    playbook = committed(store).registry.adopt(spec_for("sales"), version, "UTC", "U1", NOW, wave_limit=1)
    assert (playbook.adopted_from_id, playbook.adopted_origin_id, playbook.status) == (
        version.id,
        origin.playbook.id,
        "draft",
    )
    assert store.registry.adoption_in(SALES, origin.playbook.id) == "sales"
    before = dict(store.held.states)
    with pytest.raises(WaveFull):
        committed(store).registry.adopt(spec_for("ops", "COPS000001"), version, "UTC", "U1", NOW, wave_limit=1)
    with pytest.raises(Conflict):  # the channel runs an adoption of the origin
        committed(store).registry.adopt(spec_for("sales-2"), version, "UTC", "U1", NOW)
    with pytest.raises(Conflict):  # the slug is taken
        committed(store).registry.adopt(spec_for("sales", "COPS000001"), version, "UTC", "U1", NOW)
    request = committed(store).registry.add_request(a_request(version, "COPS000001"))
    committed(store).registry.decline(request.id, "U9", NOW, "no")
    with pytest.raises(RequestDecided):
        committed(store).registry.adopt(spec_for("ops", "COPS000001"), version, "UTC", "U1", NOW, request_id=request.id)
    assert store.held.states == before


def test_an_approved_request_is_the_adoptions():
    store, _, version = published()
    request = committed(store).registry.add_request(a_request(version))
    committed(store).registry.adopt(spec_for("sales"), version, "UTC", "U9", NOW, request_id=request.id)
    approved = store.registry.request(request.id)
    assert (approved.status, approved.decided_by, approved.adopted_slug) == ("approved", "U9", "sales")


def test_an_adoption_in_a_unit_of_work_not_committed_is_gone():
    store, _, version = published()
    with store.unit_of_work() as uow:
        uow.registry.adopt(spec_for("sales"), version, "UTC", "U1", NOW)
        uow.playbooks.add_cycle(uow.playbooks.state("sales").playbook.id, 1, date(2026, 3, 16), "U1", NOW)
        assert uow.registry.adopters([version.id])
    assert store.registry.adopters([version.id]) == [] and store.playbooks.state("sales") is None


def test_a_wave_is_marked_once():
    store, origin, version = published()

    def mark(by):
        return WaveReview(
            playbook_id=origin.playbook.id, version_id=version.id, version=1, wave=1, reviewed_by=by, reviewed_at=NOW
        )

    committed(store).registry.mark_wave(mark("U1"))
    with pytest.raises(WaveMarked):
        committed(store).registry.mark_wave(mark("U2"))
    assert store.registry.wave_reviews([version.id])[version.id][1].reviewed_by == "U1"


def test_an_upgrade_moves_from_the_version_run_only():
    store, origin, v1 = published()
    committed(store).registry.adopt(spec_for("sales"), v1, "UTC", "U1", NOW)
    raw = definition(exception_cap=0.05)
    v2 = committed(store).registry.publish(origin.playbook.id, 2, raw, [], False, "U1", NOW)
    adopter = store.playbooks.state("sales")
    upgraded = parse_playbook({**raw, "playbook": "sales", "channel": SALES})
    outcome = committed(store).registry.upgrade(upgraded, adopter.playbook.id, v1.id, v2, "UTC", "U1", NOW)
    moved = store.playbooks.state("sales")
    assert (moved.playbook.adopted_from_id, moved.playbook.exception_cap) == (v2.id, 0.05)
    assert [s.id for s in moved.steps] == [s.id for s in adopter.steps]  # the same steps, their history kept
    assert store.held.decisions == [] and outcome.decision.kind == "playbook-changed"  # the use case's to record
    with pytest.raises(StaleState):
        committed(store).registry.upgrade(upgraded, adopter.playbook.id, v1.id, v2, "UTC", "U1", NOW)
