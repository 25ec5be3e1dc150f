"""What cadence work is due at an instant (docs/usage.md, "The weekly rhythm"), as plain data.

The tick (usecases/tick.py) asks these functions what is due, given what has already been
recorded, and records each answer under its idempotency key. Nothing here reads the
clock, Slack or the database, so whole cycles, downtime and DST changes can be played
through in a test in milliseconds.

Keys name the unit of work, so the same work always gets the same key:
    nudge:<playbook>:<week>            stage nudge to the team channel
    checkin:<playbook>:<week>:<user>   check-in DM
    reminder:<playbook>:<week>:<user>  the one reminder
    checkin:<playbook>:<week>:*        a whole week's DMs that lapsed while the bot was down
    close:<playbook>:<week>            week close (rule evaluation)
    digest:<monday>                    the curators' digest
    exception-queue:<playbook>:<week>  the exception owner's Monday DM of the open items
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cadence import keys
from cadence.calendar import CycleAnchor, WeekRef, first_day, judged, week_closes_at, week_containing

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MEMBER_KINDS = ("checkin", "reminder")
# On a holiday these move to the next working day, at the same time; the reminder and the
# owner's DM do not (a holiday skips them).
MOVING = ("nudge", "checkin")
# Time zones span UTC-12 to UTC+14: a member slot falls within this much of its UTC time.
EARLIEST_OFFSET = timedelta(hours=14)
LATEST_OFFSET = timedelta(hours=12)
DIGEST_SLOT = "Mon 13:00"  # org time: after the default grace, so last week has closed


@dataclass(frozen=True)
class Slot:
    """A weekday and a local wall-clock time, e.g. Thursday 15:00."""

    weekday: int  # 0 = Monday
    at: time

    @classmethod
    def parse(cls, text: str) -> Slot:
        day, clock = text.split(" ")
        hours, minutes = clock.split(":")
        return cls(WEEKDAYS.index(day), time(int(hours), int(minutes)))

    def local_date(self, week_start: date) -> date:
        return week_start + timedelta(days=self.weekday)

    def instant_on(self, day: date, tz: str) -> datetime:
        """The UTC instant of this slot's time on `day` (a day it was moved to), in zone `tz`."""
        return datetime.combine(day, self.at, tzinfo=ZoneInfo(tz)).astimezone(UTC)

    def instant(self, week_start: date, tz: str) -> datetime:
        """The UTC instant of this slot in the week starting `week_start`, in zone `tz`.

        Wall time is resolved by zoneinfo: a time skipped by a spring-forward change
        is read with the offset before the change (02:30 becomes 03:30), a repeated
        one is its first occurrence. Either way each slot is exactly one instant.
        """
        local = datetime.combine(self.local_date(week_start), self.at, tzinfo=ZoneInfo(tz))
        return local.astimezone(UTC)


@dataclass(frozen=True)
class PlaybookClock:
    """What the planner needs to know about one active playbook."""

    playbook_id: int
    timezone: str
    anchor: CycleAnchor
    grace_hours: float = 12
    stale_after_hours: float = 12
    nudge: Slot = Slot(0, time(9, 0))
    checkin: Slot = Slot(3, time(15, 0))
    reminder: Slot = Slot(4, time(15, 0))
    holidays: frozenset[date] = frozenset()  # the org's days off

    def slot(self, kind: str) -> Slot:
        return {"nudge": self.nudge, "checkin": self.checkin, "reminder": self.reminder}[kind]

    def slot_day(self, kind: str, week_start: date) -> date | None:
        """The day `kind`'s slot falls on in the week starting `week_start`, after the
        holidays: None if a holiday skips it."""
        return working_day(self.slot(kind).local_date(week_start), week_start, self.holidays, kind in MOVING)

    @property
    def stale_after(self) -> timedelta:
        return timedelta(hours=self.stale_after_hours)


@dataclass(frozen=True)
class Due:
    key: str
    kind: str  # nudge | checkin | reminder | close | digest
    due_at: datetime
    playbook_id: int | None = None
    week: WeekRef | None = None
    user_id: str | None = None
    stale: bool = False  # too late to be worth sending: recorded as skipped
    holiday: bool = False  # a holiday skips it: recorded as skipped

    @property
    def week_start(self) -> date | None:
        return self.week.week_start if self.week else None


