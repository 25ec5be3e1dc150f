"""The clock on the fakes, for the people it leaves alone (usecases/tick.py): who is away
gets no check-in DM, reminder or owner DM, and status says so; on a holiday nothing
person-facing goes out, and a holiday removed mid-week sends what is left once; a
deactivated member gets nothing until Slack says they are back. `/rollout away` and
`holiday` as typed are tests/usecases/fast/test_people_and_org.py's."""

from __future__ import annotations

from datetime import date, timedelta

from tests import fakes
from tests.fakes import CURATOR, MEMBER, NOW, OWNER
from tests.usecases.fast.ticking import Ticking
from usecases import commands, people, status
from usecases.shared import messages

SLUG = "support-replies"
THURSDAY, FRIDAY = date(2026, 3, 12), date(2026, 3, 13)  # NOW is Wednesday 11 March, week 2
CHECK_IN = "check in for support-replies, week 2 of cycle 1"
REMINDER = "Reminder: check in for support-replies, week 2 of cycle 1"


def world():
    services = fakes.services(fakes.a_playbook())
    return services, Ticking(services)


def away_until(services, user, last):
    commands.away(fakes.caller(services, user), messages.Away(None, last))


def holiday(services, action, day):
    commands.holiday(fakes.caller(services, CURATOR), messages.HolidayChange(action, day))


def test_no_checkin_dm_or_reminder_while_away_and_status_says_so():
    services, clock = world()
    away_until(services, MEMBER, FRIDAY)  # away from today through Friday
    clock.run_through(NOW, NOW.replace(day=13, hour=16))  # Thursday's DMs and Friday's reminders are due
    assert clock.texts(MEMBER) == []  # away: neither the DM nor the reminder
    assert {j.kind for j in clock.skipped(MEMBER) if j.note == "away"} == {"checkin", "reminder"}
    assert clock.texts(OWNER)[:2] == [CHECK_IN, REMINDER]  # the owner, not away, got theirs
    shown = status.status(fakes.caller(services, OWNER), messages.Status(SLUG))
    assert isinstance(shown, status.PlaybookStatus) and shown.away == [(MEMBER, FRIDAY)]


def test_an_away_owner_gets_no_friday_dm():
    services, clock = world()
    away_until(services, OWNER, FRIDAY)
    clock.run_through(NOW, NOW.replace(day=13, hour=16))
    assert clock.texts(OWNER) == []
    assert {(j.kind, j.note) for j in clock.skipped() if "away" in (j.note or "")} == {
        ("checkin", "away"),  # the owner is on the team too
        ("reminder", "away"),
        ("owner-reminder", "the owner is away"),
    }
    assert clock.texts(MEMBER)[:2] == [CHECK_IN, REMINDER]


def test_after_being_away_the_next_weeks_dms_come_again():
    services, clock = world()
    away_until(services, MEMBER, FRIDAY)
    clock.run_through(NOW, NOW + timedelta(days=8, hours=8))  # through next Thursday evening
    assert clock.texts(MEMBER) == ["check in for support-replies, week 3 of cycle 1"]


def test_on_a_holiday_thursdays_checkin_goes_out_on_friday():
    services, clock = world()
    holiday(services, "add", THURSDAY)
    clock.run_through(NOW, NOW + timedelta(days=1, hours=8))  # through Thursday evening
    assert clock.texts(MEMBER) == []
    clock.run_through(NOW + timedelta(days=1, hours=9), NOW + timedelta(days=2, hours=8))  # through Friday evening
    assert clock.texts(MEMBER)[0] == CHECK_IN
    [sent] = [j for j in fakes.store_of(services).held.jobs if j.kind == "checkin" and j.user_id == MEMBER]
    assert sent.status == "done" and sent.due_at.date() == FRIDAY


def test_on_a_holiday_with_no_working_day_left_nothing_person_facing_goes_out():
    services, clock = world()
    holiday(services, "add", THURSDAY)
    holiday(services, "add", FRIDAY)  # no working day left in the week
    clock.run_through(NOW, NOW + timedelta(days=3))
    assert clock.texts(MEMBER) == [] and clock.texts(OWNER) == []  # no DM, reminder or owner DM


def test_a_holiday_removed_mid_week_sends_what_is_left_once():
    services, clock = world()
    holiday(services, "add", THURSDAY)  # the check-in moves to Friday
    clock.run_through(NOW, NOW + timedelta(days=1, hours=8))  # through Thursday evening
    assert clock.texts(MEMBER) == []
    holiday(services, "remove", THURSDAY)  # Thursday evening: due now, sent once
    clock.run_through(NOW + timedelta(days=1, hours=9), NOW + timedelta(days=2, hours=2))
    assert clock.texts(MEMBER).count(CHECK_IN) == 1


def test_a_deactivated_member_gets_no_dm_and_comes_back_when_reactivated():
    services, clock = world()
    store = fakes.store_of(services)
    people.person_gone(store, MEMBER, "deactivated", NOW)
    assert store.people.deactivated() == {MEMBER}
    clock.run_through(NOW, NOW + timedelta(days=1, hours=8))  # to Thursday evening
    assert clock.texts(MEMBER) == []  # not the check-in DM
    assert "deactivated in Slack" in {j.note for j in clock.skipped(MEMBER)}
    assert clock.texts(OWNER) == [CHECK_IN]  # the rest of the team got theirs
    assert people.person_back(store, MEMBER, NOW + timedelta(days=1, hours=9))
    assert store.people.deactivated() == set()
    clock.run_through(NOW + timedelta(days=7), NOW + timedelta(days=8, hours=8))
    assert clock.texts(MEMBER) == ["check in for support-replies, week 3 of cycle 1"]
