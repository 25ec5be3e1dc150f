"""The cadence planner played through whole cycles with a moving clock: nothing
skipped, nothing doubled, in every time zone and across DST changes."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from cadence.calendar import CycleAnchor
from cadence.schedule import Member, PlaybookClock, Slot, digest_work, member_timezone, member_work, playbook_work

UTC = UTC


def simulate(
    clock: PlaybookClock, members, start: datetime, end: datetime, step=timedelta(minutes=10), org="UTC", pauses=()
):
    """Run the planner like the tick does, recording each due item once. Returns
    {key: (Due, recorded_at)}. `pauses` are (from, to) spans with no ticks."""
    recorded, cursors = {}, {}
    t = start
    while t <= end:
        if any(a <= t < b for a, b in pauses):
            t += step
            continue
        work = playbook_work(clock, cursors, t)
        dues = [*work.nudges, *work.closes, *work.lapsed]
        for kind, weeks in work.member_weeks.items():
            for week in weeks:
                dues += [d for d in member_work(clock, kind, week, members, t, org) if d.key not in recorded]
        for due in dues:
            assert due.key not in recorded, f"{due.key} planned twice"
            assert due.due_at <= t
            recorded[due.key] = (due, t)
            cursors[due.kind] = max(cursors.get(due.kind, date.min), due.week_start)
        t += step
    return recorded


def of_kind(recorded, kind):
    return sorted((v for v in recorded.values() if v[0].kind == kind), key=lambda v: v[0].key)


def local(due, tz):
    return due.due_at.astimezone(ZoneInfo(tz))


BERLIN = PlaybookClock(1, "Europe/Berlin", CycleAnchor(1, date(2026, 11, 16)))


def test_two_cycles_in_berlin():
    members = [Member("UBERLIN", "Europe/Berlin"), Member("UNEWYORK", "America/New_York")]
    recorded = simulate(BERLIN, members, datetime(2026, 11, 15, tzinfo=UTC), datetime(2027, 1, 11, 7, 0, tzinfo=UTC))
    nudges = of_kind(recorded, "nudge")
    assert len(nudges) == 8
    for due, sent in nudges:
        assert (local(due, "Europe/Berlin").weekday(), local(due, "Europe/Berlin").time()) == (0, time(9, 0))
        assert not due.stale and sent - due.due_at < timedelta(minutes=10)
    assert [d.week.week for d, _ in nudges] == [1, 2, 3, 4, 1, 2, 3, 4]
    assert [d.week.cycle for d, _ in nudges] == [1, 1, 1, 1, 2, 2, 2, 2]
    closes = [d for d, _ in sorted(of_kind(recorded, "close"), key=lambda v: v[0].due_at)]
    assert len(closes) == 7  # week 8 closes at 12:00 on the Monday, after the simulation ends
    assert all(
        local(d, "Europe/Berlin").time() == time(12, 0) and local(d, "Europe/Berlin").weekday() == 0 for d in closes
    )
    dms = of_kind(recorded, "checkin")
    assert len(dms) == 16 and len(of_kind(recorded, "reminder")) == 16


def test_the_new_york_member_gets_the_thursday_dm_at_15_new_york_time():
    members = [Member("UNEWYORK", "America/New_York")]
    recorded = simulate(
        BERLIN,
        members,
        datetime(2026, 11, 16, tzinfo=UTC),
        datetime(2026, 11, 23, tzinfo=UTC),
        step=timedelta(minutes=1),
    )
    ((due, sent),) = of_kind(recorded, "checkin")
    assert local(due, "America/New_York") == datetime(2026, 11, 19, 15, 0, tzinfo=ZoneInfo("America/New_York"))
    assert due.due_at == datetime(2026, 11, 19, 20, 0, tzinfo=UTC)
    assert sent == due.due_at
    ((reminder, _),) = of_kind(recorded, "reminder")
    assert local(reminder, "America/New_York").replace(tzinfo=None) == datetime(2026, 11, 20, 15, 0)


@pytest.mark.parametrize(
    ("tz", "anchor"),
    [
        ("America/New_York", date(2026, 2, 23)),  # springs forward 8 March
        ("America/New_York", date(2026, 10, 12)),  # falls back 1 November
        ("Europe/Berlin", date(2026, 3, 9)),  # springs forward 29 March
        ("Europe/Berlin", date(2026, 10, 5)),  # falls back 25 October
        ("Asia/Kolkata", date(2026, 11, 16)),  # UTC+5:30, no DST
        ("Australia/Lord_Howe", date(2026, 9, 21)),  # 30-minute DST change on 4 October
    ],
)
def test_dst_changes_skip_nothing_and_double_nothing(tz, anchor):
    clock = PlaybookClock(7, tz, CycleAnchor(1, anchor))
    members = [Member("UHERE", tz), Member("UNULL", None), Member("UKOLKATA", "Asia/Kolkata")]
    start = datetime.combine(anchor, time(0), tzinfo=UTC) - timedelta(days=1)
    # to the Saturday of week 8: 8 nudges, 8 DMs and reminders each, 7 closes
    recorded = simulate(clock, members, start, start + timedelta(days=56), step=timedelta(minutes=5))
    nudges = of_kind(recorded, "nudge")
    assert len(nudges) == 8
    assert {(local(d, tz).weekday(), local(d, tz).time()) for d, _ in nudges} == {(0, time(9, 0))}
    for kind, weekday in (("checkin", 3), ("reminder", 4)):
        dues = of_kind(recorded, kind)
        assert len(dues) == 8 * 3
        for due, sent in dues:
            zone = "Asia/Kolkata" if due.user_id == "UKOLKATA" else tz  # the null tz falls back to the playbook's
            assert (local(due, zone).weekday(), local(due, zone).time()) == (weekday, time(15, 0))
            assert timedelta(0) <= sent - due.due_at < timedelta(minutes=5)
    closes = of_kind(recorded, "close")
    assert len(closes) == 7 and len({d.week_start for d, _ in closes}) == 7


def test_a_slot_inside_the_spring_forward_gap_happens_exactly_once():
    clock = PlaybookClock(3, "America/New_York", CycleAnchor(1, date(2026, 3, 2)), nudge=Slot.parse("Sun 02:30"))
    recorded = simulate(clock, [], datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 16, tzinfo=UTC))
    gap_week = [d for d, _ in of_kind(recorded, "nudge") if d.week_start == date(2026, 3, 2)]
    assert len(gap_week) == 1
    assert gap_week[0].due_at == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # 03:30 EDT, just after the gap


def test_downtime_skips_stale_nudges_and_dms_but_catches_up_closes_in_order():
    members = [Member("UBERLIN", "Europe/Berlin")]
    down = (datetime(2026, 11, 23, 0, 0, tzinfo=UTC), datetime(2026, 12, 10, 12, 0, tzinfo=UTC))
    recorded = simulate(
        BERLIN, members, datetime(2026, 11, 16, tzinfo=UTC), datetime(2026, 12, 20, tzinfo=UTC), pauses=[down]
    )
    nudges = {d.week_start: (d, sent) for d, sent in of_kind(recorded, "nudge")}
    assert not nudges[date(2026, 11, 16)][0].stale
    assert nudges[date(2026, 11, 23)][0].stale and nudges[date(2026, 11, 30)][0].stale
    assert nudges[date(2026, 12, 7)][0].stale  # Monday 09:00 was 3 days before the bot came back
    assert not nudges[date(2026, 12, 14)][0].stale
    closes = [(d, sent) for d, sent in of_kind(recorded, "close")]
    caught_up = sorted((sent, d.week_start) for d, sent in closes if sent == down[1])
    assert [w for _, w in caught_up] == [date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30)]
    # DMs: the weeks missed entirely are recorded once as lapsed; the week the bot came back
    # in (Thursday 10 Dec 15:00 Berlin is still ahead) gets its DM on time.
    lapsed = sorted(d.key for d, _ in of_kind(recorded, "checkin") if d.user_id is None)
    assert lapsed == ["checkin:1:2026-11-23:*", "checkin:1:2026-11-30:*"]
    on_time = [d for d, _ in of_kind(recorded, "checkin") if d.week_start == date(2026, 12, 7)]
    assert len(on_time) == 1 and not on_time[0].stale


def test_a_dm_less_than_twelve_hours_late_is_still_sent():
    members = [Member("UBERLIN", "Europe/Berlin")]
    down = (datetime(2026, 11, 19, 13, 0, tzinfo=UTC), datetime(2026, 11, 20, 1, 0, tzinfo=UTC))
    recorded = simulate(
        BERLIN, members, datetime(2026, 11, 16, tzinfo=UTC), datetime(2026, 11, 22, tzinfo=UTC), pauses=[down]
    )
    ((due, sent),) = of_kind(recorded, "checkin")
    assert sent == down[1] and not due.stale  # 11 hours late
    down = (datetime(2026, 11, 19, 13, 0, tzinfo=UTC), datetime(2026, 11, 20, 3, 0, tzinfo=UTC))
    recorded = simulate(
        BERLIN, members, datetime(2026, 11, 16, tzinfo=UTC), datetime(2026, 11, 22, tzinfo=UTC), pauses=[down]
    )
    ((due, sent),) = of_kind(recorded, "checkin")
    assert due.stale  # 13 hours late: skipped, and recorded as skipped


def test_nothing_before_the_first_cycle():
    work = playbook_work(BERLIN, {}, datetime(2026, 11, 10, tzinfo=UTC))
    assert not work.nudges and not work.closes and not work.lapsed


def test_member_timezone_falls_back():
    assert member_timezone("America/New_York", "Europe/Berlin", "UTC") == "America/New_York"
    assert member_timezone(None, "Europe/Berlin", "UTC") == "Europe/Berlin"
    assert member_timezone("Not/AZone", None, "Asia/Tokyo") == "Asia/Tokyo"


def test_digests_catch_up_in_order_and_never_repeat():
    at = datetime(2026, 11, 23, 12, 59, tzinfo=UTC)  # the slot is Monday 13:00, after the default grace
    assert digest_work(None, "UTC", at) == []  # a new installation: last Monday's is a week old
    assert [d.key for d in digest_work(None, "UTC", at + timedelta(minutes=1))] == ["digest:2026-11-23"]
    assert [d.key for d in digest_work(None, "UTC", at + timedelta(hours=5))] == ["digest:2026-11-23"]
    assert digest_work(date(2026, 11, 16), "UTC", at) == []
    later = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
    assert [d.key for d in digest_work(date(2026, 11, 16), "UTC", later)] == [
        "digest:2026-11-23",
        "digest:2026-11-30",
        "digest:2026-12-07",
    ]
    due = digest_work(date(2026, 11, 16), "America/New_York", datetime(2026, 11, 23, 18, 0, tzinfo=UTC))[0]
    assert due.due_at == datetime(2026, 11, 23, 18, 0, tzinfo=UTC)  # 13:00 New York


def test_the_owners_reminder_is_due_at_friday_15_in_the_owners_own_zone():
    from datetime import date

    from cadence.calendar import CycleAnchor
    from cadence.schedule import PlaybookClock, owner_work

    clock = PlaybookClock(7, "Asia/Kolkata", CycleAnchor(1, date(2026, 11, 16)))
    los_angeles = "America/Los_Angeles"  # Friday 15:00 there is Friday 23:00 UTC
    assert owner_work(clock, None, los_angeles, datetime(2026, 11, 20, 22, 59, tzinfo=UTC)) == []
    (due,) = owner_work(clock, None, los_angeles, datetime(2026, 11, 20, 23, 0, tzinfo=UTC))
    assert (due.key, due.stale) == ("owner-reminder:7:2026-11-16", False)
    assert owner_work(clock, date(2026, 11, 16), los_angeles, datetime(2026, 11, 21, 23, 0, tzinfo=UTC)) == []
    (late,) = owner_work(clock, None, los_angeles, datetime(2026, 11, 22, 0, 0, tzinfo=UTC) + timedelta(hours=12))
    assert late.stale  # the bot was down through Friday evening: not sent stale
    # A release that adds this DM to playbooks with months of history owes no past weeks.
    years = PlaybookClock(7, "UTC", CycleAnchor(1, date(2024, 11, 18)))
    owed = owner_work(years, None, "UTC", datetime(2026, 11, 27, 16, tzinfo=UTC))
    assert [(d.week.week_start, d.stale) for d in owed] == [(date(2026, 11, 16), True), (date(2026, 11, 23), False)]


# ---- holidays ----------------------------------------------------------------------------


def test_working_day_moves_nudges_and_checkins_never_to_a_weekend_nor_past_the_week():
    from cadence.schedule import working_day

    monday = date(2026, 11, 23)
    off = frozenset({monday, date(2026, 11, 26), date(2026, 11, 27)})  # Mon, Thu, Fri
    assert working_day(monday, monday, off, moves=True) == date(2026, 11, 24)  # to Tuesday
    assert working_day(date(2026, 11, 26), monday, off, moves=True) is None  # Fri off, then the weekend
    assert working_day(date(2026, 11, 26), monday, off, moves=False) is None
    assert working_day(date(2026, 11, 25), monday, off, moves=True) == date(2026, 11, 25)  # not a holiday


def test_a_holiday_moves_the_nudge_and_checkin_and_skips_the_reminder_sending_nothing_twice():
    from dataclasses import replace

    off = frozenset({date(2026, 11, 23), date(2026, 11, 26), date(2026, 12, 4)})  # Mon, Thu of week 2; Fri of week 3
    clock = replace(BERLIN, holidays=off)
    members = [Member("UBERLIN", "Europe/Berlin"), Member("UNEWYORK", "America/New_York")]
    recorded = simulate(clock, members, datetime(2026, 11, 15, tzinfo=UTC), datetime(2026, 12, 14, 7, 0, tzinfo=UTC))
    nudges = {d.week.week: d for d, _ in of_kind(recorded, "nudge")}
    assert not nudges[2].holiday and local(nudges[2], "Europe/Berlin") == datetime(
        2026, 11, 24, 9, 0, tzinfo=ZoneInfo("Europe/Berlin")
    )  # Monday's nudge on Tuesday, at the same time
    checkins = [d for d, _ in of_kind(recorded, "checkin") if d.week.week == 2]
    assert {local(d, (d.user_id == "UBERLIN" and "Europe/Berlin") or "America/New_York").date() for d in checkins} == {
        date(2026, 11, 27)
    }  # Thursday's DMs on Friday, 15:00 in each member's zone
    assert all(local(d, "Europe/Berlin").weekday() < 5 for d in checkins)
    reminders = [d for d, _ in of_kind(recorded, "reminder")]
    week3 = [d for d in reminders if d.week.week == 3]
    assert len(week3) == 1 and week3[0].holiday  # Friday of week 3 is off: the week's reminders skipped, once
    assert len([d for d in reminders if d.week.week == 2]) == 2  # sent as usual


def test_the_owners_reminder_on_a_holiday_is_due_as_skipped():
    from dataclasses import replace

    from cadence.schedule import owner_work

    clock = replace(BERLIN, holidays=frozenset({date(2026, 11, 20)}))
    dues = owner_work(clock, None, "Europe/Berlin", datetime(2026, 11, 20, 16, 0, tzinfo=UTC))
    assert [d.holiday for d in dues] == [True]