@dataclass(frozen=True)
class Member:
    user_id: str
    timezone: str | None  # Slack's `tz`; None when Slack has none


@dataclass
class PlaybookWork:
    nudges: list[Due] = field(default_factory=list)
    closes: list[Due] = field(default_factory=list)  # oldest first: closes catch up in order
    lapsed: list[Due] = field(default_factory=list)  # member weeks missed entirely, recorded as skipped
    member_weeks: dict[str, list[WeekRef]] = field(default_factory=dict)  # weeks whose member slots may be due


def working_day(day: date, week_start: date, holidays: frozenset[date], moves: bool) -> date | None:
    """`day`, unless it is a holiday: then, if the work `moves`, the next working day of
    the same week (Monday to Friday, not a holiday), else None (skipped), as it is when the
    week ends first."""
    if day not in holidays:
        return day
    if not moves:
        return None
    later = day + timedelta(days=1)
    while later <= week_start + timedelta(days=6):
        if later.weekday() < 5 and later not in holidays:
            return later
        later += timedelta(days=1)
    return None


def _weeks(anchor: CycleAnchor, after: date | None, last: date) -> list[WeekRef]:
    """Cycle weeks starting after `after` (or at the anchor, or at the run before it) up to
    the one starting on or before `last`. Weeks between a paused run and the one resumed
    after it belong to no cycle: skipped."""
    start = first_day(anchor)
    first = start if after is None else max(start, after + timedelta(days=7))
    weeks = []
    day = first
    while day <= last:
        week = week_containing(anchor, day)
        if week is not None:
            weeks.append(week)
        elif day < anchor.starts_on:
            day = anchor.starts_on  # the gap after the run before: on to this run's first week
            continue
        day += timedelta(days=7)
    return weeks


def playbook_work(clock: PlaybookClock, cursors: dict[str, date], at: datetime) -> PlaybookWork:
    """Everything due for one playbook at `at`, after the weeks already recorded.

    `cursors` maps a kind to the latest week recorded for it (absent: nothing yet).
    """
    work = PlaybookWork()
    current = _current_week(clock, at)
    if current is None:
        return work
    work.nudges.extend(_nudges(clock, cursors.get("nudge"), current, at))
    work.closes.extend(_closes(clock, cursors.get("close"), current, at))
    for kind in MEMBER_KINDS:
        work.member_weeks[kind] = _member_weeks(clock, kind, cursors.get(kind), current, at, work.lapsed)
    return work


def _current_week(clock: PlaybookClock, at: datetime) -> WeekRef | None:
    """The latest week that can have work due at `at`; None before the run's first."""
    # A week can have due work from its Monday on; look one week past today in UTC
    # terms so zones ahead of UTC are covered.
    horizon = (at + EARLIEST_OFFSET).date()
    if horizon < first_day(clock.anchor):
        return None
    if clock.anchor.ends_after is not None:  # a paused or retired run: nothing after its last week
        horizon = min(horizon, clock.anchor.ends_after)
    current = week_containing(clock.anchor, horizon)
    if current is None:  # between the run before and this one: that run's weeks may still be due
        return _last_week_before(clock.anchor, horizon)
    return current


def _nudges(clock: PlaybookClock, cursor: date | None, current: WeekRef, at: datetime) -> Iterator[Due]:
    pid = clock.playbook_id
    for week in _weeks(clock.anchor, cursor, current.week_start):
        day = clock.slot_day("nudge", week.week_start)
        due = clock.nudge.instant_on(day or clock.nudge.local_date(week.week_start), clock.timezone)
        if due <= at:
            stale = at - due > clock.stale_after
            yield Due(keys.nudge(pid, week.week_start), "nudge", due, pid, week, stale=stale, holiday=day is None)


