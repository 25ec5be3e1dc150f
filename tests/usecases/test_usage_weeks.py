"""A team's weeks against its tools' records, as the close and every surface read them
(usecases/shared/usage_weeks.py), on both databases: the tools a playbook's AI steps
declare now, and each week's check from the team's counts kept."""

from __future__ import annotations

from datetime import UTC, date, datetime

import yaml

from cadence.definition_load import parse_playbook
from cadence.usage import NOT_CHECKED, UNKNOWN, USED, WITHOUT_USAGE, TeamWeek
from tests.committed import loaded
from tests.conftest import CHANNEL, SUPPORT_REPLIES
from usecases import usage
from usecases.shared import usage_weeks

AT = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)  # a Saturday: pulls through Friday
MONDAY_AFTER = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # pulls through Sunday
WEEK = date(2026, 11, 16)


def with_tools(store, **definition):
    loaded(store, [parse_playbook(SUPPORT_REPLIES | definition)], "UTC", actor="test", at=AT)
    return store.playbooks.state("support-replies")


def test_the_tools_checked_are_those_of_the_steps_run_with_ai_now(store):
    steps = [
        {"name": "draft", "mode": "collaborative", "tool": "claude-code"},
        {"name": "send", "mode": "ai-led"},
        {"name": "refunds", "mode": "human-led", "tool": "cursor"},  # a person's step: no claim to check
    ]
    state = with_tools(store, tool="copilot", steps=steps)
    assert usage_weeks.tools_of(state) == ["claude-code", "copilot"]
    assert usage_weeks.tools_of(with_tools(store, tool=None)) == []


def test_a_week_is_checked_against_the_counts_kept_and_unknown_where_none_were(store, tmp_path):
    state = with_tools(store, tool="gemini")
    assert usage_weeks.read(store, [state], WEEK).week(state, WEEK, True).check.verdict == NOT_CHECKED  # no source
    path = tmp_path / "gemini.csv"
    path.write_text("user,day\n")
    text = yaml.safe_dump({"usage": {"gemini": {"kind": "csv", "file": str(path)}}})
    assert usage.load(store, text, {}, "cli:rollout", AT) == []
    assert usage_weeks.read(store, [state], WEEK).week(state, WEEK, True).check.verdict == UNKNOWN  # not pulled
    team = {CHANNEL: [("U1", None), ("U2", None)]}

    usage.run(store, {}, team, AT)  # Saturday: Monday to Friday in, no one used it
    week = usage_weeks.read(store, [state], WEEK).week(state, WEEK, True)
    assert week.check.verdict == UNKNOWN  # a 0 of five days is not a 0 of the week
    assert week.counts == {"gemini": TeamWeek(CHANNEL, "gemini", WEEK, 2, 0, 0, 0)}

    usage.run(store, {}, team, MONDAY_AFTER)  # the week whole: still no one
    week = usage_weeks.read(store, [state], WEEK).week(state, WEEK, True)
    assert week.check.verdict == WITHOUT_USAGE and week.check.unused == ("gemini",)


def test_a_week_with_a_use_in_the_days_in_is_used_before_its_sunday_is(store, tmp_path):
    state = with_tools(store, tool="gemini")
    path = tmp_path / "gemini.csv"
    path.write_text("user,day\nU1-login,2026-11-18\n")
    text = yaml.safe_dump({"usage": {"gemini": {"kind": "csv", "file": str(path)}}})
    assert usage.load(store, text, {}, "cli:rollout", AT) == []
    with store.unit_of_work() as uow:
        uow.usage.map_logins([("gemini", "U1-login", "U1")])
        uow.commit()
    usage.run(store, {}, {CHANNEL: [("U1", None), ("U2", None)]}, AT)
    assert usage_weeks.read(store, [state], WEEK).week(state, WEEK, True).check.verdict == USED
