"""The reporting API's tokens on the fakes (usecases/tokens.py): what `rollout token create`
and `revoke` refuse, that a token is kept only as its hash, and that each is a decision row
naming the token and its scope, never the token itself."""

from __future__ import annotations

import pytest

from cadence.decisions import DecisionKind
from tests import fakes
from tests.fakes import NOW, FakeStore
from usecases import tokens

BY = "cli:ops"


def store():
    return FakeStore(fakes.a_playbook(), fakes.a_playbook("other"))


def test_a_token_is_shown_once_kept_as_its_hash_and_recorded_with_its_scope():
    held = store()
    created = tokens.create(held, "warehouse", ["support-replies"], ["cases", "kpi"], False, BY, NOW)
    assert created.token.startswith("rcb_") and len(created.token) > 40
    assert created.row.token_hash == tokens.hash_of(created.token) and created.token not in str(created.row)
    assert held.tokens.by_hash(tokens.hash_of(created.token)) == created.row
    assert (created.row.playbooks, created.row.kinds, created.row.can_read) == (
        ["support-replies"],
        ["kpi", "cases"],
        False,
    )
    [change] = held.held.governance.changes
    [decision] = change.decisions
    assert (decision.kind, decision.actor, decision.summary) == (
        DecisionKind.TOKEN_CREATED,
        BY,
        "API token warehouse created",
    )
    assert decision.figures == {
        "token": "warehouse",
        "playbooks": ["support-replies"],
        "kinds": ["kpi", "cases"],
        "read": False,
    }
    assert created.token not in str(decision)


def test_a_token_for_every_playbook_that_only_reads():
    held = store()
    created = tokens.create(held, "bi", None, [], True, BY, NOW)
    assert (created.row.playbooks, created.row.kinds, created.row.can_read) == (None, [], True)
    assert held.held.governance.changes[0].decisions[0].figures["playbooks"] is None


def test_the_playbooks_named_are_kept_once_in_order():
    created = tokens.create(store(), "two", ["support-replies", "other", "other"], ["kpi"], False, BY, NOW)
    assert created.row.playbooks == ["other", "support-replies"]


@pytest.mark.parametrize(
    ("name", "playbooks", "kinds", "can_read", "said"),
    [
        ("Warehouse", None, ["kpi"], False, "'Warehouse': name a token with lowercase letters"),
        ("-lead", None, ["kpi"], False, "name a token with lowercase letters"),
        ("a" * 25, None, ["kpi"], False, "at most 24 characters"),
        ("ok", None, ["kpi", "checkin"], False, "checkin: a token reports kpi, guardrail, cases"),
        ("ok", None, [], False, "a token that may neither report nor read would be refused everything"),
        (
            "ok",
            ["support-replie"],
            ["kpi"],
            False,
            "there is no playbook 'support-replie' (did you mean support-replies?)",
        ),
        ("ok", ["zzz"], ["kpi"], False, "there is no playbook 'zzz'"),
    ],
)
def test_what_create_refuses_writes_nothing(name, playbooks, kinds, can_read, said):
    held = store()
    with pytest.raises(tokens.TokenRefused) as raised:
        tokens.create(held, name, playbooks, kinds, can_read, BY, NOW)
    assert said in str(raised.value)
    assert held.held.tokens == {} and held.held.governance.changes == [] and held.commits() == 0


def test_a_name_is_taken_for_good_even_once_revoked():
    held = store()
    tokens.create(held, "warehouse", None, ["kpi"], False, BY, NOW)
    tokens.revoke(held, "warehouse", BY, NOW)
    with pytest.raises(tokens.TokenRefused) as raised:
        tokens.create(held, "warehouse", None, ["kpi"], False, BY, NOW)
    assert "a token named 'warehouse' exists (a revoked token keeps its name" in str(raised.value)
    assert len(held.held.tokens) == 1 and len(held.held.governance.changes) == 2


def test_a_revoked_token_is_refused_at_once_and_the_revocation_recorded():
    held = store()
    created = tokens.create(held, "warehouse", None, ["kpi"], False, BY, NOW)
    tokens.revoke(held, "warehouse", "cli:admin", NOW)
    assert held.tokens.by_hash(created.row.token_hash) is None
    decision = held.held.governance.changes[-1].decisions[0]
    assert (decision.kind, decision.actor, decision.figures) == (
        DecisionKind.TOKEN_REVOKED,
        "cli:admin",
        {"token": "warehouse"},
    )


@pytest.mark.parametrize("revoked_before", [False, True])
def test_revoking_no_token_in_use_is_refused_and_recorded_nowhere(revoked_before):
    held = store()
    if revoked_before:
        tokens.create(held, "warehouse", None, ["kpi"], False, BY, NOW)
        tokens.revoke(held, "warehouse", BY, NOW)
    told = len(held.held.governance.changes)
    with pytest.raises(tokens.TokenRefused) as raised:
        tokens.revoke(held, "warehouse", BY, NOW)
    assert "there is no token 'warehouse' in use (`rollout token list` shows them)" in str(raised.value)
    assert len(held.held.governance.changes) == told
