"""The pulse (docs/usage.md, "The pulse"; cadence/pulse.py): once a cycle, from week 4's
Thursday to the cycle's close, every member of the team channel, the owner included,
may answer four optional questions: the week-4 check-in DM's *Pulse* button or
`/rollout pulse <playbook>` opens the form, and a submission keeps the answer without
its person (storage/pulse.py), in place of the person's earlier one.

Before the close only how many answered is shown, to the owner and curators; at the
close the cycle's pulse is sealed and shown from `pulse_min_answers` answers
(usecases/shared/weeks.py). What the surfaces show of it: its section,
usecases/sections/pulse.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from cadence import calendar
from cadence.pulse import Answer
from cadence.state import PlaybookState
from templates.refusals import Refusal
from usecases.shared import life, roles
from usecases.shared.caller import Caller

USAGE = "pulse"
THURSDAY = 3  # days after the Monday: the pulse opens on week 4's Thursday


@dataclass(frozen=True)
class PulseForm:
    """The form to show: its playbook and the cycle asked about (its week 4)."""

    state: PlaybookState
    week: calendar.WeekRef


def last_week(state: PlaybookState, today: date) -> calendar.WeekRef | None:
    """Week 4 of the cycle the pulse would ask about today: the current cycle's once its
    week 4 has begun, else the previous cycle's (whose close may still be to come)."""
    if state.anchor is None:
        return None
    return calendar.most_recent_week(state.running(), today, calendar.WEEKS_PER_CYCLE)


def is_open(state: PlaybookState, week: calendar.WeekRef, caller: Caller) -> bool:
    """From the Thursday of the cycle's week 4 until its close (the week's close, grace included)."""
    closed = state.playbook.closed_through
    return (
        caller.today(state) >= week.week_start + timedelta(days=THURSDAY)
        and not calendar.is_closed(week.week_start, state.playbook.timezone, state.settings.grace_hours, caller.now)
        and (closed is None or closed < week.week_start)
    )


def _askable(caller: Caller, state: PlaybookState, week: calendar.WeekRef | None) -> calendar.WeekRef:
    """The cycle's week 4 if the caller may answer its pulse now; refused otherwise."""
    slug = state.playbook.slug
    life.refuse_unless_running(state, USAGE)
    if state.settings.pulse == "off":
        raise Refusal.of("pulse_off", usage=USAGE, slug=slug)
    if week is None or not is_open(state, week, caller):
        raise _not_open(caller, state, week)
    if not (caller.is_owner(state) or caller.is_member(state)):
        raise Refusal.of("pulse_members_only", usage=USAGE, slug=slug, channel=roles.channel(state.playbook.channel_id))
    return week


def _not_open(caller: Caller, state: PlaybookState, week: calendar.WeekRef | None) -> Refusal:
    """Why no pulse is open: the cycle asked about closed, or when the next one opens."""
    slug, today = state.playbook.slug, caller.today(state)
    if week is not None and week.week_start + timedelta(days=THURSDAY) <= today:
        return Refusal.of("pulse_closed", usage=USAGE, slug=slug, cycle=week.cycle)
    current = calendar.week_containing(state.running(), today) if state.anchor is not None else None
    if current is None:
        return Refusal.of("pulse_no_cycle", usage=USAGE, slug=slug)
    opens = calendar.week_of_cycle(current, calendar.WEEKS_PER_CYCLE).week_start + timedelta(days=THURSDAY)
    return Refusal.of("pulse_not_open", usage=USAGE, slug=slug, cycle=current.cycle, day=opens.isoformat())


def open_form(caller: Caller, playbook: str) -> PulseForm:
    """`/rollout pulse <playbook>`: the form of the cycle whose pulse is open."""
    state = caller.playbook(playbook, USAGE)
    return PulseForm(state, _askable(caller, state, last_week(state, caller.today(state))))


def _sent(caller: Caller, target: tuple[int, date]) -> tuple[PlaybookState, calendar.WeekRef | None] | None:
    state = caller.store.playbooks.state_by_id(target[0])
    if state is None or state.anchor is None:
        return None
    week = calendar.week_containing(state.running(), target[1])
    return state, (week if week is not None and week.week == calendar.WEEKS_PER_CYCLE else None)


def open_sent(caller: Caller, target: tuple[int, date]) -> PulseForm | None:
    """The week-4 check-in DM's *Pulse*: the form of the cycle it was sent for (None: the
    playbook was removed since). Refused once that cycle closed."""
    sent = _sent(caller, target)
    if sent is None:
        return None
    state, week = sent
    return PulseForm(state, _askable(caller, state, week))


@dataclass(frozen=True)
class Kept:
    slug: str
    cycle: int


def submit(caller: Caller, target: tuple[int, date], answer: Answer) -> Kept:
    """Keep the caller's answer to the cycle's pulse (`target`: the playbook and its week 4),
    in place of their earlier one. Refused, nothing stored, once the cycle closed, for
    anyone not in the team channel, an empty answer, or a playbook whose pulse is off."""
    sent = _sent(caller, target)
    if sent is None:
        raise Refusal.of("week_form_gone")
    state, found = sent
    week = _askable(caller, state, found)
    if answer.empty:
        raise Refusal.of("pulse_empty")
    with caller.store.unit_of_work() as uow:
        if not uow.pulses.answer(state.playbook.id, week.cycle, week.week_start, caller.user_id, answer):
            raise Refusal.of("pulse_closed", usage=USAGE, slug=state.playbook.slug, cycle=week.cycle)
        uow.commit()
    return Kept(state.playbook.slug, week.cycle)
