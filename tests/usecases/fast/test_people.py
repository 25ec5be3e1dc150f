"""People who leave, on the fakes (usecases/people.py): Slack calls someone deactivated, and
the curators hear once of each playbook they owned or held a named role in (its exception
queue, an operational owner), by the curators' channel or else each curator by DM; their
web sessions end; the digest names a playbook whose owner left; status shows an owner who
left, and the clock sends them no Friday DM; readiness names an operational owner's role.
Slack's events and the outbox's delivery are
tests/usecases/test_people.py's and test_names.py's."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tests import fakes
from tests.committed import committed
from tests.fakes import CURATOR, MEMBER, NOW, OWNER, FakeStore
from tests.usecases.fast.slash import slash
from tests.usecases.fast.ticking import Ticking
from usecases import people
from usecases.digest import Digest

CURATORS = "CCURATORS1"
RULES, MODELS = "UBIZRULES1", "UMODELS001"


def world(*states, channel=True):
    store = FakeStore(*(states or (fakes.a_playbook(),)))
    store.held.curators.update({CURATOR, "UCURATOR02"})
    if channel:
        committed(store).org.set_setting("curators_channel", CURATORS, OWNER, NOW)
    return store


def told(store):
    return [(m.channel, m.payload["text"]) for m in store.held.outbox]


def test_an_owner_who_left_is_told_to_the_curators_once():
    store = world()
    assert people.person_gone(store, OWNER, "deactivated", NOW) == ["support-replies"]
    assert store.held.deactivated == {OWNER}
    [(channel, text)] = told(store)
    assert channel == CURATORS and "support-replies" in text
    assert people.person_gone(store, OWNER, "deactivated", NOW + timedelta(minutes=1)) == []  # known: told once
    assert len(store.held.outbox) == 1


def test_without_a_curators_channel_each_curator_hears_by_dm():
    store = world(channel=False)
    people.person_gone(store, OWNER, "deactivated", NOW)
    assert [channel for channel, _ in told(store)] == [CURATOR, "UCURATOR02"]


def test_a_retired_playbooks_owner_leaving_tells_no_one():
    store = world(fakes.a_playbook(status="retired"))
    assert people.person_gone(store, OWNER, "deactivated", NOW) == []
    assert store.held.deactivated == {OWNER} and store.held.outbox == []


def test_a_member_with_no_role_leaving_tells_no_one():
    store = world()
    assert people.person_gone(store, MEMBER, "deactivated", NOW) == []
    assert store.held.deactivated == {MEMBER} and store.held.outbox == []


def test_an_operational_owner_leaving_is_told_naming_the_role():
    named = fakes.a_playbook(owners={"business_rules": f"<@{RULES}>", "model_updates": MODELS})
    store = world(named)
    assert people.person_gone(store, RULES, "deactivated", NOW) == ["support-replies"]
    [message] = store.held.outbox
    assert message.channel == CURATORS
    assert message.payload["text"] == "The business rules owner of support-replies is deactivated in Slack"
    assert f"its business rules owner <@{RULES}> is deactivated in Slack (deactivated)" in str(message.payload)
    assert people.person_gone(store, RULES, "deactivated", NOW) == []  # told once


def test_the_exception_owner_leaving_is_told():
    store = world(fakes.a_playbook(exception_owner="UTRIAGE001"))
    assert people.person_gone(store, "UTRIAGE001", "deactivated", NOW) == ["support-replies"]
    assert len(store.held.outbox) == 1


def test_their_web_sessions_and_sign_in_links_end():
    store = world()
    store.held.sessions["s1"] = (OWNER, NOW + timedelta(days=1))
    store.held.sessions["s2"] = (MEMBER, NOW + timedelta(days=1))
    store.held.links["l1"] = (OWNER, NOW + timedelta(minutes=10), None)
    store.held.links["l2"] = (MEMBER, NOW + timedelta(minutes=10), None)
    people.person_gone(store, OWNER, "deactivated", NOW)
    assert set(store.held.sessions) == {"s2"} and set(store.held.links) == {"l2"}


def test_back_again_dms_reach_them():
    store = world()
    people.person_gone(store, OWNER, "deactivated", NOW)
    assert people.person_back(store, OWNER, NOW) is True and store.held.deactivated == set()
    assert people.person_back(store, OWNER, NOW) is False


def test_the_digest_names_a_playbook_whose_owner_left():
    store = world()
    people.person_gone(store, OWNER, "deactivated", NOW)
    monday = NOW.date() - timedelta(days=NOW.weekday()) + timedelta(days=7)
    messages = Digest(store, charts=False).messages(monday, "test", CURATORS, NOW + timedelta(days=5, hours=4))
    assert any("owner deactivated" in str(m.payload) for m in messages)


def test_a_deactivated_owner_is_shown_in_status_and_gets_no_friday_dm():
    now = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
    services = fakes.services(fakes.a_playbook(cycle_started=date(2026, 11, 16)), now=now)
    store = fakes.store_of(services)
    committed(store).org.set_setting("curators_channel", CURATORS, OWNER, now)
    people.person_gone(store, OWNER, "deactivated", now)
    people.person_gone(store, OWNER, "deactivated", now)  # Slack may say it again: the curators hear once
    [(channel, _)] = told(store)
    assert channel == CURATORS and "its owner <@UOWNER0001> is deactivated" in str(store.held.outbox[0].payload)
    status = slash(services, "status support-replies")
    assert "owner deactivated" in status and "wait for a curator" in status
    clock = Ticking(services)
    clock.run_through(now, now + timedelta(days=2, hours=8))  # Friday's owner DM goes to no one
    assert clock.texts(OWNER) == []


def test_a_deactivated_operational_owner_is_shown_in_status_and_readiness_names_the_role():
    named = fakes.a_playbook(
        owners={"business_rules": f"<@{RULES}>", "model_updates": MODELS}, cycle_started=date(2026, 11, 16)
    )
    services = fakes.services(named, now=datetime(2026, 11, 18, 10, 0, tzinfo=UTC))
    store = fakes.store_of(services)
    committed(store).org.set_setting("curators_channel", CURATORS, OWNER, NOW)
    status = slash(services, "status support-replies")
    assert f"business rules owner <@{RULES}>" in status and f"model updates owner <@{MODELS}>" in status
    assert "✅ Ownership" not in status  # readiness is judged at a cycle's close, not in status
    refused = slash(services, "publish support-replies", CURATOR)
    assert "✅ Ownership: the owner, the business rules owner and the model updates owner are active" in refused
    people.person_gone(store, RULES, "deactivated", NOW)
    refused = slash(services, "publish support-replies", CURATOR)
    assert "❌ Ownership: the business rules owner is not an active Slack user" in refused
    assert store.registry.versions(playbook_id=named.playbook.id) == []
