"""Names, not ids (on SQLite and PostgreSQL): the clock's lookups through the clock's own
client wait out a 429; Slack's `user_change` and `channel_rename`, signed, through the
real HTTP endpoint, keep them current; the export puts each name beside its id. Which
names the clock asks for, when again, and how many a tick, are
tests/usecases/fast/test_names.py's."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta

from bot.demo.standin.faults import Fault
from slack_api.client import clock_client
from slack_api.members import TeamDirectory
from tests import reported
from tests.committed import committed
from tests.conftest import BOT_TOKEN, CHANNEL, MEMBER, OWNER
from usecases import names

TUESDAY = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)  # on the hour: every report's author is looked for


def _named_workspace(slack):
    slack.add_user(OWNER, name="Olivia Owens", display_name="Olivia")
    slack.add_user(MEMBER, name="Max Moreau")  # no display name: the real name
    slack.add_channel(CHANNEL, [OWNER, MEMBER, "UROLLOUTBOT"], name="support-berlin")


def _name_job(store, slack, at):
    """The tick's names job alone, with the clock's client (the tick's other work asks Slack too)."""
    client = clock_client(BOT_TOKEN, slack.url)
    return names.name_people_and_channels(store, client, TeamDirectory(ttl_seconds=0), at, at)


def test_a_429_is_waited_out_as_retry_after_says(playbook, slack, store):
    _named_workspace(slack)
    slack.fail_next("users.info", Fault(status=429, retry_after=1))
    _name_job(store, slack, TUESDAY)
    first, second = slack.calls_to("users.info")[:2]
    assert first.params["user"] == second.params["user"]  # the same person asked again ...
    assert second.at - first.at >= 1  # ... once Retry-After had passed
    assert store.people.names([OWNER]) == {OWNER: "Olivia"}


def test_a_slack_that_keeps_refusing_ends_the_ticks_lookups_and_the_next_tick_asks(playbook, slack, store):
    _named_workspace(slack)
    slack.fail_next("users.info", Fault(status=429, retry_after=0), times=4)  # more than the client retries
    named = _name_job(store, slack, TUESDAY)  # no exception: the tick goes on
    assert len(slack.calls_to("users.info")) == 4 and store.people.names([OWNER]) == {}
    assert store.people.channel_names([CHANNEL]) == {CHANNEL: "support-berlin"}  # channels are asked apart
    assert (named.people, named.channels) == (0, 1)
    _name_job(store, slack, TUESDAY + timedelta(minutes=1))
    assert store.people.names([OWNER]) == {OWNER: "Olivia"}


def test_user_change_and_channel_rename_keep_the_new_names(bot, playbook, store, clock):
    profile = {"display_name": "Olli", "real_name": "Olivia Owens"}
    changed = {
        "type": "user_change",
        "user": {"id": OWNER, "deleted": False, "real_name": "Olivia Owens", "profile": profile},
    }
    assert bot.event(changed).status == 200
    assert store.people.names([OWNER]) == {OWNER: "Olli"}
    bot.event({"type": "user_change", "user": {"id": OWNER, "deleted": True}})  # no profile given: names stay
    assert store.people.names([OWNER]) == {OWNER: "Olli"} and store.people.deactivated() == {OWNER}
    unnamed = {"id": MEMBER, "deleted": False, "profile": {"display_name": "", "real_name": "Max Moreau"}}
    bot.event({"type": "user_change", "user": unnamed})
    assert store.people.names([MEMBER]) == {MEMBER: "Max Moreau"}
    renamed = {"type": "channel_rename", "channel": {"id": CHANNEL, "name": "support-emea", "created": 1360782804}}
    assert bot.event(renamed).status == 200
    assert store.people.channel_names([CHANNEL]) == {CHANNEL: "support-emea"}
    private = {"type": "group_rename", "channel": {"id": "GPRIVATE01", "name": "secret-team", "created": 1360782804}}
    bot.event(private)
    assert store.people.channel_names(["GPRIVATE01"]) == {"GPRIVATE01": "secret-team"}


def test_the_export_puts_each_name_beside_its_id(playbook, store, clock, tmp_path):
    committed(store).people.keep_names([(OWNER, "Olivia", "Olivia Owens"), (MEMBER, None, None)], clock())
    committed(store).people.keep_channel_names([(CHANNEL, "support-berlin")], clock())
    reported.add_kpi_reading(store, playbook.playbook.id, playbook.anchor.starts_on, 30.0, MEMBER, clock())
    store.readouts.export_csv(tmp_path)
    with (tmp_path / "playbook.csv").open() as handle:
        (row,) = csv.DictReader(handle)
    assert (row["owner_id"], row["owner_id_name"]) == (OWNER, "Olivia")
    assert (row["channel_id"], row["channel_id_name"]) == (CHANNEL, "support-berlin")
    with (tmp_path / "kpi_reading.csv").open() as handle:
        (reading,) = csv.DictReader(handle)
    assert (reading["reported_by"], reading["reported_by_name"]) == (MEMBER, "")  # no name: the id alone
