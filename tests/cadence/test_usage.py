"""Attested and used (cadence/usage.py), pure: a tool's user matched to a Slack person (the
mapping file's login first, then the email without case, never guessed), and a team's
weeks of each tool counted from the records: active people, their days, their seats."""

from datetime import date, timedelta

from cadence.usage import Seat, TeamWeek, UsageRecord, match, team_weeks

WEEK = date(2026, 11, 16)  # a Monday
BY_EMAIL = {"ada@example.com": "UADA", "bo@example.com": "UBO"}
BY_LOGIN = {"ada-gh": "UADA", "cy-gh": "UCY"}


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def user_of(login: str, email: str | None) -> str | None:
    return match(login, email, BY_EMAIL, BY_LOGIN)


def counted(records, seats=(), teams=None):
    return team_weeks(records, seats, user_of, teams or {"C1": frozenset({"UADA", "UBO", "UCY"})}, monday)


def test_the_mapping_file_s_login_comes_before_the_email():
    assert match("cy-gh", "bo@example.com", BY_EMAIL, BY_LOGIN) == "UCY"
    assert match("ada-gh", None, BY_EMAIL, BY_LOGIN) == "UADA"


def test_an_email_matches_without_case():
    assert match("someone", "Bo@Example.COM", BY_EMAIL, BY_LOGIN) == "UBO"
    assert match("BO@example.com", None, BY_EMAIL, BY_LOGIN) == "UBO"  # a login that is an email


def test_no_match_is_guessed():
    assert match("bo", None, BY_EMAIL, BY_LOGIN) is None
    assert match("ADA-GH", None, BY_EMAIL, BY_LOGIN) is None  # a login is the tool's own, as the file gives it
    assert match("bo@example.com", "nobody@example.com", BY_EMAIL, BY_LOGIN) is None  # the email the tool gave


def test_a_person_active_on_three_days_is_one_active_person_with_three_days():
    records = [UsageRecord("copilot", "ada-gh", WEEK + timedelta(days=n)) for n in (0, 2, 4)]
    records.append(UsageRecord("copilot", "ada-gh", WEEK + timedelta(days=2)))  # a day given twice: one day
    assert counted(records) == ([TeamWeek("C1", "copilot", WEEK, 3, 1, 3, 0)], 0)


def test_an_unmatched_user_is_counted_once_per_tool_and_login():
    records = [
        UsageRecord("copilot", "stranger", WEEK),
        UsageRecord("copilot", "stranger", WEEK + timedelta(days=1)),
        UsageRecord("claude-code", "stranger", WEEK),  # another tool's: another
        UsageRecord("copilot", "other", WEEK, "other@example.com"),
    ]
    weeks, unmatched = counted(records, [Seat("copilot", "stranger")])  # a seat of one already counted
    assert unmatched == 3
    assert all(w.active == 0 and w.active_days == 0 for w in weeks)


def test_seats_are_counted_for_the_team_s_people_alone():
    records = [UsageRecord("copilot", "ada-gh", WEEK)]
    seats = [Seat("copilot", "ada-gh"), Seat("copilot", "x", "bo@example.com"), Seat("claude-code", "cy-gh")]
    teams = {"C1": frozenset({"UADA", "UBO"}), "C2": frozenset({"UCY", "UDEE"})}
    weeks, unmatched = counted(records, seats, teams)
    assert unmatched == 0
    assert weeks == [TeamWeek("C1", "copilot", WEEK, 2, 1, 1, 2), TeamWeek("C2", "copilot", WEEK, 2, 0, 0, 0)]


def test_records_of_two_weeks_go_to_two_weeks():
    records = [
        UsageRecord("copilot", "ada-gh", WEEK + timedelta(days=6)),  # Sunday
        UsageRecord("copilot", "ada-gh", WEEK + timedelta(days=7)),  # the next Monday
        UsageRecord("copilot", "cy-gh", WEEK + timedelta(days=8)),
    ]
    weeks, _ = counted(records)
    assert [(w.week, w.active, w.active_days) for w in weeks] == [(WEEK, 1, 1), (WEEK + timedelta(days=7), 2, 2)]


def test_each_tool_s_week_is_its_own():
    records = [UsageRecord("copilot", "ada-gh", WEEK), UsageRecord("claude-code", "ada-gh", WEEK, "ada@example.com")]
    weeks, _ = counted(records, teams={"C1": frozenset({"UADA"})})
    assert weeks == [TeamWeek("C1", "claude-code", WEEK, 1, 1, 1, 0), TeamWeek("C1", "copilot", WEEK, 1, 1, 1, 0)]


def test_a_week_the_pull_asked_about_is_counted_for_every_team_even_where_no_one_used_the_tool():
    """No record is a 0 where the source was asked about the week, and no row where it was not."""
    found, _ = team_weeks(
        [], (), user_of, {"C1": frozenset({"UADA"}), "C2": frozenset({"UBO"})}, monday, [("copilot", WEEK)]
    )
    assert found == [TeamWeek("C1", "copilot", WEEK, 1, 0, 0, 0), TeamWeek("C2", "copilot", WEEK, 1, 0, 0, 0)]
    assert team_weeks([], (), user_of, {"C1": frozenset({"UADA"})}, monday) == ([], 0)
