"""The members' check-in DMs and reminders of each active playbook's team: its channel's
members listed by Slack, each DM in the member's zone, skipped (with why) when stale, the
member deactivated, away, or already checked in. None while Slack refuses the token."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from cadence import calendar, keys
from cadence.calendar import WeekRef
from cadence.schedule import Due, Member, PlaybookClock, member_work
from cadence.state import PlaybookState
from slack_api.members import GONE, DirectoryUnavailable
from storage.cadence_log import Work
from templates import notices_close
from usecases.clock import reach
from usecases.clock.job import ClockJob, Tick, late, posted, skipped
from usecases.shared import life

log = logging.getLogger("usecases.tick")

MemberWeeks = list[tuple[PlaybookState, PlaybookClock, str, WeekRef]]


def due(tick: Tick) -> MemberWeeks | None:
    member_weeks = [
        (state, clock, kind, week)
        for state, clock, work in tick.plans
        if state.playbook.status == "active" and not tick.reads.lost
        for kind, weeks in work.member_weeks.items()
        for week in weeks
    ]
    return member_weeks or None


def run(tick: Tick, member_weeks: MemberWeeks) -> None:
    store = tick.store
    recorded = store.cadence_log.recorded_members(
        [(s.playbook.id, kind, w.week_start) for s, _, kind, w in member_weeks]
    )
    checked_in = store.cadence_log.checked_in(
        [(s.playbook.id, w.week_start) for s, _, kind, w in member_weeks if kind == "reminder"]
    )
    teams = _teams(tick, sorted({s.playbook.channel_id for s, _, _, _ in member_weeks}))
    work: list[Work] = []
    rendered: dict[tuple[int, date, str], dict[str, Any]] = {}
    away = reach.away_in(tick, [week.week_start for _, _, _, week in member_weeks])
    gone = store.people.deactivated()  # few: people who left, kept until they come back
    for state, clock, kind, week in member_weeks:
        pid, channel = state.playbook.id, state.playbook.channel_id
        team = teams.get(channel)
        if team is None:
            continue  # Slack did not answer: the next tick tries again
        for due in member_work(clock, kind, week, team, tick.at, tick.org_timezone):
            if (pid, kind, week.week_start, due.user_id) in recorded:
                continue
            if due.stale:
                work.append(skipped(due, f"{late(due)}: stale reminders and DMs are not sent"))
            elif due.user_id in gone:
                work.append(skipped(due, "deactivated in Slack"))
            elif due.user_id is not None and reach.is_away(tick, away, due.user_id, due):
                work.append(skipped(due, "away"))
            elif kind == "reminder" and (pid, week.week_start, due.user_id) in checked_in:
                work.append(skipped(due, "already checked in"))
            else:
                work.append(_dm(state, due, rendered))
    tick.record(work)


def _teams(tick: Tick, channels: list[str]) -> dict[str, list[Member] | None]:
    try:
        teams = tick.directory.teams(tick.client, channels)
    except DirectoryUnavailable as err:
        if reach.token_refused(tick, err.reason):
            return {}
        if err.reason in GONE and err.channel_id in channels:
            _lost(tick, err.channel_id, err.reason)
        else:
            log.warning("tick: cannot list team members (%s: %s); will retry", err.channel_id, err.reason)
            tick.report.unreachable += channels
        return {}
    for channel, people in teams.items():
        if people is None:
            _lost(tick, channel, "not_in_channel")
    return {
        c: None if people is None else [Member(p.user_id, p.timezone) for p in people] for c, people in teams.items()
    }


def _lost(tick: Tick, channel: str, error: str) -> None:
    """Slack will not list a team channel: its playbooks pause, their owners and the
    curators are told (usecases/shared/life.py), and nothing retries in a loop."""
    log.warning("tick: Slack says %s for team channel %s; pausing its playbooks", error, channel)
    tick.report.unreachable.append(channel)
    if not tick.dry_run:
        life.channel_lost(tick.store, channel, error, tick.clock())


def _dm(state: PlaybookState, due: Due, rendered: dict[tuple[int, date, str], dict[str, Any]]) -> Work:
    """A check-in DM or reminder. Every member of a playbook gets the same one for a week,
    so it is rendered once per playbook, week and kind (`rendered` is the cache)."""
    playbook = state.playbook
    assert due.week is not None and due.user_id is not None, "a DM is for one member and one week"
    cache_key = (playbook.id, due.week.week_start, due.kind)
    if cache_key not in rendered:
        rendered[cache_key] = notices_close.checkin_dm(
            slug=playbook.slug,
            title=playbook.title,
            week=due.week,
            steps=state.steps,
            kpi_name=playbook.kpi_name,
            value=keys.checkin_button(playbook.id, due.week.week_start),
            reminder=due.kind == "reminder",
            pulse=due.week.week == calendar.WEEKS_PER_CYCLE and state.settings.pulse == "on",
        )
    return posted(due, due.user_id, rendered[cache_key])


JOB = ClockJob("member check-ins and reminders", due, run, after=("bar changes due",))
