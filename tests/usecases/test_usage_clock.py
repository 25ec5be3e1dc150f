"""The usage pass beside the clock (usecases/usage_clock.py), end to end on both databases
with the Slack stand-in: a source due is pulled once a day and counted for the teams Slack
lists (matched by the emails their profiles give), a source not due costs no call to
Slack, and a source whose pulls fail is told to the curators' channel once per run of
failures, again only after a success."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import yaml
from slack_sdk import WebClient
from sqlalchemy import select
from sqlmodel import Session

from slack_api.members import TeamDirectory
from storage.models.bookkeeping import OutboxMessage
from storage.store import CURATORS_CHANNEL
from tests.conftest import BOT_TOKEN, CHANNEL, MEMBER, OWNER
from usecases import usage
from usecases.usage_clock import UsageClock

AT = datetime(2026, 11, 21, 6, 17, tzinfo=UTC)  # a Saturday
CURATORS = "CCURATORS1"


def clock_for(store, slack) -> UsageClock:
    client = WebClient(token=BOT_TOKEN, base_url=slack.url)
    return UsageClock(store, client, TeamDirectory(), lambda: AT, {})


def loaded(store, path) -> None:
    text = yaml.safe_dump({"usage": {"gemini": {"kind": "csv", "file": str(path)}}})
    assert usage.load(store, text, {}, "cli:rollout", AT) == []


def told(engine) -> list[tuple[str, str]]:
    with Session(engine) as s:
        rows = s.execute(
            select(OutboxMessage.key, OutboxMessage.channel).where(OutboxMessage.key.like("usage-failed:%"))
        )
        return [tuple(row) for row in rows]


def test_a_source_due_is_pulled_once_a_day_for_the_teams_slack_lists(store, playbook, slack, tmp_path):
    slack.add_user(OWNER, name="Olu", email="olu@example.com")
    slack.add_user(MEMBER, name="Mia", email="mia@example.com")
    path = tmp_path / "gemini.csv"
    path.write_text("user,day,email\nmia-g,2026-11-19,MIA@example.com\nolu-g,2026-11-20,olu@example.com\n")
    loaded(store, path)
    pass_ = clock_for(store, slack)

    assert pass_.due(AT)
    [passed] = pass_.run_due(AT)
    assert (passed.source, passed.error, passed.unmatched) == ("gemini", None, 0)
    [week] = [w for w in store.usage.weeks([CHANNEL], AT.date() - timedelta(days=14)) if w.week.day == 16]
    assert (week.people, week.active, week.active_days) == (2, 2, 2)

    calls = len(slack.calls_to("conversations.members"))
    assert not pass_.due(AT + timedelta(hours=1)) and pass_.run_due(AT + timedelta(hours=1)) == []
    assert len(slack.calls_to("conversations.members")) == calls  # not due: Slack is not asked
    assert pass_.due(AT + timedelta(days=1))  # the next day's


def test_a_failing_source_is_told_to_the_curators_once_until_it_pulls_again(store, playbook, slack, engine, tmp_path):
    path = tmp_path / "gemini.csv"
    loaded(store, path)  # the file is not there yet
    pass_ = clock_for(store, slack)

    [passed] = pass_.run_due(AT)  # no curators channel: nothing said, nothing marked said
    assert passed.error and passed.tell and told(engine) == []

    with store.unit_of_work() as uow:
        uow.org.set_setting(CURATORS_CHANNEL, CURATORS, OWNER, AT)
        uow.commit()
    [passed] = pass_.run_due(AT + timedelta(hours=1))
    assert passed.tell
    [(key, channel)] = told(engine)
    assert channel == CURATORS and key.startswith("usage-failed:gemini:")

    [passed] = pass_.run_due(AT + timedelta(hours=2))  # still failing: told already
    assert passed.error and not passed.tell and len(told(engine)) == 1

    path.write_text("user,day\n")
    [passed] = pass_.run_due(AT + timedelta(hours=3))
    assert passed.error is None
    path.unlink()
    [passed] = pass_.run_due(AT + timedelta(days=1))  # a new run of failures: told again
    assert passed.tell and len(told(engine)) == 2
