"""Names, not ids, on the fakes (usecases/names.py, through the tick of
tests/usecases/fast/ticking.py or its names job alone): the clock asks Slack (a
FakeDirectory) for the names of the people and channels the bot shows and keeps them, not
again while they are fresh, a few a tick; a tick that closes weeks leaves every reporter's
name to the next hour's. A 429 waited out, Slack's events and the export are
tests/usecases/test_names.py's, end to end."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from slack_api.members import Person
from storage.report_batches import new_report
from tests import fakes
from tests.committed import committed
from tests.fakes import CHANNEL, MEMBER, OUTSIDER, OWNER, FakeDirectory
from tests.usecases.fast.ticking import Ticking
from usecases import names

TUESDAY = datetime(2026, 11, 17, 9, 0, tzinfo=UTC)  # on the hour: every report's author is looked for
NAMED = {
    OWNER: Person(OWNER, "Europe/Berlin", display_name="Olivia", real_name="Olivia Owens"),
    MEMBER: Person(MEMBER, "Europe/Berlin", real_name="Max Moreau"),  # no display name: the real name
}


def world(people=None, **more):
    directory = FakeDirectory({CHANNEL: [OWNER, MEMBER]}, people or {}, channel_names={CHANNEL: "support-berlin"})
    state = fakes.a_playbook(cycle_started=date(2026, 11, 16), **more)
    services = fakes.services(state, now=TUESDAY, directory=directory, org_timezone="UTC", curators=())
    return services, fakes.store_of(services), directory


def reported(store, by, week=date(2026, 11, 16), at=TUESDAY):
    pid = store.playbooks.state("support-replies").playbook.id
    committed(store).reports.add_reports([new_report("kpi", pid, week, by, at, value=30.0)])


def asked(directory, method):
    return [of for m, of in directory.asked if m == method]


def name_job(store, directory, at):
    """The tick's names job alone."""
    return names.name_people_and_channels(cast(Any, store), None, cast(Any, directory), at, at)


def test_the_clock_keeps_the_names_the_pages_show_and_asks_again_only_when_stale():
    services, store, directory = world(dict(NAMED))
    reported(store, MEMBER)
    clock = Ticking(services)
    clock.run(TUESDAY)
    assert store.people.names([OWNER, MEMBER, OUTSIDER]) == {OWNER: "Olivia", MEMBER: "Max Moreau"}
    assert store.people.channel_names([CHANNEL]) == {CHANNEL: "support-berlin"}
    assert set(asked(directory, "person")) == {OWNER, MEMBER}  # OUTSIDER is shown nowhere
    assert asked(directory, "channel_name") == [CHANNEL]

    directory.known[OWNER] = Person(OWNER, "Europe/Berlin", display_name="Liv")  # renamed, no event heard
    directory.channel_names[CHANNEL] = "support-emea"
    for hours in (1, 24, 24 * 6):  # fresh for a week: Slack is not asked again
        clock.run(TUESDAY + timedelta(hours=hours))
    assert asked(directory, "channel_name") == [CHANNEL]
    assert store.people.names([OWNER]) == {OWNER: "Olivia"}
    assert store.people.channel_names([CHANNEL]) == {CHANNEL: "support-berlin"}
    clock.run(TUESDAY + timedelta(days=7, hours=1))
    assert store.people.names([OWNER]) == {OWNER: "Liv"}  # a week on, asked again
    assert store.people.channel_names([CHANNEL]) == {CHANNEL: "support-emea"}


def test_a_person_slack_has_no_name_for_is_kept_as_asked_and_not_asked_each_tick():
    _, store, directory = world()  # the owner has neither a display name nor a real name
    name_job(store, directory, TUESDAY)
    assert store.people.names([OWNER]) == {}  # the pages show the id
    directory.known[OWNER] = Person(OWNER, "Europe/Berlin", real_name="Olivia Owens")  # named later in Slack
    name_job(store, directory, TUESDAY + timedelta(hours=1))
    assert store.people.names([OWNER]) == {}  # asked an hour ago: not asked again each tick
    assert asked(directory, "person") == [OWNER]
    name_job(store, directory, TUESDAY + timedelta(days=7, hours=1))
    assert store.people.names([OWNER]) == {OWNER: "Olivia Owens"}


def test_each_tick_asks_for_a_few_names_at_most():
    curators = [f"UCUR{i:06d}" for i in range(names.PEOPLE_PER_TICK + 5)]
    _, store, directory = world({u: Person(u, "UTC", real_name=f"Curator {u[-3:]}") for u in curators})
    for user in curators:
        store.org.add_curator(user, OWNER, TUESDAY)
    name_job(store, directory, TUESDAY)
    assert len(asked(directory, "person")) == names.PEOPLE_PER_TICK
    name_job(store, directory, TUESDAY + timedelta(minutes=1))  # the rest
    assert len(asked(directory, "person")) == len(curators) + 1  # and the owner
    name_job(store, directory, TUESDAY + timedelta(minutes=2))
    assert len(asked(directory, "person")) == len(curators) + 1  # everyone shown is named: nothing to ask
    assert len(store.people.names([*curators, OWNER])) == len(curators)  # the owner has no name here


def test_every_reports_author_is_looked_for_on_the_hour_but_not_in_a_tick_that_closes_weeks():
    """The read of every report ever grows with the years: a tick that closes weeks leaves
    it to the next hour's, and looks only at the recent weeks' reporters."""
    old = "UOLDREPORT"
    services, store, directory = world({**NAMED, old: Person(old, "UTC", real_name="Otto Old")})
    reported(store, old, week=date(2026, 9, 7))
    clock = Ticking(services)
    close = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # week 1's close: Monday noon in Berlin
    clock.run(close)
    assert [j.status for j in store.held.jobs if j.kind == "close"] == ["done"]
    assert old not in asked(directory, "person")
    clock.run(close + timedelta(minutes=1))  # between the hours: the recent weeks' reporters only
    assert old not in asked(directory, "person")
    clock.run(close + timedelta(hours=1))  # the next hour, nothing to close: everyone
    assert store.people.names([old]) == {old: "Otto Old"}
