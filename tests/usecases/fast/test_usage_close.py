"""The close's usage rule on its own (usecases/shared/close/usage.py): a week checked from
a reading given by hand, what the team's summary is then given to say (`said`), and each
verdict's line rendered within Block Kit's limits at its longest. End to end on both
databases: tests/usecases/test_usage_close.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from cadence.calendar import WeekRef
from cadence.figures import Attestation, WeekFigures
from cadence.schedule import Due
from cadence.usage import NOT_ATTESTED, NOT_CHECKED, TOO_FEW, UNKNOWN, USED, WITHOUT_USAGE, TeamWeek
from storage.governance_rows import StepHistory
from templates import check_block_limits, render
from tests import fakes
from tests.templates.contexts import contexts
from tests.templates.contexts.posts import usage_said
from usecases.shared.close import reads, usage
from usecases.shared.close.week import Round, WeekClose
from usecases.shared.usage_weeks import UsageReading

MONDAY = date(2026, 3, 2)
TEAM = "CTEAM00001"


def _week(**playbook) -> WeekClose:
    state = fakes.a_playbook(channel=TEAM, **playbook)
    pid = state.playbook.id
    due = Due(f"close:{pid}:{MONDAY}", "close", datetime(2026, 3, 9, 12, tzinfo=UTC), pid, WeekRef(1, 1, MONDAY))
    return WeekClose(state, due)


def _read(week: WeekClose, covered=("copilot",), active: dict[str, int] | None = None, people=6, followed=True):
    """The rule's read: the sources covering `covered`, the team's counts of each tool in
    `active` (a tool left out: its week not pulled), one check-in of the week."""
    kept = {(TEAM, t, MONDAY): TeamWeek(TEAM, t, MONDAY, people, n, 2 * n, 0) for t, n in (active or {}).items()}
    said = Attestation("UMEMBER001", "followed" if followed else "deviated", None, None)
    figures = {reads.of_week(week): WeekFigures(MONDAY, None, 0, attestations=[said])}
    whole = {tool: MONDAY + timedelta(days=6) for tool in covered}  # each pulled through the week's Sunday
    return usage.Read(UsageReading(frozenset(covered), kept, whole), reads.Weeks(figures, StepHistory({}, {})), {})


def _closed(week: WeekClose, read: usage.Read):
    week.judge(usage.RULE, read)
    followed = read.weeks.figures[reads.of_week(week)].followed > 0
    checked = read.usage.week(week.state, MONDAY, followed)  # every surface's check (usage_weeks.py)
    found = week.outcome(usage.RULE)
    assert (found and found.week) == (None if checked.check.verdict == NOT_CHECKED else checked)
    return found and found.week, usage.said(week, Round(None, None, [week], {usage.RULE.read: read}))


def test_a_week_followed_while_no_one_used_the_tool_is_attested_without_usage():
    week = _week(tool="copilot")
    found, said = _closed(week, _read(week, active={"copilot": 0}))
    assert found.check.verdict == WITHOUT_USAGE and found.check.unused == ("copilot",)
    assert said == usage.Said(WITHOUT_USAGE, ("copilot",), 6)


def test_a_week_used_shows_the_team_s_figures_only_at_the_floor():
    week = _week(tool="copilot")
    found, said = _closed(week, _read(week, active={"copilot": 4}))
    assert said == usage.Said(USED, ("copilot",), 6, (found.counts["copilot"],))
    small = _week(tool="copilot")
    _, said = _closed(small, _read(small, active={"copilot": 1}, people=4))  # under the pulse's floor of 5
    assert said == usage.Said(TOO_FEW, (), None)  # neither its figures nor its verdict
    _, said = _closed(small, _read(small, active={"copilot": 0}, people=4))
    assert said == usage.Said(TOO_FEW, (), None)  # "no one used it" of four is each one's use


def test_a_week_not_pulled_is_unknown_naming_the_tools_not_pulled():
    week = _week(
        tool="copilot",
        steps=[{"name": "draft", "mode": "ai-led", "tool": "gemini"}, {"name": "send", "mode": "collaborative"}],
    )
    found, said = _closed(week, _read(week, covered=("copilot", "gemini"), active={"copilot": 0}))
    assert found.check.verdict == UNKNOWN  # one tool unknown: the week too, never "without usage"
    assert said == usage.Said(UNKNOWN, ("gemini",), 6)


def test_nothing_is_said_without_a_claim_a_covered_tool_or_a_tool_at_all():
    week = _week(tool="copilot")
    found, said = _closed(week, _read(week, active={"copilot": 0}, followed=False))
    assert found.check.verdict == NOT_ATTESTED and said is None
    for playbook, covered in (({"tool": "copilot"}, ("gemini",)), ({}, ("copilot",)), ({"tool": "copilot"}, ())):
        week = _week(**playbook)
        assert _closed(week, _read(week, covered=covered, active={"copilot": 0})) == (None, None)


def test_a_human_led_step_s_tool_is_not_checked():
    week = _week(steps=[{"name": "draft", "mode": "human-led", "tool": "copilot"}])
    assert _closed(week, _read(week, active={"copilot": 0})) == (None, None)


@pytest.mark.parametrize("verdict", [WITHOUT_USAGE, UNKNOWN, USED])
def test_each_verdict_s_line_renders_within_block_kit_s_limits(verdict):
    message = render("week_closed", **{**contexts("x" * 10_000)["week_closed"], "usage": usage_said(verdict)})
    check_block_limits(message)
    texts = [str(b) for b in message["blocks"] if "tttt" in str(b)]
    assert len(texts) == 1 and "more tools" in texts[0]


def test_a_week_not_pulled_through_its_sunday_proves_use_but_never_that_no_one_used_it():
    """A vendor's lag, a pull that failed mid-week: the days in can show someone used the
    tool, but a 0 of some days is not a 0 of the week."""
    week = _week(tool="copilot")
    partial = _read(week, active={"copilot": 0})
    partial = usage.Read(replace(partial.usage, through={"copilot": MONDAY + timedelta(days=4)}), partial.weeks, {})
    found, _ = _closed(week, partial)
    assert found.check.verdict == UNKNOWN
    used = _read(week, active={"copilot": 2})
    used = usage.Read(replace(used.usage, through={"copilot": MONDAY + timedelta(days=4)}), used.weeks, {})
    found, _ = _closed(week, used)
    assert found.check.verdict == USED
