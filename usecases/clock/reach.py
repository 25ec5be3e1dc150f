"""Who a clock job can reach: the people a DM is for, their time zones (asked of Slack),
who is away or deactivated, and what a refused token holds. The owners' jobs share these."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime

from cadence import calendar
from cadence.schedule import Due, PlaybookClock, member_timezone
from cadence.state import PlaybookState
from slack_api.dispatch import TOKEN_REFUSED
from slack_api.members import DirectoryUnavailable
from storage.cadence_log import Work
from usecases.clock.job import Tick, late, skipped

log = logging.getLogger("usecases.tick")  # the clock's log, as it was named when one module held it

DueWork = Callable[[PlaybookClock, date | None, str, datetime], list[Due]]


def owner(state: PlaybookState) -> str:
    return state.playbook.owner_id


def owner_dues(
    tick: Tick, kind: str, work: DueWork, person: Callable[[PlaybookState], str] = owner
) -> list[tuple[PlaybookState, Due]]:
    """The owners' DMs of `kind` due at `tick.at`, each in its owner's (or `person`'s) zone
    (Slack is asked for the zones only when one may be due somewhere)."""
    cursors, at = tick.reads.cursors, tick.at
    earliest = "Etc/GMT-14"  # no zone is ahead of it: if nothing is due there, nothing is due
    candidates = [
        (state, clock)
        for state, clock in tick.running
        if work(clock, cursors.get(state.playbook.id, {}).get(kind), earliest, at)
    ]
    if not candidates:
        return []
    zones = owner_zones(tick, [state for state, _ in candidates], person)
    if zones is None:
        return []
    return [
        (state, due)
        for state, clock in candidates
        for due in work(clock, cursors.get(state.playbook.id, {}).get(kind), zones[state.playbook.id], at)
    ]


def owner_zones(
    tick: Tick, states: list[PlaybookState], person: Callable[[PlaybookState], str] = owner
) -> dict[int, str] | None:
    """Each playbook's owner's (or `person`'s) time zone (else the playbook's, else the
    org's); None when Slack refuses the token."""
    try:
        people = tick.directory.people(tick.client, {person(state) for state in states})
    except DirectoryUnavailable as err:
        if token_refused(tick, err.reason):
            return None
        log.warning("tick: cannot look up owners' time zones (%s); using the playbooks' zones", err.reason)
        people = {}
    zones = {}
    for state in states:
        found = people.get(person(state))
        zones[state.playbook.id] = member_timezone(
            found.timezone if found else None, state.playbook.timezone, tick.org_timezone
        )
    return zones


def owners_to_reach(
    tick: Tick,
    dues: list[tuple[PlaybookState, Due]],
    stale: str,
    holiday: str,
    person: Callable[[PlaybookState], str] = owner,
    who: str = "the owner",
) -> tuple[list[Work], list[tuple[PlaybookState, Due]]]:
    """The owners' DMs (or another `person`'s) that are skipped (recorded with why:
    stale, a holiday, the person deactivated or away), and those to send."""
    gone = tick.store.people.deactivated([person(state) for state, _ in dues])
    away = away_in(tick, [due.week.week_start for _, due in dues if due.week])
    skipping, sending = [], []
    for state, due in dues:
        if due.stale:
            skipping.append(skipped(due, f"{late(due)}: {stale}"))
        elif due.holiday:
            skipping.append(skipped(due, holiday))
        elif person(state) in gone:
            skipping.append(skipped(due, f"{who} is deactivated in Slack"))
        elif is_away(tick, away, person(state), due):
            skipping.append(skipped(due, f"{who} is away"))
        else:
            sending.append((state, due))
    return skipping, sending


def away_in(tick: Tick, weeks: list[date]) -> dict[str, tuple[date, date]]:
    """Who is away on some day of these weeks or after (one query; none without weeks)."""
    return tick.store.people.away(through=min(weeks)) if weeks else {}


def is_away(tick: Tick, away: dict[str, tuple[date, date]], user_id: str, due: Due) -> bool:
    """Whether `user_id` said they are away on the day `due` falls on (an org day)."""
    if user_id not in away:
        return False
    first, last = away[user_id]
    return first <= calendar.local_date(due.due_at, tick.org_timezone) <= last


def token_refused(tick: Tick, reason: str) -> bool:
    """Slack refused the bot's token itself (not a channel or a person): delivery is held
    for every process (slack_api/dispatch.py), said once, and this tick plans no more
    person-facing work. False for any other reason."""
    if reason not in TOKEN_REFUSED:
        return False
    tick.report.held = reason
    if not tick.dry_run and tick.store.health.lose_slack_access(reason, tick.clock()):
        log.error("tick: Slack refuses the bot's token (%s): nudges and DMs wait until it works again", reason)
    return True
