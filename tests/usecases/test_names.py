"""Names, not ids (on SQLite and PostgreSQL): the clock asks Slack (the stand-in) for the
names of the people and channels the bot shows and keeps them, not again while they are
fresh, a few a tick, waiting out a 429; Slack's `user_change` and `channel_rename`,
signed, through the real HTTP endpoint, keep them current; the export puts each name
beside its id."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta

from bot.demo.standin.faults import Fault
from slack_api.client import clock_client
from slack_api.members import TeamDirectory
from storage.store import Store
from tests import reported
from tests.committed import committed
from tests.conftest import BOT_TOKEN, CHANNEL, MEMBER, OUTSIDER, OWNER
from usecases import names
from usecases.tick import Cadence

TUESDAY = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)  # on the hour: every report's author is looked for


def _clock_process(engine, slack, clock):
    """The clock as `rollout clock` builds it: its client waits out 429s (slack_api/client.py)."""
    return Cadence(Store(engine), clock_client(BOT_TOKEN, slack.url), TeamDirectory(ttl_seconds=0), "UTC", clock)


def _named_workspace(slack):
    slack.add_user(OWNER, name="Olivia Owens", display_name="Olivia")
    slack.add_user(MEMBER, name="Max Moreau")  # no display name: the real name
    slack.add_channel(CHANNEL, [OWNER, MEMBER, "UROLLOUTBOT"], name="support-berlin")


def _asked(slack, method, key):
    return [c.params.get(key) for c in slack.calls_to(method)]


def test_the_clock_keeps_the_names_the_pages_show_and_asks_again_only_when_stale(playbook, slack, engine, store, clock):
    _named_workspace(slack)
    reported.add_kpi_reading(store, playbook.playbook.id, playbook.anchor.starts_on, 30.0, MEMBER, clock())
    cadence = _clock_process(engine, slack, clock)
    clock.set(TUESDAY)
    cadence.tick(TUESDAY)
    assert store.people.names([OWNER, MEMBER, OUTSIDER]) == {OWNER: "Olivia", MEMBER: "Max Moreau"}
    assert store.people.channel_names([CHANNEL]) == {CHANNEL: "support-berlin"}
    assert set(_asked(slack, "users.info", "user")) == {OWNER, MEMBER}  # OUTSIDER is shown nowhere
    assert _asked(slack, "conversations.info", "channel") == [CHANNEL]

    slack.add_user(OWNER, name="Olivia Owens", display_name="Liv")  # renamed in Slack, no event heard
    slack.add_channel(CHANNEL, [OWNER, MEMBER, "UROLLOUTBOT"], name="support-emea")
    for hours in (1, 24, 24 * 6):  # fresh for a week: Slack is not asked again
        clock.set(TUESDAY + timedelta(hours=hours))
        cadence.tick(clock())
    assert len(slack.calls_to("conversations.info")) == 1
    assert store.people.names([OWNER]) == {OWNER: "Olivia"}  # (the tick's own lookups of people change no name)
    assert store.people.channel_names([CHANNEL]) == {CHANNEL: "support-berlin"}
    clock.set(TUESDAY + timedelta(days=7, hours=1))
    cadence.tick(clock())
    assert store.people.names([OWNER]) == {OWNER: "Liv"}  # a week on, asked again
    assert store.people.channel_names([CHANNEL]) == {CHANNEL: "support-emea"}


def test_a_person_slack_has_no_name_for_is_kept_as_asked_and_not_asked_each_tick(playbook, slack, engine, store, clock):
    slack.add_user(OWNER)  # neither a display name nor a real name
    cadence = _clock_process(engine, slack, clock)
    clock.set(TUESDAY)
    cadence.tick(TUESDAY)
    assert store.people.names([OWNER]) == {}  # the pages show the id
    slack.add_user(OWNER, name="Olivia Owens")  # named later in Slack: shown by name once asked again
    clock.set(TUESDAY + timedelta(hours=1))
    cadence.tick(clock())
    assert store.people.names([OWNER]) == {}  # asked an hour ago: not asked again each tick
    clock.set(TUESDAY + timedelta(days=7, hours=1))
    cadence.tick(clock())
    assert store.people.names([OWNER]) == {OWNER: "Olivia Owens"}


def _name_job(store, slack, at):
    """The tick's names job alone, with the clock's client (the tick's other work asks Slack too)."""
    client = clock_client(BOT_TOKEN, slack.url)
    return names.name_people_and_channels(store, client, TeamDirectory(ttl_seconds=0), at, at)


def test_each_tick_asks_for_a_few_names_at_most(playbook, slack, store, clock):
    curators = [f"UCUR{i:06d}" for i in range(names.PEOPLE_PER_TICK + 5)]
    for user in curators:
        slack.add_user(user, name=f"Curator {user[-3:]}")
        committed(store).org.add_curator(user, OWNER, clock())
    _name_job(store, slack, TUESDAY)
    assert len(slack.calls_to("users.info")) == names.PEOPLE_PER_TICK
    _name_job(store, slack, TUESDAY + timedelta(minutes=1))  # between the hours: recent reports only, the rest
    assert len(slack.calls_to("users.info")) == len(curators) + 1  # and the owner
    _name_job(store, slack, TUESDAY + timedelta(minutes=2))
    assert len(slack.calls_to("users.info")) == len(curators) + 1  # everyone shown is named: nothing to ask
    assert len(store.people.names([*curators, OWNER])) == len(curators)  # the owner has no name here


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
    store.people.keep_names([(OWNER, "Olivia", "Olivia Owens"), (MEMBER, None, None)], clock())
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


def test_every_reports_author_is_looked_for_on_the_hour_but_not_in_a_tick_that_closes_weeks(
    playbook, slack, engine, store, clock
):
    """The read of every report ever grows with the years: a tick that closes weeks leaves
    it to the next hour's, and looks only at the recent weeks' reporters."""
    from datetime import date

    _named_workspace(slack)
    slack.add_user("UOLDREPORT", name="Otto Old")
    reported.add_kpi_reading(store, playbook.playbook.id, date(2026, 9, 7), 31.0, "UOLDREPORT", clock())
    cadence = _clock_process(engine, slack, clock)
    close = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # week 1's close: Monday noon in Berlin
    clock.set(close)
    closing = cadence.tick(close)
    assert closing.counts[("close", "done")] == 1
    assert "UOLDREPORT" not in _asked(slack, "users.info", "user")
    clock.set(close + timedelta(minutes=1))
    cadence.tick(clock())  # between the hours: the recent weeks' reporters only
    assert "UOLDREPORT" not in _asked(slack, "users.info", "user")
    clock.set(close + timedelta(hours=1))
    cadence.tick(clock())  # the next hour, nothing to close: everyone
    assert store.people.names(["UOLDREPORT"]) == {"UOLDREPORT": "Otto Old"}
