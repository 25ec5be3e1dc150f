"""`/rollout away`, `holiday` and `curator` (usecases/commands.py) on the fakes: the
org's days (ROLLOUT_TIMEZONE), a year ahead at most, curators and admins only where so;
away and holidays as typed, with their replies (tests/usecases/fast/slash.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from cadence.decisions import DecisionKind
from slack_api.members import Person
from tests import fakes
from tests.fakes import ADMIN, CURATOR, MEMBER
from tests.usecases.fast.slash import slash
from usecases import commands
from usecases.shared import messages
from usecases.shared.caller import Refusal

TODAY = date(2026, 3, 11)


@pytest.fixture
def services():
    return fakes.services(fakes.a_playbook())


def refusal_of(call) -> str:
    with pytest.raises(Refusal) as raised:
        call()
    return raised.value.key


# ---- away ----


def test_away_from_today(services):
    done = commands.away(fakes.caller(services), messages.Away(None, TODAY + timedelta(days=3)))
    assert (done.first, done.last) == (TODAY, TODAY + timedelta(days=3))
    assert fakes.store_of(services).held.away == {MEMBER: (TODAY, TODAY + timedelta(days=3))}


def test_away_later(services):
    first, last = TODAY + timedelta(days=10), TODAY + timedelta(days=20)
    commands.away(fakes.caller(services), messages.Away(first, last))
    assert fakes.store_of(services).held.away[MEMBER] == (first, last)


@pytest.mark.parametrize(
    ("first", "last", "key"),
    [
        (TODAY - timedelta(days=1), TODAY, "away_past"),
        (None, TODAY - timedelta(days=1), "away_past"),
        (TODAY + timedelta(days=5), TODAY + timedelta(days=4), "away_backwards"),
        (None, TODAY + timedelta(days=367), "away_too_far"),
    ],
)
def test_away_refused(services, first, last, key):
    assert refusal_of(lambda: commands.away(fakes.caller(services), messages.Away(first, last))) == key
    assert fakes.store_of(services).held.away == {}


def test_away_a_year_ahead_at_most(services):
    commands.away(fakes.caller(services), messages.Away(None, TODAY + timedelta(days=366)))
    assert MEMBER in fakes.store_of(services).held.away


def test_back(services):
    caller = fakes.caller(services)
    commands.away(caller, messages.Away(None, TODAY + timedelta(days=3)))
    done = commands.away(caller, messages.Away(None, None))
    assert (done.first, done.last) == (None, TODAY + timedelta(days=3))
    assert fakes.store_of(services).held.away == {}


def test_back_when_not_away(services):
    assert refusal_of(lambda: commands.away(fakes.caller(services), messages.Away(None, None))) == "away_not_away"


def test_today_is_the_orgs():
    """23:30 UTC on the 10th is the 11th in Tokyo: the 10th is past there."""
    from datetime import UTC, datetime

    services = fakes.services(
        fakes.a_playbook(), now=datetime(2026, 3, 10, 23, 30, tzinfo=UTC), org_timezone="Asia/Tokyo"
    )
    key = refusal_of(lambda: commands.away(fakes.caller(services), messages.Away(date(2026, 3, 10), TODAY)))
    assert key == "away_past"


# ---- holidays ----


def test_a_curator_adds_a_holiday(services):
    day = TODAY + timedelta(days=30)
    done = commands.holiday(fakes.caller(services, CURATOR), messages.HolidayChange("add", day, "Founders' day"))
    assert done.upcoming == {day: "Founders' day"} and done.changed == day


@pytest.mark.parametrize("action", ["add", "remove"])
def test_holidays_are_the_curators(services, action):
    cmd = messages.HolidayChange(action, TODAY + timedelta(days=3))
    assert refusal_of(lambda: commands.holiday(fakes.caller(services, MEMBER), cmd)) == "curators_holidays"


def test_anyone_lists_the_holidays_to_come(services):
    held = fakes.store_of(services).held
    held.holidays.update({TODAY - timedelta(days=1): "past", TODAY: "today", TODAY + timedelta(days=400): "far"})
    done = commands.holiday(fakes.caller(services, MEMBER), messages.HolidayChange("list"))
    assert done.upcoming == {TODAY: "today"} and done.changed is None


@pytest.mark.parametrize(
    ("day", "key"), [(TODAY - timedelta(days=1), "holiday_past"), (TODAY + timedelta(days=367), "holiday_too_far")]
)
def test_a_holiday_refused(services, day, key):
    cmd = messages.HolidayChange("add", day, "x")
    assert refusal_of(lambda: commands.holiday(fakes.caller(services, CURATOR), cmd)) == key


def test_a_holiday_already_set_names_it(services):
    day = TODAY + timedelta(days=3)
    curator = fakes.caller(services, CURATOR)
    commands.holiday(curator, messages.HolidayChange("add", day, "Spring"))
    with pytest.raises(Refusal) as raised:
        commands.holiday(curator, messages.HolidayChange("add", day, "Again"))
    assert raised.value.key == "holiday_already" and raised.value.values["name"] == " (Spring)"


def test_removing_a_holiday(services):
    day = TODAY + timedelta(days=3)
    curator = fakes.caller(services, CURATOR)
    commands.holiday(curator, messages.HolidayChange("add", day, "Spring"))
    assert commands.holiday(curator, messages.HolidayChange("remove", day)).upcoming == {}
    changes = fakes.store_of(services).held.governance.changes
    assert [(d.kind, d.actor, d.summary) for c in changes for d in c.decisions] == [
        (DecisionKind.SETTING_CHANGED, CURATOR, f"Holiday {day.isoformat()} (Spring) added."),
        (DecisionKind.SETTING_CHANGED, CURATOR, f"Holiday {day.isoformat()} (Spring) removed."),
    ]


def test_removing_a_day_that_is_no_holiday(services):
    cmd = messages.HolidayChange("remove", TODAY + timedelta(days=3))
    assert refusal_of(lambda: commands.holiday(fakes.caller(services, CURATOR), cmd)) == "holiday_unknown"


# ---- curators ----


def test_an_admin_names_a_curator(services):
    assert commands.curator(fakes.caller(services, ADMIN), messages.CuratorChange(True, MEMBER))
    assert MEMBER in fakes.store_of(services).held.curators
    assert not commands.curator(fakes.caller(services, ADMIN), messages.CuratorChange(True, MEMBER))


def test_an_admin_removes_a_curator(services):
    assert commands.curator(fakes.caller(services, ADMIN), messages.CuratorChange(False, CURATOR))
    assert fakes.store_of(services).held.curators == set()
    assert not commands.curator(fakes.caller(services, ADMIN), messages.CuratorChange(False, CURATOR))


def test_a_curator_deactivated_since_can_still_be_removed():
    """Removing asks Slack nothing: a curator who left is removed all the same."""
    directory = fakes.FakeDirectory(people={CURATOR: Person(CURATOR, None, deleted=True)})
    services = fakes.services(fakes.a_playbook(), directory=directory)
    assert commands.curator(fakes.caller(services, ADMIN), messages.CuratorChange(False, CURATOR))
    assert CURATOR not in fakes.store_of(services).held.curators and directory.asked == []


def test_a_curator_added_and_removed_is_a_decision_row_each_and_a_repeat_none(services):
    admin = fakes.caller(services, ADMIN)
    for add in (True, True, False, False):
        commands.curator(admin, messages.CuratorChange(add, MEMBER))
    decisions = [d for c in fakes.store_of(services).held.governance.changes for d in c.decisions]
    assert [(d.kind, d.actor, d.figures) for d in decisions] == [
        (DecisionKind.CURATOR_ADDED, ADMIN, {"user": MEMBER}),
        (DecisionKind.CURATOR_REMOVED, ADMIN, {"user": MEMBER}),
    ]


@pytest.mark.parametrize("user", [MEMBER, CURATOR])
def test_curators_are_the_admins_to_name(services, user):
    cmd = messages.CuratorChange(True, "UNEW000001")
    assert refusal_of(lambda: commands.curator(fakes.caller(services, user), cmd)) == "admins_only"


@pytest.mark.parametrize(
    ("person", "key"),
    [
        (Person("UBOT000001", None, is_bot=True), "person_not_human"),
        (Person("UGONE00001", None, deleted=True), "person_deactivated"),
        (Person("UNONE00001", None, found=False), "person_unknown"),
    ],
)
def test_only_an_active_person_is_named_curator(person, key):
    directory = fakes.FakeDirectory(people={person.user_id: person})
    services = fakes.services(fakes.a_playbook(), directory=directory)
    cmd = messages.CuratorChange(True, person.user_id)
    assert refusal_of(lambda: commands.curator(fakes.caller(services, ADMIN), cmd)) == key
    assert person.user_id not in fakes.store_of(services).held.curators


def test_slack_not_answering_who_a_curator_is():
    services = fakes.services(fakes.a_playbook(), directory=fakes.FakeDirectory(down="ratelimited"))
    cmd = messages.CuratorChange(True, MEMBER)
    assert refusal_of(lambda: commands.curator(fakes.caller(services, ADMIN), cmd)) == "slack_busy_person"


def test_the_curators_channel(services):
    commands.curators_channel(fakes.caller(services, ADMIN), messages.CuratorsChannel("CCURATORS1"))
    assert list(fakes.store_of(services).held.settings.values()) == ["CCURATORS1"]
    assert (
        refusal_of(lambda: commands.curators_channel(fakes.caller(services, CURATOR), messages.CuratorsChannel("C2")))
        == "admins_only"
    )


# ---- as typed ----

NOVEMBER = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


def test_away_until_a_day_then_back_as_typed():
    services = fakes.services(fakes.a_playbook(), now=NOVEMBER)
    held = fakes.store_of(services).held
    assert "You are away from 2026-11-18 to 2026-12-04" in slash(services, "away 2026-12-04")
    assert held.away == {MEMBER: (date(2026, 11, 18), date(2026, 12, 4))}
    assert "from 2026-11-30 to 2026-12-11" in slash(services, "away 2026-11-30 2026-12-11")
    assert "Welcome back" in slash(services, "away off")
    assert held.away == {}
    assert "not marked away" in slash(services, "away off")


def test_curators_add_and_remove_holidays_and_anyone_lists_them_as_typed():
    services = fakes.services(fakes.a_playbook(), now=NOVEMBER)
    held = fakes.store_of(services).held
    before = len(held.decisions)
    reply = slash(services, "holiday add 2026-12-24 Christmas Eve", CURATOR)
    assert "2026-12-24 (Christmas Eve) is a holiday" in reply and "Thu 2026-12-24: Christmas Eve" in reply
    assert "Thu 2026-12-24: Christmas Eve" in slash(services, "holiday list")
    assert "is a holiday already (Christmas Eve)" in slash(services, "holiday add 2026-12-24", CURATOR)
    assert "no longer a holiday" in slash(services, "holiday remove 2026-12-24", CURATOR)
    assert "none." in slash(services, "holiday list")
    assert len(held.decisions) == before + 2  # added and removed, each a decision row