def _closes(clock: PlaybookClock, cursor: date | None, current: WeekRef, at: datetime) -> Iterator[Due]:
    pid = clock.playbook_id
    for week in _weeks(clock.anchor, cursor, current.week_start):
        due = week_closes_at(week.week_start, clock.timezone, clock.grace_hours)
        if due > at:
            break
        if not judged(clock.anchor, week.week_start, clock.timezone, clock.grace_hours):
            continue  # closed before its cycle was started: nobody could report for it
        yield Due(keys.close(pid, week.week_start), "close", due, pid, week)


def _member_weeks(
    clock: PlaybookClock, kind: str, start: date | None, current: WeekRef, at: datetime, lapsed: list[Due]
) -> list[WeekRef]:
    """The weeks whose `kind` of member work is open at `at`; those lapsed (or a holiday's)
    after `start`, the latest recorded, go to `lapsed`."""
    pid, slot = clock.playbook_id, clock.slot(kind)
    open_weeks = []
    # The latest recorded week may still have members to serve; start there.
    after = start - timedelta(days=7) if start else None
    for week in _weeks(clock.anchor, after, current.week_start):
        day = clock.slot_day(kind, week.week_start)
        utc_slot = slot.instant_on(day or slot.local_date(week.week_start), "UTC")
        earliest, latest = utc_slot - EARLIEST_OFFSET, utc_slot + LATEST_OFFSET + clock.stale_after
        if at < earliest:
            continue
        if day is not None and at <= latest:
            open_weeks.append(week)
        elif start is None or week.week_start > start:  # lapsed, or a holiday skips the whole week's
            key = keys.lapsed_member_work(kind, pid, week.week_start)
            when = earliest if day is None else utc_slot  # a holiday's is decided as its window opens
            lapsed.append(Due(key, kind, when, pid, week, stale=True, holiday=day is None))
    return open_weeks


def _last_week_before(anchor: CycleAnchor, day: date) -> WeekRef | None:
    """The last week of the run before `anchor` if it began by `day` (`day` falls in the gap
    between that run and this one)."""
    before = anchor.before
    if before is None or before.ends_after is None or day < before.starts_on:
        return None
    return week_containing(before, min(day, before.ends_after))


def member_work(
    clock: PlaybookClock, kind: str, week: WeekRef, members: list[Member], at: datetime, fallback_timezone: str
) -> list[Due]:
    """The check-in DMs (or reminders) of `week` that are due at `at`, one per member,
    each at the slot's local time in the member's own zone."""
    slot = clock.slot(kind)
    pid = clock.playbook_id
    day = clock.slot_day(kind, week.week_start)
    if day is None:
        return []  # a holiday: the week's are recorded skipped at once (playbook_work, lapsed)
    dues = []
    for member in members:
        zone = member_timezone(member.timezone, clock.timezone, fallback_timezone)
        due = slot.instant_on(day, zone)
        if due <= at:
            dues.append(
                Due(
                    keys.member_work(kind, pid, week.week_start, member.user_id),
                    kind,
                    due,
                    pid,
                    week,
                    member.user_id,
                    stale=at - due > clock.stale_after,
                )
            )
    return dues


OWNER_REMINDER = "owner-reminder"


def owner_work(clock: PlaybookClock, cursor: date | None, owner_zone: str, at: datetime) -> list[Due]:
    """The owner's reminder of what is missing, for each week after `cursor` whose slot
    (the members' reminder slot, Friday 15:00 by default, in the owner's own zone) has
    come. A slot more than `stale_after` ago is due as stale: recorded, not sent. Without
    a cursor only the last two weeks count: older weeks are history, not owed reminders."""
    horizon = (at + EARLIEST_OFFSET).date()
    current = week_containing(clock.anchor, horizon) or _last_week_before(clock.anchor, horizon)
    if current is None:
        return []
    if cursor is None:  # nothing recorded yet (a new playbook, or a release that adds this DM): recent weeks only
        cursor = current.week_start - timedelta(days=14)
    dues = []
    for week in _weeks(clock.anchor, cursor, current.week_start):
        due = clock.reminder.instant(week.week_start, owner_zone)
        if due <= at:
            key = keys.owner_reminder(clock.playbook_id, week.week_start)
            holiday = clock.slot_day("reminder", week.week_start) is None
            stale = at - due > clock.stale_after
            dues.append(Due(key, OWNER_REMINDER, due, clock.playbook_id, week, stale=stale, holiday=holiday))
    return dues


