"""Attested and used, end to end on both databases (usecases/usage.py): the usage file
loaded, each source pulled (a CSV file of the test's own, GitHub Copilot's stand-in over
loopback), its records matched to a team given as Slack's data, counted per team and week
and recorded; a failing source recorded as failing and told once; a dry run storing
nothing; the mapping file; and no login, email or Slack id of a tool's user left in the
database after a pull."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import text

from bot.demo.standin.usage_copilot import CopilotStandIn
from cadence.usage import TeamWeek
from tests.storage.test_usage import _files, _holding
from usecases import usage
from usecases.usage import Passed, days_to_pull

AT = datetime(2026, 11, 21, 6, 0, tzinfo=UTC)  # a Saturday: yesterday is Friday 20 November
WEEK1, WEEK2 = date(2026, 11, 9), date(2026, 11, 16)
FIRST_DAYS = tuple(WEEK1 + timedelta(days=n) for n in range(12))  # a new source's: back to its week's Monday
TEAM, SMALL = "CZQ0001", "CZQ0002"
PEOPLE = [(f"UZQ000{n}", f"zq{n}@example.com") for n in range(1, 7)]
TEAMS = {TEAM: PEOPLE, SMALL: [("UZQ0007", None), ("UZQ0008", "zq8@example.com")]}
BY = "cli:rollout"


@pytest.fixture
def github():
    standin = CopilotStandIn().start()
    yield standin
    standin.stop()


def loaded(store, sources: dict, env: dict | None = None) -> None:
    assert usage.load(store, yaml.safe_dump({"usage": sources}), env or {}, BY, AT) == []


def csv_file(tmp_path, *rows: str) -> str:
    path = tmp_path / "gemini.csv"
    path.write_text("user,day,email\n" + "".join(f"{row}\n" for row in rows))
    return str(path)


def rows(store, table: str) -> int:
    with store.engine.connect() as c:
        return c.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def weeks(store, tool: str) -> list[tuple]:
    return [
        (w.channel_id, w.week, w.people, w.active, w.active_days, w.seats)
        for w in store.usage.weeks([TEAM, SMALL], WEEK1)
        if w.tool == tool
    ]


def test_a_csv_file_s_records_are_counted_per_team_and_week_and_only_the_counts_kept(store, tmp_path):
    logins = ["zq-login-1", "zq-login-2", "zq-stranger"]
    path = csv_file(
        tmp_path,
        "zq-login-1,2026-11-10,ZQ1@Example.com",  # matched by email, without case
        "zq-login-1,2026-11-11T23:30:00+00:00,zq1@example.com",
        "zq-login-1,2026-11-11,zq1@example.com",  # the same day again: one day
        "zq-login-2,2026-11-17,zq2@example.com",
        "zq-stranger,2026-11-17,stranger@example.com",  # no team's person: unmatched
        "zq-login-3,2026-10-01,zq3@example.com",  # a day not asked
    )
    loaded(store, {"gemini": {"kind": "csv", "file": path}})

    assert usage.run(store, {}, TEAMS, AT) == [Passed("gemini", FIRST_DAYS, 2, 1)]

    assert weeks(store, "gemini") == [
        (TEAM, WEEK1, 6, 1, 2, 0),
        (TEAM, WEEK2, 6, 1, 1, 0),
        (SMALL, WEEK1, 2, 0, 0, 0),  # asked, and no one used it: a 0
        (SMALL, WEEK2, 2, 0, 0, 0),
    ]
    assert store.usage.pulls()["gemini"].last_day == date(2026, 11, 20)
    assert usage.run(store, {}, TEAMS, AT) == [Passed("gemini", (), 0, 0)]  # pulled through yesterday
    emails = [email for _, email in PEOPLE] + ["ZQ1@Example.com", "stranger@example.com"]
    users = [user for user, _ in PEOPLE]
    files = _files(store)
    assert _holding(files, TEAM) != {}  # the scan finds what is kept
    assert _holding(files, *logins, *emails, *users) == {}


def test_copilot_and_a_csv_file_pulled_in_one_pass_the_logins_matched_by_the_mapping_file(store, tmp_path, github):
    for day in (date(2026, 11, 10), date(2026, 11, 12), date(2026, 11, 17)):
        github.add_use(day, "octo-1")
    github.add_use(date(2026, 11, 18), "octo-9")  # mapped to no one
    github.add_seat("octo-1")
    github.add_seat("octo-2")
    assert usage.map_logins(store, "tool,login,slack_user\ncopilot,octo-1,UZQ0001\ncopilot,octo-2,UZQ0002\n") == (
        2,
        [],
    )
    env = {"COPILOT_TOKEN": github.token}
    copilot = {"kind": "copilot", "org": "acme", "token_env": "COPILOT_TOKEN", "url": github.url}
    loaded(
        store,
        {"copilot": copilot, "gemini": {"kind": "csv", "file": csv_file(tmp_path, "zq6,2026-11-19,zq6@example.com")}},
        env,
    )

    passed = usage.run(store, env, TEAMS, AT)

    assert passed == [Passed("copilot", FIRST_DAYS, 2, 1), Passed("gemini", FIRST_DAYS, 2, 0)]
    assert weeks(store, "copilot") == [
        (TEAM, WEEK1, 6, 1, 2, 2),
        (TEAM, WEEK2, 6, 1, 1, 2),
        (SMALL, WEEK1, 2, 0, 0, 0),
        (SMALL, WEEK2, 2, 0, 0, 0),
    ]
    assert weeks(store, "gemini")[:2] == [(TEAM, WEEK1, 6, 0, 0, 0), (TEAM, WEEK2, 6, 1, 1, 0)]
    held = _holding(_files(store), "octo-1", "octo-2", "octo-9", github.token)
    assert set(held) <= {"usage_login", "pk_usage_login", "sqlite_autoindex_usage_login_1"}, held
    assert all(found <= {"octo-1", "octo-2"} for found in held.values())


def test_a_failing_source_is_recorded_told_once_and_does_not_stop_the_others(store, tmp_path, github):
    github.add_use(date(2026, 11, 17), "octo-1")
    missing = tmp_path / "gone.csv"
    copilot = {"kind": "copilot", "org": "acme", "token_env": "COPILOT_TOKEN", "url": github.url}
    loaded(store, {"copilot": copilot, "gemini": {"kind": "csv", "file": str(missing)}}, {"COPILOT_TOKEN": "t0k3n"})
    env = {"COPILOT_TOKEN": github.token}

    first = usage.run(store, env, TEAMS, AT)
    untold = usage.run(store, env, TEAMS, AT + timedelta(minutes=5))  # the notice not recorded as given: asked again
    with store.unit_of_work() as uow:  # the caller's notice given (the clock's job enqueues it, then this)
        assert uow.usage.told("gemini")
        uow.commit()
    again = usage.run(store, env, TEAMS, AT + timedelta(hours=1))

    said = f"no file at {missing}"
    assert first == [Passed("copilot", FIRST_DAYS, 2, 1), Passed("gemini", (), 0, 0, said, tell=True)]
    assert untold[1] == Passed("gemini", (), 0, 0, said, tell=True)
    assert again == [Passed("copilot", (), 0, 0), Passed("gemini", (), 0, 0, said, tell=False)]
    pull = store.usage.pulls()["gemini"]
    assert (pull.last_day, pull.last_error, pull.failing_since) == (None, said, AT)
    assert weeks(store, "gemini") == []  # usage unknown: no row, never a 0

    gone = usage.run(store, {}, TEAMS, AT + timedelta(days=1), only="copilot")  # its variable unset here
    assert gone == [Passed("copilot", (), 0, 0, "environment variable COPILOT_TOKEN is not set", tell=True)]
    assert store.usage.pulls()["copilot"].last_day == date(2026, 11, 20)  # kept where it was
    with pytest.raises(ValueError, match="no usage source cursor"):
        usage.run(store, env, TEAMS, AT, only="cursor")


def test_a_dry_run_returns_the_counts_and_stores_nothing(store, tmp_path):
    loaded(store, {"gemini": {"kind": "csv", "file": csv_file(tmp_path, "zq-login-2,2026-11-17,zq2@example.com")}})
    usage.run(store, {}, TEAMS, AT)
    before = {table: rows(store, table) for table in ("usage_week", "usage_pull", "usage_login", "decision")}
    path = csv_file(tmp_path, "zq-login-2,2026-11-17,zq2@example.com", "zq-login-3,2026-11-18,zq3@example.com")

    (passed,) = usage.run(store, {}, {TEAM: PEOPLE}, AT, dry_run=True)  # pulled through yesterday: asks all the same

    assert (passed.source, passed.days, passed.teams, passed.error, passed.tell) == (
        "gemini",
        FIRST_DAYS,
        1,
        None,
        False,
    )
    assert passed.weeks == (
        TeamWeek(TEAM, "gemini", WEEK1, 6, 0, 0, 0),
        TeamWeek(TEAM, "gemini", WEEK2, 6, 2, 2, 0),
    )
    assert {table: rows(store, table) for table in before} == before
    assert weeks(store, "gemini")[1] == (TEAM, WEEK2, 6, 1, 1, 0)  # the stored counts, unchanged
    Path(path).unlink()
    (failed,) = usage.run(store, {}, TEAMS, AT, dry_run=True, only="gemini")
    assert failed.error == f"no file at {path}" and not failed.tell  # a rehearsal's failure: told to no one
    assert {table: rows(store, table) for table in before} == before
    assert store.usage.pulls()["gemini"].last_error is None


@pytest.mark.parametrize(
    ("last_day", "today", "first", "last"),
    [
        (None, date(2026, 11, 21), date(2026, 11, 9), date(2026, 11, 20)),  # new: 7 days, back to their Monday
        (None, date(2026, 11, 17), date(2026, 11, 9), date(2026, 11, 16)),
        (date(2026, 11, 18), date(2026, 11, 21), date(2026, 11, 16), date(2026, 11, 20)),  # the week recounted whole
        (date(2026, 11, 16), date(2026, 11, 18), date(2026, 11, 16), date(2026, 11, 17)),
        (date(2026, 11, 15), date(2026, 11, 17), date(2026, 11, 16), date(2026, 11, 16)),  # a new week begins
        (
            date(2026, 9, 1),
            date(2026, 11, 21),
            date(2026, 10, 26),
            date(2026, 11, 20),
        ),  # 31 days at most, from a Monday
        (date(2026, 9, 1), date(2026, 11, 19), date(2026, 10, 19), date(2026, 11, 18)),  # exactly 31
    ],
)
def test_the_days_a_pull_asks(last_day, today, first, last):
    days = days_to_pull(last_day, today)
    assert days == tuple(first + timedelta(days=n) for n in range((last - first).days + 1))
    assert days[0].weekday() == 0 and len(days) <= 31


@pytest.mark.parametrize("last_day", [date(2026, 11, 20), date(2026, 11, 21), date(2026, 11, 25)])
def test_nothing_is_asked_once_yesterday_was_pulled(last_day):
    assert days_to_pull(last_day, date(2026, 11, 21)) == ()


def test_the_mapping_file_is_kept_whole_or_not_at_all(store):
    good = "tool,login,slack_user\ncopilot,octo-1,UZQ0001\n\nopenai,user-abc,WZQ0002\ncopilot,octo-1,UZQ0001\n"
    assert usage.map_logins(store, good) == (3, [])
    assert store.usage.logins("copilot") == {"octo-1": "UZQ0001"}
    assert store.usage.logins("openai") == {"user-abc": "WZQ0002"}

    bad = (
        "tool,login,slack_user\n"
        "copilot,octo-2,UZQ0002\n"
        "copilot,octo-3\n"
        "Copilot!,octo-4,UZQ0004\n"
        "copilot,octo-5,alice\n"
        "copilot,,UZQ0006\n"
        "copilot,octo-2,UZQ0009\n"
    )
    assert usage.map_logins(store, bad) == (
        0,
        [
            "line 3: 2 cells; a row is tool,login,slack_user",
            "line 4: 'Copilot!' is not a tool's name (lowercase letters, digits, - or _)",
            "line 5: 'alice' is not a Slack user's id (U… or W…)",
            "line 6: no login",
            "line 7: its login is mapped to another person on line 2 already",
        ],
    )
    assert usage.map_logins(store, "login,tool,slack_user\n") == (
        0,
        ["line 1: the header row is tool,login,slack_user"],
    )
    assert usage.map_logins(store, "") == (0, ["line 1: the header row is tool,login,slack_user"])
    assert store.usage.logins("copilot") == {"octo-1": "UZQ0001"}  # the good file's, untouched


def test_load_refuses_a_file_whole_and_records_a_good_one_as_a_setting(store, tmp_path):
    refused = [
        "usage: [",
        yaml.safe_dump({"usage": {"copilot": {"kind": "copilot", "token_env": "COPILOT_TOKEN"}}}),  # no org
        yaml.safe_dump({"usage": {"copilot": {"kind": "copilot", "org": "acme", "token_env": "COPILOT_TOKEN"}}}),
    ]
    said = [usage.load(store, text, {}, BY, AT) for text in refused]
    assert said[0][0].startswith("not YAML")
    assert said[1] == ["usage.copilot: a copilot source names its org or its enterprise, one of them"]
    assert said[2] == ["usage.copilot: the variable COPILOT_TOKEN is not set"]
    assert store.org.setting(usage.SETTING) is None and usage.sources_of(store) == {}
    assert rows(store, "decision") == 0

    loaded(store, {"gemini": {"kind": "csv", "file": str(tmp_path / "g.csv"), "user": "login"}})
    assert list(usage.sources_of(store)) == ["gemini"] and usage.sources_of(store)["gemini"].user == "login"
    with store.engine.connect() as c:
        decided = c.execute(text("SELECT kind, actor, summary FROM decision")).all()
    assert [tuple(row) for row in decided] == [("setting-changed", BY, "usage_sources set to gemini (csv).")]
