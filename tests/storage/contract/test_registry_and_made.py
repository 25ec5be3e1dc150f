"""The contract of the registry's writes (publish, requests, adoptions, waves, upgrades)
and of playbooks made and revised in Slack, on the database and on the fake alike."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cadence.definition_load import parse_playbook
from storage.governance_rows import StaleState
from storage.made import Stale, fingerprint
from storage.models.governance import AdoptionRequest, WaveReview
from storage.store import Conflict, RequestDecided, RequestPending, WaveMarked
from tests.committed import committed
from tests.conftest import SUPPORT_REPLIES
from tests.storage.contract.conftest import AT, WEEK


def _published(side, number=1):
    state = side.playbook
    return committed(side.store).registry.publish(
        state.playbook.id, number, state.playbook.definition, [{"cycle": 1}], True, "UCUR", AT
    )


def _adopter(channel, slug):
    return parse_playbook({**SUPPORT_REPLIES, "playbook": slug, "channel": channel, "owner": "U0TEAM0001"})


def test_published_once_a_number(side):
    version = _published(side)
    assert (version.version, version.slug, version.published_by) == (1, "support-replies", "UCUR")
    with pytest.raises(StaleState):
        _published(side)
    assert [v.version for v in side.store.registry.versions(side.playbook.playbook.id)] == [1]
    assert side.store.registry.version("support-replies", None).id == version.id


def _request(version, channel="C0TEAM0001"):
    return AdoptionRequest(
        version_id=version.id, channel_id=channel, requester_id="U0TEAM0001", champion_id="UCH", answers={"why": "x"},
        card_key=f"card:{channel}", created_at=AT,
    )  # fmt: skip


def test_requests_declined_or_adopted(side):
    version = _published(side)
    registry = committed(side.store).registry
    asked = registry.add_request(_request(version))
    with pytest.raises(RequestPending):
        registry.add_request(_request(version))
    with side.store.unit_of_work() as uow:
        assert uow.registry.still_pending(asked.id)
    assert (registry.decline(asked.id, "UCUR", AT, "not now"), registry.decline(asked.id, "UCUR", AT, "x")) == (
        True,
        False,
    )
    declined = side.store.registry.request(asked.id)
    assert (declined.status, declined.reason, declined.decided_by) == ("declined", "not now", "UCUR")
    with side.store.unit_of_work() as uow:
        assert not uow.registry.still_pending(asked.id)
    again = registry.add_request(_request(version))
    adopted = registry.adopt(_adopter("C0TEAM0001", "team-replies"), version, "UTC", "UCUR", AT, request_id=again.id)
    assert (adopted.slug, adopted.adopted_from_id, adopted.adopted_origin_id) == (
        "team-replies",
        version.id,
        side.playbook.playbook.id,
    )
    assert side.store.registry.request(again.id).adopted_slug == "team-replies"
    with pytest.raises(RequestDecided):
        registry.adopt(_adopter("C0OTHER001", "other-replies"), version, "UTC", "UCUR", AT, request_id=again.id)
    with pytest.raises(Conflict):
        registry.adopt(_adopter("C0TEAM0001", "team-again"), version, "UTC", "UCUR", AT)
    assert [p.slug for p in side.store.registry.adopters([version.id])] == ["team-replies"]


def test_waves_and_upgrades(side):
    one = _published(side)
    team = committed(side.store).registry.adopt(_adopter("C0TEAM0001", "team-replies"), one, "UTC", "UCUR", AT)
    review = dict(playbook_id=side.playbook.playbook.id, version_id=one.id, version=1, wave=1, reviewed_by="UCUR")
    committed(side.store).registry.mark_wave(WaveReview(**review, note="read them", reviewed_at=AT))
    with pytest.raises(WaveMarked):
        committed(side.store).registry.mark_wave(WaveReview(**review, note=None, reviewed_at=AT))
    assert side.store.registry.wave_reviews([one.id])[one.id][1].note == "read them"
    two = _published(side, 2)
    spec = _adopter("C0TEAM0001", "team-replies")
    outcome = committed(side.store).registry.upgrade(spec, team.id, one.id, two, "UTC", "UCUR", AT)
    assert outcome.slug == "team-replies"
    assert side.store.playbooks.state("team-replies").playbook.adopted_from_id == two.id
    with pytest.raises(StaleState):
        committed(side.store).registry.upgrade(spec, team.id, one.id, two, "UTC", "UCUR", AT)


def test_made_and_revised(side):
    spec = parse_playbook({**SUPPORT_REPLIES, "playbook": "made-here", "channel": "C0MADE0001"})
    made = committed(side.store).made.create(spec, "UTC", "U1", AT, WEEK)
    state = side.store.playbooks.state("made-here")
    assert (made.slug, state.playbook.id, state.anchor.starts_on) == ("made-here", made.playbook_id, WEEK)
    with pytest.raises(Conflict):
        committed(side.store).made.create(spec, "UTC", "U1", AT, WEEK)
    opened_on = fingerprint(state.playbook.definition)
    assert committed(side.store).made.revise(made.playbook_id, opened_on, spec, "UTC", "U1", AT) is None
    changed = parse_playbook({**SUPPORT_REPLIES, "playbook": "made-here", "channel": "C0MADE0001", "title": "New"})
    later = AT + timedelta(hours=1)
    assert committed(side.store).made.revise(made.playbook_id, opened_on, changed, "UTC", "U2", later) is not None
    assert side.store.playbooks.state("made-here").playbook.title == "New"
    with pytest.raises(Stale):
        committed(side.store).made.revise(made.playbook_id, opened_on, spec, "UTC", "U3", later)


def test_the_decision_log_of_a_reader_s_scope_leaves_out_other_teams_in_its_query(side):
    """Governance.history's `teams` (issue 108, item 16): a decision naming another team's
    playbook is kept only for a scope holding it; one naming a team by its channel never
    for a scope; `limit` counts what is kept."""
    from cadence.change import Change
    from cadence.registry_decisions import of_adopted_by, of_request

    pid = side.playbook.playbook.id
    named = [
        of_adopted_by(pid, "support-replies-sales", "C0SALES001", 1, "UCUR"),
        of_adopted_by(pid, "support-replies-ops", "C0OPS00001", 1, "UCUR"),
        *(of_request(pid, "support-replies", 1, f"C0ASK{n:05d}", "UASK", {}) for n in range(3)),
    ]
    committed(side.store).governance.apply(Change(decisions=named), AT + timedelta(minutes=1))

    def kinds(teams, limit=50):
        rows = side.store.governance.history(pid, None, limit, teams)
        return [(row.kind, (row.figures or {}).get("adopter")) for row in rows]

    every = kinds(None)
    assert [k for k, _ in every].count("adoption-requested") == 3 and len(every) > 5
    own = [k for k in every if k[0] not in ("adopted-by", "adoption-requested")]
    assert own  # its creation, its cycle's start
    assert kinds(frozenset({"support-replies"})) == own
    sales = kinds(frozenset({"support-replies", "support-replies-sales"}))
    assert ("adopted-by", "support-replies-sales") in sales and ("adopted-by", "support-replies-ops") not in sales
    assert len(sales) == len(own) + 1
    assert kinds(frozenset({"support-replies"}), limit=1) == own[:1]  # the newest the scope sees, not a row it does not