LEARNING_PROMPT = "learning-prompt"
LEARNING_SLOT = Slot(0, time(9, 0))  # Monday 09:00 of a cycle's fourth week, the owner's zone


def learning_work(clock: PlaybookClock, cursor: date | None, owner_zone: str, at: datetime) -> list[Due]:
    """The owner's "what did it teach?" DM for each cycle's fourth week after `cursor`
    whose Monday 09:00 (the owner's own zone) has come; on a holiday, the next working day.
    Asked once a cycle, it is still worth asking a day late: it is stale (recorded, not
    sent) only once its week is over. Without a cursor only the last two weeks count, as
    for the owner's reminder."""
    return _monday_work(clock, cursor, owner_zone, at, LEARNING_PROMPT, keys.learning_prompt, weeks=(4,))


EXCEPTION_QUEUE = "exception-queue"


def exception_queue_work(clock: PlaybookClock, cursor: date | None, owner_zone: str, at: datetime) -> list[Due]:
    """The exception owner's DM of the open items, every cycle week's Monday 09:00 in
    their own zone (`owner_zone`), moved and made stale as the learning prompt is: one
    a week, whatever restarts in between (its key is the week's)."""
    return _monday_work(clock, cursor, owner_zone, at, EXCEPTION_QUEUE, keys.exception_queue)


def _monday_work(
    clock: PlaybookClock,
    cursor: date | None,
    zone: str,
    at: datetime,
    kind: str,
    key: Callable[[int, date], str],
    weeks: tuple[int, ...] = (1, 2, 3, 4),
) -> list[Due]:
    horizon = (at + EARLIEST_OFFSET).date()
    current = week_containing(clock.anchor, horizon) or _last_week_before(clock.anchor, horizon)
    if current is None:
        return []
    if cursor is None:
        cursor = current.week_start - timedelta(days=14)
    dues = []
    for week in _weeks(clock.anchor, cursor, current.week_start):
        if week.week not in weeks:
            continue
        day = working_day(week.week_start, week.week_start, clock.holidays, moves=True)
        if day is None:
            due = LEARNING_SLOT.instant(week.week_start, zone)
            holiday = True
        else:
            due, holiday = LEARNING_SLOT.instant_on(day, zone), False
        if due <= at:
            # Once a week (or cycle), and worth sending late: stale only once its week is over.
            stale = at.date() > week.week_end
            dues.append(
                Due(
                    key(clock.playbook_id, week.week_start),
                    kind,
                    due,
                    clock.playbook_id,
                    week,
                    stale=stale,
                    holiday=holiday,
                )
            )
    return dues


def member_timezone(member_tz: str | None, playbook_tz: str | None, org_tz: str) -> str:
    """The member's own zone, else the playbook's, else the org's. Unknown names fall through."""
    for zone in (member_tz, playbook_tz):
        if zone:
            try:
                ZoneInfo(zone)
                return zone
            except (KeyError, ValueError):
                continue
    return org_tz


def digest_work(
    last: date | None, org_timezone: str, at: datetime, first_within: timedelta = timedelta(hours=12)
) -> list[Due]:
    """The weekly digests due at `at`: Monday 09:00 in the org's zone. Digests are never
    skipped: after downtime each missed Monday gets its own, in order. The very first
    (nothing recorded yet) is this Monday's if it is less than `first_within` old, else
    next Monday's: a new installation does not post last week's digest on a Thursday."""
    slot = Slot.parse(DIGEST_SLOT)
    today = at.astimezone(ZoneInfo(org_timezone)).date()
    monday = today - timedelta(days=today.weekday())
    if slot.instant(monday, org_timezone) > at:
        monday -= timedelta(days=7)
    if last is None:
        late = at - slot.instant(monday, org_timezone)
        first = monday if late <= first_within else monday + timedelta(days=7)
    else:
        first = last + timedelta(days=7)
    dues = []
    day = first
    while day <= monday:
        dues.append(Due(keys.digest(day), "digest", slot.instant(day, org_timezone)))
        day += timedelta(days=7)
    return dues
