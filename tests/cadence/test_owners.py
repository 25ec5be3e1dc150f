"""Named operational owners (docs/playbooks.md, "Named operational owners"): the YAML's
`owners:`, who a definition names, and readiness's (5) ownership over all of them."""

import copy

import pytest

from cadence import definition_owners, readiness
from cadence.definition_load import DefinitionError, parse_playbook
from templates.readiness import criterion_phrase
from tests.conftest import SUPPORT_REPLIES


def _with(**extra):
    return {**copy.deepcopy(SUPPORT_REPLIES), **extra}


def test_owners_take_a_mention_or_an_id_and_are_optional():
    spec = parse_playbook(_with(owners={"business_rules": "<@UBIZRULES1>", "model_updates": "UMODELS001"}))
    assert spec.canonical()["owners"] == {"business_rules": "UBIZRULES1", "model_updates": "UMODELS001"}
    one = parse_playbook(_with(owners={"model_updates": "<@UMODELS001|mo>"})).canonical()
    assert one["owners"] == {"model_updates": "UMODELS001"}
    assert "owners" not in parse_playbook(SUPPORT_REPLIES).canonical()  # existing playbooks read as before
    assert "owners" not in parse_playbook(_with(owners={})).canonical()


@pytest.mark.parametrize(
    ("owners", "said"),
    [
        ({"business_rules": "dana"}, "owners.business_rules: must be a Slack user id"),
        ({"pricing": "UBIZRULES1"}, "owners.pricing"),
    ],
)
def test_a_bad_owner_is_refused_naming_the_field(owners, said):
    with pytest.raises(DefinitionError) as refused:
        parse_playbook(_with(owners=owners))
    assert said in str(refused.value)


def test_named_lists_the_owner_the_exception_owner_and_the_operational_owners():
    definition = {"exception_owner": "UQUEUE0001", "owners": {"model_updates": "UMODELS001"}}
    assert definition_owners.named(definition, "UOWNER0001") == [
        ("owner", "UOWNER0001"),
        ("exception owner", "UQUEUE0001"),
        ("model updates owner", "UMODELS001"),
    ]
    assert definition_owners.named({"exception_owner": "UOWNER0001"}, "UOWNER0001") == [("owner", "UOWNER0001")]
    # an adopted playbook's definition names the origin's people: only its owner is its own
    assert definition_owners.named(definition, "UADOPTER01", adopted=True) == [("owner", "UADOPTER01")]


def _ownership(owner_active, owners):
    [criterion] = [
        c
        for c in readiness.readiness(
            asked=4,
            answered=4,
            min_attestation=0.75,
            steps=[],
            inputs=["a"],
            outputs=["b"],
            learnings={1: 1, 2: 1},
            cycles=[1, 2],
            owner_active=owner_active,
            owners=owners,
        )
        if c.name == "owner"
    ]
    return criterion


def test_ownership_needs_every_named_owner_active():
    everyone = [("owner", "UOWNER0001", True), ("business rules owner", "UBIZRULES1", True)]
    met = _ownership(True, everyone)
    assert met.met and met.figures == dict(active=True, others=["business rules owner"], inactive=[], unnamed=[])
    assert criterion_phrase(dict(name="owner", met=True, **met.figures)) == (
        "✅ Ownership: the owner and the business rules owner are active Slack users"
    )
    gone = _ownership(True, [everyone[0], ("business rules owner", "UBIZRULES1", False)])
    assert not gone.met and gone.figures["inactive"] == [dict(role="business rules owner", user="UBIZRULES1")]
    assert criterion_phrase(dict(name="owner", met=False, **gone.figures)) == (
        "❌ Ownership: the business rules owner is not an active Slack user"
    )
    both = _ownership(False, [("owner", "UOWNER0001", False), ("exception owner", "UQUEUE0001", False)])
    assert criterion_phrase(dict(name="owner", met=False, **both.figures)) == (
        "❌ Ownership: the owner and the exception owner are not active Slack users"
    )


def test_ownership_without_other_owners_reads_as_before():
    alone = _ownership(False, [("owner", "UOWNER0001", False)])
    assert not alone.met and alone.figures["others"] == [] and alone.figures["unnamed"] == []
    assert criterion_phrase(dict(name="owner", met=False, **alone.figures)) == "❌ Owner is not an active Slack user"
    kept = dict(name="owner", met=True, active=True)  # a judgement kept before, as it was
    assert criterion_phrase(kept) == "✅ Owner is an active Slack user"


def test_operational_owners_not_named_are_not_a_pass():
    """Readiness's (5): the business-rules and model-updates owners named (the owner may
    name themself); not named is ❌, naming which."""
    assert definition_owners.unnamed({}) == ["business rules owner", "model updates owner"]
    assert definition_owners.unnamed({"owners": {"business_rules": "UOWNER0001"}}) == ["model updates owner"]
    both = {"owners": {"business_rules": "UOWNER0001", "model_updates": "UOWNER0001"}}
    assert definition_owners.unnamed(both) == []
    [criterion] = [
        c
        for c in readiness.readiness(
            asked=4,
            answered=4,
            min_attestation=0.75,
            steps=[],
            inputs=[],
            outputs=[],
            learnings={},
            cycles=[],
            owner_active=True,
            unnamed=["model updates owner"],
        )
        if c.name == "owner"
    ]
    assert not criterion.met
    assert criterion_phrase(dict(name="owner", met=False, **criterion.figures)) == (
        "❌ Ownership: no model updates owner named"
    )
