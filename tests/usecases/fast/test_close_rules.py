"""The close's rules and their outcomes (usecases/shared/close/week.py, issue 110 item 3): a
rule's outcome is kept under its name, a rule reads only the outcomes it declares it
needs, and the registry's order must put each rule after the rules it needs."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cadence.calendar import WeekRef
from cadence.schedule import Due
from tests import fakes
from usecases.shared.close.registry import RULES
from usecases.shared.close.week import CloseRule, WeekClose, check_order, nothing


def _week() -> WeekClose:
    state = fakes.a_playbook()
    monday = date(2026, 3, 2)
    closes = datetime(2026, 3, 9, 12, tzinfo=UTC)
    return WeekClose(
        state, Due(f"close:{state.playbook.id}:{monday}", "close", closes, state.playbook.id, WeekRef(1, 1, monday))
    )


def _rule(name: str, close=lambda week, read: None, needs: tuple[str, ...] = (), baseline: bool = False):
    return CloseRule(name, nothing, close, len, baseline=baseline, needs=needs)


def test_the_registry_lists_each_rule_after_the_rules_it_needs():
    check_order(RULES)
    named = [rule.name for rule in RULES]
    for rule in RULES:
        assert all(named.index(need) < named.index(rule.name) for need in rule.needs), rule.name


def test_a_rule_listed_before_one_it_needs_fails():
    steps = next(r for r in RULES if r.name == "steps")
    assert "pulse hold" in steps.needs
    rules = [r for r in RULES if r.name != "steps"]
    rules.insert([r.name for r in rules].index("pulse hold"), steps)
    with pytest.raises(ValueError, match="'steps' needs 'pulse hold'"):
        check_order(rules)


def test_a_rule_needing_one_not_listed_or_closing_other_weeks_fails():
    with pytest.raises(ValueError, match="'b' needs 'c'"):
        check_order([_rule("a"), _rule("b", needs=("c",))])
    with pytest.raises(ValueError, match="closes other weeks"):
        check_order([_rule("a", baseline=True), _rule("b", needs=("a",))])
    with pytest.raises(ValueError, match="listed twice"):
        check_order([_rule("a"), _rule("a")])


def test_a_rule_reads_the_outcomes_it_needs_and_no_other():
    week = _week()
    first = _rule("first", close=lambda week, read: {"found": 1})
    other = _rule("other", close=lambda week, read: "other's")
    week.judge(first, None)
    week.judge(other, None)
    reads = _rule("reads", close=lambda w, read: w.outcome(first), needs=("first",))
    week.judge(reads, None)
    assert week.outcome(reads) == {"found": 1}  # outside a rule (the summary): any outcome
    assert week.outcome(_rule("never closed")) is None
    strays = _rule("strays", close=lambda w, read: w.outcome(other), needs=("first",))
    with pytest.raises(ValueError, match="'strays' reads 'other'"):
        week.judge(strays, None)
