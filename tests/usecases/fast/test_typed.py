"""From the words typed to what is written, without Slack: handlers/grammar.py's parse,
then the use case, on the fakes. The numbers no report may hold (NaN, infinities, a
fraction of a case, a score above 1) are refused by the grammar, before any use case."""

from __future__ import annotations

import pytest

from handlers import grammar
from tests import fakes
from tests.fakes import MEMBER, OWNER
from usecases import commands
from usecases.shared import messages
from usecases.shared.caller import Refusal

NOT_NUMBERS = ["nan", "NaN", "inf", "-inf", "Infinity", "1e999", "-1e999", "thirty"]


@pytest.mark.parametrize("number", NOT_NUMBERS)
@pytest.mark.parametrize("kind", ["kpi", "guardrail"])
def test_a_reading_that_is_no_number(kind, number):
    with pytest.raises(Refusal) as raised:
        grammar.parse(f"{kind} support-replies {number}")
    assert raised.value.key == "not_a_number"


def test_a_decimal_comma():
    with pytest.raises(Refusal) as raised:
        grammar.parse("kpi support-replies 1,5")
    assert raised.value.key == "decimal_comma"


@pytest.mark.parametrize(
    ("number", "key"), [("nan", "not_a_count"), ("inf", "not_a_count"), ("-1", "count_negative"), ("x", "not_a_count")]
)
def test_a_case_count_that_is_no_count(number, key):
    with pytest.raises(Refusal) as raised:
        grammar.parse(f"cases support-replies draft {number}")
    assert raised.value.key == key


def test_a_fraction_of_a_case():
    with pytest.raises(Refusal) as raised:
        grammar.parse("cases support-replies draft 2.5")
    assert raised.value.key == "count_fraction"


@pytest.mark.parametrize(
    ("score", "key"), [("nan", "not_a_number"), ("inf", "not_a_number"), ("1.5", "score_not_fraction")]
)
def test_a_score_that_is_no_fraction(score, key):
    with pytest.raises(Refusal) as raised:
        grammar.parse(f"rubric support-replies draft {score}")
    assert raised.value.key == key


TYPED = [
    ("kpi support-replies 31", MEMBER, "kpi", {"value": 31.0}),
    ("kpi support-replies 31 week:2", MEMBER, "kpi", {"value": 31.0}),
    ("guardrail support-replies 4.7", MEMBER, "guardrail", {"value": 4.7}),
    ("cases support-replies draft 40", OWNER, "cases", {"cases": 40}),
    ("rubric support-replies draft 18/20", OWNER, "rubric", {"score": 0.9, "reviewed": 20}),
    ("rubric support-replies draft 0.95", OWNER, "rubric", {"score": 0.95, "reviewed": None}),
    ("exception support-replies refunds policy gap", OWNER, "exception", {"reason": "policy gap"}),
    ("attest support-replies followed", MEMBER, "checkin", {"attestation": "followed"}),
]


@pytest.mark.parametrize(("text", "user", "kind", "values"), TYPED)
def test_typed_and_written(text, user, kind, values):
    services = fakes.services(fakes.a_playbook())
    cmd = grammar.parse(text)
    name = {"checkin": "attest"}.get(kind, kind)
    getattr(commands, name)(fakes.caller(services, user), cmd)
    [row] = fakes.store_of(services).reports.stored()
    assert row.kind == kind
    assert {k: row.values[k] for k in values} == values


def test_a_percent_typed_for_a_kpi_in_minutes():
    services = fakes.services(fakes.a_playbook())
    cmd = grammar.parse("kpi support-replies 93%")
    assert isinstance(cmd, messages.Kpi) and cmd.percent
    with pytest.raises(Refusal) as raised:
        commands.kpi(fakes.caller(services), cmd)
    assert raised.value.key == "kpi_not_percent"
