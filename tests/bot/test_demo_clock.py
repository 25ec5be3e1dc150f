"""A database `rollout demo` made is read at the demo's clock by every command (issue 108,
item 3): `playbook list` said "starts on 2027-01-04" of playbooks 13 weeks in, `digest
--dry-run` that no playbook had closed a week, `rollout mcp` cycle None, all on today's
date; only `mcp --demo` and `demo --serve` knew the demo's clock. The demo marks its
database with its story's last hour (bot/demo/view.py, `keep_run`), as it does at the end
of its run (the whole demo's own database: tests/bot/demo/test_demo_serve.py)."""

from datetime import UTC, date, datetime, timedelta

from bot.demo.view import keep_run
from cadence.definition_load import parse_playbook
from tests import reported
from tests.committed import loaded
from tests.conftest import OWNER, SUPPORT_REPLIES
from usecases.shared.life import begin_cycle

# A story in the future of any day this test runs: its cycle starts on a Monday to come
# and its last hour is Wednesday of its week 3, as the demo's 2027 is ahead of today.
STARTS_ON = date(2031, 1, 6)
ENDED_AT = datetime(2031, 1, 22, 9, 0, tzinfo=UTC)
SAID = (
    "This database was made by `rollout demo`: reading it as of Wed 2031-01-22 09:00 UTC, the demo's last day, "
    "not today."
)


def _a_story(store) -> int:
    """support-replies in cycle 1 from STARTS_ON, its first week's KPI reported."""
    made = ENDED_AT - timedelta(days=20)
    loaded(store, [parse_playbook({**SUPPORT_REPLIES, "timezone": "UTC"})], "UTC", actor="test", at=made)
    state = store.playbooks.state("support-replies")
    begin_cycle(store, state.playbook.id, 1, STARTS_ON, OWNER, made)
    reported.add_kpi_reading(store, state.playbook.id, STARTS_ON, 30.0, OWNER, made + timedelta(days=9))
    return state.playbook.id


def _demos(lines: str) -> int:
    return lines.count("made by `rollout demo`")


def test_playbook_list_reads_a_database_the_demo_made_as_of_its_last_day(run, store):
    _a_story(store)
    before = run("playbook", "list")  # not marked as the demo's: today, before the story's cycle
    assert "starts on 2031-01-06" in before.stdout and _demos(before.stderr) == 0
    keep_run(store, ENDED_AT)  # as the demo marks its database when its story ends
    result = run("playbook", "list")
    assert result.exit_code == 0, result.output
    assert "cycle 1, week 3 (" in result.stdout and "since 2031-01-20" in result.stdout
    assert "starts on" not in result.stdout
    assert result.stderr.splitlines()[1:] == [SAID]  # after `Database: …`, once


def test_show_digest_and_tick_read_it_at_the_demos_clock_too(run, store):
    _a_story(store)
    keep_run(store, ENDED_AT)
    shown = run("playbook", "show", "support-replies")
    assert shown.exit_code == 0, shown.output
    assert "week 3" in shown.stdout and _demos(shown.stderr) == 1
    digest = run("digest", "--dry-run")  # week 1 closed by the demo's clock, none by today's
    assert digest.exit_code == 0, digest.output
    assert "No digest" not in digest.stdout and "ROLLOUT DIGEST · WEEK OF" in digest.stdout
    assert _demos(digest.stderr) == 1
    ticked = run("tick", "--dry-run")
    assert ticked.exit_code == 0, ticked.output
    assert ticked.stdout.startswith("dry run at 2031-01-22T09:00") and _demos(ticked.stderr) == 1


def test_a_database_the_demo_did_not_make_is_read_at_todays_date_saying_nothing(run, store):
    _a_story(store)
    result = run("tick", "--dry-run")
    assert result.exit_code == 0, result.output
    said = datetime.fromisoformat(result.stdout.split()[3].rstrip(":"))
    assert abs(said - datetime.now(UTC)) < timedelta(days=1)  # today, not the story's
    assert _demos(result.stderr) == 0
    listed = run("playbook", "list")
    assert "starts on 2031-01-06" in listed.stdout and _demos(listed.stderr) == 0
