"""A week's attestations against the tools' own records (cadence/usage.py): a gap in the
records is never read as nobody using the tool."""

from cadence.usage import (
    NOT_ATTESTED,
    NOT_CHECKED,
    UNKNOWN,
    USED,
    WITHOUT_USAGE,
    UsageCheck,
    check_week,
)

COVERED = frozenset({"copilot", "claude-code"})


def test_a_week_attested_while_no_one_used_the_declared_tool_is_attested_without_usage():
    assert check_week(True, ["copilot"], COVERED, {"copilot": 0}) == UsageCheck(WITHOUT_USAGE, ("copilot",))
    assert check_week(True, ["copilot"], COVERED, {"copilot": 3}) == UsageCheck(USED)


def test_each_declared_tool_is_checked_and_the_unused_ones_named():
    week = check_week(True, ["copilot", "claude-code", "copilot"], COVERED, {"copilot": 2, "claude-code": 0})
    assert week == UsageCheck(WITHOUT_USAGE, ("claude-code",))


def test_a_failed_or_late_pull_is_unknown_never_zero():
    assert check_week(True, ["copilot"], COVERED, {}) == UsageCheck(UNKNOWN)
    assert check_week(True, ["copilot", "claude-code"], COVERED, {"copilot": 0, "claude-code": None}).verdict == UNKNOWN


def test_tools_no_source_covers_are_not_checked():
    assert check_week(True, ["cursor"], COVERED, {"cursor": 0}) == UsageCheck(NOT_CHECKED)
    assert check_week(True, [], COVERED, {}) == UsageCheck(NOT_CHECKED)
    assert check_week(True, ["cursor", "copilot"], COVERED, {"copilot": 0}).unused == ("copilot",)


def test_a_week_nobody_attested_followed_makes_no_claim_to_check():
    assert check_week(False, ["copilot"], COVERED, {"copilot": 0}) == UsageCheck(NOT_ATTESTED)
