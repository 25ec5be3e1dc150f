"""One idempotent tick: every piece of cadence work due at an instant.

`Cadence.tick(at)` reads the state from the database, asks cadence.schedule what is
due, fills in the messages, and records each unit of work under its idempotency key
together with its messages in the outbox (storage/cadence_log.py). Work recorded
before, by an earlier tick or by a concurrent one in another process, is dropped by
the database's unique key, so running a tick twice, or two at once, does everything
once. Delivery is the dispatcher's job (bot/dispatch.py).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from slack_sdk import WebClient

from cadence import calendar
from cadence.schedule import Due, Member, PlaybookClock, Slot, digest_work, member_work, playbook_work
from handlers.checkins import button_value
from handlers.members import DirectoryUnavailable, TeamDirectory
from storage.cadence_log import CadenceLog, Work
from storage.outbox import Message
from storage.store import CURATORS_CHANNEL, PlaybookState, Store
from templates import render

log = logging.getLogger(__name__)


@dataclass
class TickReport:
    counts: Counter = field(default_factory=Counter)  # (kind, status) -> units recorded by this tick
    unreachable: list[str] = field(default_factory=list)  # team channels Slack would not list

    def add(self, work: list[Work], recorded: set[str]) -> None:
        for w in work:
            if w.key in recorded:
                self.counts[(w.kind, w.status)] += 1

    def summary(self) -> str:
        if not self.counts:
            return "nothing due"
        return ", ".join(f"{n} {kind} {status}" for (kind, status), n in sorted(self.counts.items()))


def playbook_clock(state: PlaybookState) -> PlaybookClock:
    rules = state.playbook.rules
    return PlaybookClock(
        playbook_id=state.playbook.id,
        timezone=state.playbook.timezone,
        anchor=calendar.CycleAnchor(state.anchor.number, state.anchor.starts_on),
        grace_hours=rules.get("grace_hours", 12),
        stale_after_hours=rules.get("stale_after_hours", 12),
        nudge=Slot.parse(rules.get("nudge_at", "Mon 09:00")),
        checkin=Slot.parse(rules.get("checkin_at", "Thu 15:00")),
        reminder=Slot.parse(rules.get("reminder_at", "Fri 15:00")),
    )


class Cadence:
    def __init__(self, store: Store, log_: CadenceLog, client: WebClient, directory: TeamDirectory,
                 org_timezone: str, clock: Callable[[], datetime]):
        """`clock` is the real time, for the record; `tick(at)` plans for the instant `at`."""
        self.clock = clock
        self.store = store
        self.log = log_
        self.client = client
        self.directory = directory
        self.org_timezone = org_timezone

    def tick(self, at: datetime) -> TickReport:
        report = TickReport()
        states = self.store.active_states()
        cursors = self.log.cursors()
        plans = [(state, playbook_clock(state)) for state in states]
        member_weeks = []
        for state, clock in plans:
            work = playbook_work(clock, cursors.get(state.playbook.id, {}), at)
            simple = [self._nudge(state, due) for due in work.nudges]
            simple += [_skipped(due, "the bot was not running during this week's slots") for due in work.lapsed]
            report.add(simple, self.log.record(simple, self.clock()))
            if work.closes:
                self._close_weeks(state, work.closes, at, report)
            member_weeks += [(state, clock, kind, week) for kind, weeks in work.member_weeks.items() for week in weeks]
        if member_weeks:
            self._member_work(member_weeks, at, report)
        self._digests(states, at, report)
        return report

    # ---- team channel ----

    def _nudge(self, state: PlaybookState, due: Due) -> Work:
        if due.stale:
            return _skipped(due, f"{_late(due)}: stale nudges are not sent")
        playbook = state.playbook
        message = render("stage_nudge", slug=playbook.slug, title=playbook.title, week=due.week, steps=state.steps,
                         kpi_name=playbook.kpi_name, baseline=playbook.kpi_baseline, target=playbook.kpi_target,
                         unit=playbook.kpi_unit, checkin_at=_slot_words(playbook.rules.get("checkin_at", "Thu 15:00")))
        return _done(due, [Message(f"{due.key}#0", "chat.postMessage", playbook.channel_id, message)])

    def _close_weeks(self, state: PlaybookState, closes: list[Due], at: datetime, report: TickReport) -> None:
        """Week closes, oldest first, each recorded on its own so a catch-up stops in order.
        This is where the mode rules will evaluate each closed week."""
        figures = self.store.week_figures_many([(state, due.week_start) for due in closes])
        for due in closes:
            week_figures = figures[(state.playbook.id, due.week_start)]
            message = render("week_closed", playbook=state.playbook, week=due.week, figures=week_figures)
            work = [_done(due, [Message(f"{due.key}#0", "chat.postMessage", state.playbook.channel_id, message)])]
            report.add(work, self.log.record(work, self.clock()))

    # ---- members ----

    def _member_work(self, member_weeks: list, at: datetime, report: TickReport) -> None:
        recorded = self.log.recorded_members([(s.playbook.id, kind, w.week_start) for s, _, kind, w in member_weeks])
        checked_in = self.log.checked_in([(s.playbook.id, w.week_start) for s, _, kind, w in member_weeks
                                          if kind == "reminder"])
        teams: dict[str, list[Member] | None] = {}
        work: list[Work] = []
        for state, clock, kind, week in member_weeks:
            pid, channel = state.playbook.id, state.playbook.channel_id
            if channel not in teams:
                teams[channel] = self._team(channel, report)
            if teams[channel] is None:
                continue  # Slack did not answer: the next tick tries again
            for due in member_work(clock, kind, week, teams[channel], at, self.org_timezone):
                if (pid, kind, week.week_start, due.user_id) in recorded:
                    continue
                if due.stale:
                    work.append(_skipped(due, f"{_late(due)}: stale reminders and DMs are not sent"))
                elif kind == "reminder" and (pid, week.week_start, due.user_id) in checked_in:
                    work.append(_skipped(due, "already checked in"))
                else:
                    work.append(self._dm(state, due))
        report.add(work, self.log.record(work, self.clock()))

    def _team(self, channel: str, report: TickReport) -> list[Member] | None:
        try:
            return [Member(p.user_id, p.timezone) for p in self.directory.team(self.client, channel)]
        except DirectoryUnavailable as err:
            log.warning("tick: cannot list the team of %s (%s); will retry", channel, err.reason)
            report.unreachable.append(channel)
            return None

    def _dm(self, state: PlaybookState, due: Due) -> Work:
        playbook = state.playbook
        message = render("checkin_dm", slug=playbook.slug, title=playbook.title, week=due.week, steps=state.steps,
                         kpi_name=playbook.kpi_name, value=button_value(playbook.id, due.week_start),
                         reminder=due.kind == "reminder")
        return _done(due, [Message(f"{due.key}#0", "chat.postMessage", due.user_id, message)])

    # ---- curators ----

    def _digests(self, states: list[PlaybookState], at: datetime, report: TickReport) -> None:
        dues = digest_work(self.log.last_digest(), self.org_timezone, at)
        if not dues:
            return
        channel = self.store.setting(CURATORS_CHANNEL)
        for due in dues:
            monday = date.fromisoformat(due.key.split(":", 1)[1])
            if channel is None:
                work = [Work(due.key, "digest", due.due_at, "skipped", week_start=monday,
                             note="no curators channel set (/rollout curators-channel)")]
            else:
                work = [Work(due.key, "digest", due.due_at, "done", week_start=monday,
                             messages=[Message(f"{due.key}#0", "chat.postMessage", channel,
                                               self._digest(states, monday))])]
            report.add(work, self.log.record(work, self.clock()))

    def _digest(self, states: list[PlaybookState], monday: date) -> dict:
        """A plain summary of the week before `monday` for each active playbook."""
        weeks = []
        for state in states:
            week = calendar.week_containing(playbook_clock(state).anchor, monday - timedelta(days=1))
            if week is not None:
                weeks.append((state, week.week_start))
        figures = self.store.week_figures_many(weeks)
        rows = [dict(slug=s.playbook.slug, function=s.playbook.function, kpi_name=s.playbook.kpi_name,
                     unit=s.playbook.kpi_unit, target=s.playbook.kpi_target, kpi=figures[(s.playbook.id, w)].kpi,
                     checkins=len(figures[(s.playbook.id, w)].attestations)) for s, w in weeks]
        return render("digest_plain", week_of=(monday - timedelta(days=7)).isoformat(), rows=rows)


def _done(due: Due, messages: list[Message]) -> Work:
    return Work(due.key, due.kind, due.due_at, "done", due.playbook_id, due.week_start, due.user_id,
                messages=messages)


def _skipped(due: Due, note: str) -> Work:
    return Work(due.key, due.kind, due.due_at, "skipped", due.playbook_id, due.week_start, due.user_id, note=note)


def _late(due: Due) -> str:
    return f"due {due.due_at.isoformat(timespec='minutes')}"


_DAY_NAMES = {"Mon": "Monday", "Tue": "Tuesday", "Wed": "Wednesday", "Thu": "Thursday", "Fri": "Friday",
              "Sat": "Saturday", "Sun": "Sunday"}


def _slot_words(slot: str) -> str:
    day, clock = slot.split(" ")
    return f"{_DAY_NAMES[day]} {clock}"
