"""The kit form's lines as pure rules: an input's `name | owner | refresh | when missing`,
its owner's mention resolved or refused naming the line, a check kept by name."""

import pytest

from cadence import kit_lines
from cadence.kit_lines import LineProblem

PEOPLE = {"dana": ("UDANA00001",), "dana ruiz": ("UDANA00001",), "sam": ("USAM000001", "USAM000002")}


def test_an_input_line_is_a_contract_with_the_parts_given():
    entry = kit_lines.input_entry("refund export | @Dana | daily | triage by hand", 1, PEOPLE)
    assert entry == {
        "name": "refund export",
        "owner": "UDANA00001",
        "refresh": "daily",
        "when_missing": "triage by hand",
    }
    assert kit_lines.input_entry("ledger | <@UOWNER0001|owner> | | ask finance", 2, PEOPLE) == {
        "name": "ledger",
        "owner": "UOWNER0001",
        "when_missing": "ask finance",
    }
    assert kit_lines.input_entry("ledger |  | weekly", 1, {}) == {"name": "ledger", "refresh": "weekly"}
    assert kit_lines.input_entry("refund export", 1, {}) == "refund export"  # a name alone stays a name


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("a | @nobody", "Line 4: no one in the team channel is called @nobody"),
        ("a | @sam", "Line 4: 2 people in the team channel are called @sam"),
        ("a | dana", "Line 4: write the owner as @name or <@U0123456789>"),
        ("a | | c | d | e | f", "Line 4: write at most `name | owner | refresh | when missing | no check: reason`"),
        ("a | | c | d | e", "Line 4: after the fourth bar write `no check: <reason>`"),
        (" | @dana", "Line 4: name the input before the first bar"),
    ],
)
def test_a_line_that_cannot_be_read_is_refused_by_its_number(line, said):
    with pytest.raises(LineProblem) as refused:
        kit_lines.input_entry(line, 4, PEOPLE)
    assert str(refused.value).startswith(said)


def test_shown_and_read_back_is_the_same_and_a_check_is_kept_by_name():
    check = {"source": "warehouse", "query": "select count(*) from refunds", "min": 10}
    before = [{"name": "Refund export", "owner": "UDANA00001", "refresh": "daily", "check": check}, "ledger"]
    text = "\n".join(kit_lines.input_line(e) for e in before)
    assert text == "Refund export | <@UDANA00001> | daily\nledger"
    assert kit_lines.inputs(text, before, {}) == before
    renamed = kit_lines.inputs("refund export\n\nnew feed | @dana", before, PEOPLE)
    assert renamed == [{"name": "refund export", "check": check}, {"name": "new feed", "owner": "UDANA00001"}]


def test_only_an_at_name_asks_for_the_teams_names():
    assert kit_lines.mentioned("a | @dana")
    assert not kit_lines.mentioned("a | <@UDANA00001>\n@dana is not an owner here")


def test_the_missing_criterion_is_the_input_contract():
    assert kit_lines.missing({}) == ["(3) an input contract: no inputs and no outputs declared"]
    assert kit_lines.missing({"inputs": ["a"]}) == ["(3) an input contract: no outputs declared"]
    assert kit_lines.missing({"inputs": ["a"], "outputs": ["b"]}) == [
        "(3) an input contract: a: no owner, refresh or when-missing"
    ]
    whole = {"name": "a", "owner": "U0123456789", "refresh": "daily", "when_missing": "wait"}
    assert kit_lines.missing({"inputs": [whole], "outputs": ["b"]}) == []


def test_an_input_declared_unchecked_in_the_form_keeps_its_reason_and_reads_back():
    entry = kit_lines.input_entry("a | <@U0123456789> | daily | wait | no check: typed by hand", 1, PEOPLE)
    assert entry == {
        "name": "a",
        "owner": "U0123456789",
        "refresh": "daily",
        "when_missing": "wait",
        "check": "none",
        "reason": "typed by hand",
    }
    assert kit_lines.input_line(entry) == "a | <@U0123456789> | daily | wait | no check: typed by hand"
