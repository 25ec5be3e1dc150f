"""The contract of the org's, people's and access's writes: the same calls, the same answers
and the same reads after them, on the database and on the fake (conftest.py's `side`)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from storage.models.access import ApiToken
from storage.store import Conflict
from tests.committed import committed
from tests.storage.contract.conftest import AT

DAY = date(2026, 12, 24)


def test_curators(side):
    org = committed(side.store).org
    assert (org.add_curator("UC1", "UADMIN", AT), org.add_curator("UC1", "UADMIN", AT)) == (True, False)
    assert side.store.org.curators() == {"UC1"} and side.store.org.is_curator("UC1")
    assert (org.remove_curator("UC1"), org.remove_curator("UC1")) == (True, False)
    assert side.store.org.curators() == set()


def test_settings(side):
    committed(side.store).org.set_setting("k", "one", "UADMIN", AT)
    committed(side.store).org.set_setting("k", "two", "UADMIN", AT + timedelta(hours=1))
    assert side.store.org.setting("k") == "two" and side.store.org.setting("none") is None
    assert {k: s.value for k, s in side.store.org.settings(["k", "none"]).items()} == {"k": "two"}


def test_holidays(side):
    org = committed(side.store).org
    assert (org.add_holiday(DAY, "Eve", "UADMIN", AT), org.add_holiday(DAY, "Other", "UADMIN", AT)) == (True, False)
    assert side.store.org.holidays(DAY, DAY) == {DAY: "Eve"}
    assert side.store.org.holidays(DAY + timedelta(days=1), DAY + timedelta(days=9)) == {}
    assert (org.remove_holiday(DAY), org.remove_holiday(DAY)) == ("Eve", None)
    assert side.store.org.holidays(DAY, DAY) == {}


def test_away(side):
    people = committed(side.store).people
    people.set_away("U1", DAY, DAY + timedelta(days=3), AT)
    people.set_away("U1", DAY, DAY + timedelta(days=5), AT)  # in place of the days given before
    people.set_away("U2", date(2026, 1, 1), date(2026, 1, 2), AT)
    assert side.store.people.away(["U1"]) == {"U1": (DAY, DAY + timedelta(days=5))}
    assert set(side.store.people.away(through=date(2026, 6, 1))) == {"U1"}
    assert (people.clear_away("U1", AT), people.clear_away("U1", AT)) == (DAY + timedelta(days=5), None)
    assert set(side.store.people.away()) == {"U2"}


def test_deactivated(side):
    people = committed(side.store).people
    assert (people.deactivate("U1", AT), people.deactivate("U1", AT)) == (True, False)
    assert side.store.people.deactivated() == {"U1"} and side.store.people.deactivated(["U2"]) == set()
    assert (people.reactivate("U1", AT), people.reactivate("U1", AT)) == (True, False)
    assert side.store.people.deactivated() == set()


def test_names(side):
    people = committed(side.store).people
    people.keep_names([("U1", "ann", "Ann A"), ("U2", None, "Bob B"), ("U3", None, None)], AT)
    people.keep_names([("U1", None, "Ann Again")], AT + timedelta(hours=1))  # a later answer replaces it
    assert side.store.people.names(["U1", "U2", "U3", "U4"]) == {"U1": "Ann Again", "U2": "Bob B"}
    people.keep_channel_names([("C1", "general"), ("C2", None)], AT)
    assert side.store.people.channel_names(["C1", "C2", "C3"]) == {"C1": "general"}


def _token(name):
    return ApiToken(
        name=name, token_hash=f"hash-{name}", playbooks=None, kinds=["kpi"], created_by="UADMIN", created_at=AT
    )


def test_tokens(side):
    tokens = committed(side.store).tokens
    added = tokens.add(_token("warehouse"))
    assert added.id is not None and added.name == "warehouse"
    with pytest.raises(Conflict):
        tokens.add(_token("warehouse"))
    assert side.store.tokens.by_hash("hash-warehouse").name == "warehouse"
    tokens.mark_used(added.id, AT)
    counted = [side.store.tokens.count_request(added.id, AT + timedelta(milliseconds=i)) for i in range(3)]
    assert [*counted, side.store.tokens.count_request(added.id, AT + timedelta(seconds=1))] == [1, 2, 3, 1]
    assert (tokens.revoke("warehouse", AT), tokens.revoke("warehouse", AT), tokens.revoke("none", AT)) == (
        True,
        False,
        False,
    )
    assert side.store.tokens.by_hash("hash-warehouse") is None


def test_web_sign_ins(side):
    logins = committed(side.store).web_logins
    logins.add("link", "U1", AT + timedelta(minutes=10))
    logins.add("old", "U1", AT - timedelta(minutes=1))
    assert (logins.use("link", AT), logins.use("link", AT), logins.use("old", AT)) == ("U1", None, None)
    logins.add_session("s1", "U1", AT, AT + timedelta(hours=12))
    logins.add_session("s2", "U1", AT, AT + timedelta(hours=12))
    logins.add_session("s3", "U2", AT, AT + timedelta(hours=12))
    assert side.store.web_logins.session_user("s1", AT) == "U1"
    assert side.store.web_logins.session_user("s1", AT + timedelta(hours=13)) is None
    logins.end_session("s3")
    assert side.store.web_logins.session_user("s3", AT) is None
    logins.add("unused", "U1", AT + timedelta(minutes=10))
    assert logins.end_sessions_of("U1") == 2
    assert side.store.web_logins.session_user("s2", AT) is None and logins.use("unused", AT) is None


def test_request_keys(side):
    keys = side.store.request_keys
    assert (keys.first_time(["a", "b"], AT), keys.first_time(["b"], AT), keys.first_time(["c"], AT)) == (
        True,
        False,
        True,
    )
    assert committed(side.store).request_keys.forget(AT + timedelta(seconds=1)) == 3
    assert keys.first_time(["a"], AT)


def test_slack_access(side):
    health = side.store.health  # each decides by its own commit
    assert (health.lose_slack_access("token_revoked", AT), health.lose_slack_access("again", AT)) == (True, False)
    assert side.store.health.slack_access_lost() == ("token_revoked", AT) and side.store.health.any_hold()
    assert (health.regain_slack_access(), health.regain_slack_access()) == (True, False)
    assert side.store.health.slack_access_lost() is None and not side.store.health.any_hold()
