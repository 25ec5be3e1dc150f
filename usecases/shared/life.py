"""A playbook's life: pause, resume, retire and hand over.

A pause or retirement ends the current run of cycles after this week: the week still
closes and is evaluated, the cycle it was in ends there as interrupted, and from the
next tick nothing goes out for the playbook. Weeks while paused belong to no cycle. A
resume starts a new cycle on a Monday. Every one of these is a decision row.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cadence import calendar, cycle_decisions, decisions, keys, setup_decisions
from cadence.change import Change, Message
from cadence.definition_compare import Compare
from cadence.state import Cycle, Playbook, PlaybookState
from storage.store import Conflict, Store
from templates import notices
from templates.refusals import Refusal
from usecases.shared.roles import require_owner_or_curator


@dataclass(frozen=True)
class Ended:
    status: str  # paused | retired
    last_week: calendar.WeekRef | None  # the week that still closes; None if the run had ended before


# A cycle starts at most this many weeks after this week's Monday: a year ahead.
FURTHEST_START_WEEKS = 52


def _last_week(state: PlaybookState, now: datetime) -> calendar.WeekRef | None:
    """This week, if the latest run of cycles has begun (a week of the run before it, still
    open after a resume, is not this run's to end)."""
    anchor = state.cycle_anchor
    if anchor is None:
        return None
    return calendar.week_containing(calendar.own_run(anchor), calendar.local_date(now, state.playbook.timezone))


def check_start(starts_on: date, today: date, usage: str) -> None:
    """A cycle's first Monday: this week's or a later one (a week already begun could not
    have taken reports before the cycle existed), and at most FURTHEST_START_WEEKS ahead.
    Compared by difference, so a date at the calendar's end never reaches arithmetic that
    overflows."""
    if starts_on.weekday() != 0:  # the slash command's grammar says so first; the command line here
        raise Refusal.of("cycle_not_monday", usage=usage, day=starts_on.isoformat(), weekday=starts_on.strftime("%A"))
    monday = calendar.monday_of(today)
    if starts_on < monday:
        raise Refusal.of("cycle_over", usage=usage, day=starts_on.isoformat(), monday=monday.isoformat())
    if (starts_on - monday).days > 7 * FURTHEST_START_WEEKS:
        latest = monday + timedelta(weeks=FURTHEST_START_WEEKS)
        raise Refusal.of("start_too_far", usage=usage, day=starts_on.isoformat(), latest=latest.isoformat())


def refuse_unless_running(state: PlaybookState, usage: str | None) -> None:
    """Reports and cycle starts are for playbooks that run."""
    playbook = state.playbook
    since = playbook.status_since.date().isoformat() if playbook.status_since else "?"
    if playbook.status == "retired":
        raise Refusal.of("retired", usage=usage, slug=playbook.slug, since=since, reason=playbook.status_reason or "")


@dataclass(frozen=True)
class Started:
    cycle: int
    starts_on: date
    moved_from: date | None = None  # the start it replaced, when it corrected one not yet begun
    baseline_week: date | None = None  # an adopter's first cycle's: the week before it (first_cycle)


def first_cycle(starts_on: date, compared: bool) -> tuple[date, date | None]:
    """An adopter starting on `starts_on`: its first cycle's Monday and its baseline week's
    (docs/judgement.md, "The baseline week"). The team starts with a baseline week, in
    which it reports its KPI as it works today, and its first cycle on the Monday after;
    with `compare: rest` the rest measures the baseline week by week: no baseline week."""
    if compared:
        return starts_on, None
    return starts_on + timedelta(days=7), starts_on


def takes_baseline_week(playbook: Playbook) -> bool:
    """An adopter (a playbook adopted from a registry version) without `compare: rest`:
    its first cycle, however started, comes after a baseline week."""
    return playbook.adopted_from_id is not None and Compare.of(playbook.definition or {}) is None


def start_cycle(store: Store, state: PlaybookState, starts_on: date | None, by: str, now: datetime) -> Started:
    """`/rollout cycle start` and `rollout cycle start`: the first cycle, by default next
    Monday. An adopter's first cycle (takes_baseline_week) takes that Monday as its baseline
    week and starts the Monday after, as `adopt ... start:` does. A start that has not
    begun yet (the first cycle's, or a resume's) can be moved to another Monday (an
    adopter's baseline week with it, until that week begins); a cycle that has begun runs
    on, and a paused playbook resumes.
    Who may is the caller's to check (commands.cycle_start, operator.start_cycle)."""
    playbook = state.playbook
    refuse_unless_running(state, "cycle")
    if playbook.status == "paused":
        raise Refusal.of("use_resume", usage="cycle", slug=playbook.slug)
    today = calendar.local_date(now, playbook.timezone)
    anchor = state.cycle_anchor
    if anchor is None:
        starts_on = starts_on or calendar.next_monday(today)
        check_start(starts_on, today, "cycle")
        first, baseline = first_cycle(starts_on, False) if takes_baseline_week(playbook) else (starts_on, None)
        try:
            begin_cycle(store, playbook.id, 1, first, by, now, baseline_week=baseline)
        except Conflict:
            raise Refusal.of("cycle_race", usage="cycle", slug=playbook.slug) from None
        return Started(1, first, baseline_week=baseline)
    if anchor.baseline is not None and today < anchor.starts_on:
        return _move_baseline_week(store, state, anchor.baseline, starts_on, by, now)
    if today >= anchor.starts_on:
        running = calendar.week_containing(calendar.own_run(anchor), today)
        assert running is not None, "an active playbook's latest run has not ended"
        raise Refusal.of("cycle_running", usage="cycle", slug=playbook.slug, week=running.week, cycle=running.cycle)
    starts_on = _moved_to(starts_on, anchor.starts_on, state)
    check_start(starts_on, today, "cycle")
    if anchor.before is not None and anchor.before.ends_after is not None:
        earliest = anchor.before.ends_after + timedelta(days=7)
        if starts_on < earliest:
            raise Refusal.of(
                "resume_too_early", usage="cycle", day=starts_on.isoformat(), earliest=earliest.isoformat()
            )
    record = cycle_decisions.of_cycle_moved(playbook.id, playbook.slug, anchor.number, anchor.starts_on, starts_on, by)
    with store.unit_of_work() as uow:
        moved = uow.playbooks.move_cycle_start(playbook.id, anchor.number, anchor.starts_on, starts_on)
        if moved:
            uow.governance.apply(Change(decisions=[record]), now)
        uow.commit()
    if not moved:
        raise Refusal.of("cycle_race", usage="cycle", slug=playbook.slug)
    return Started(anchor.number, starts_on, anchor.starts_on)


def _moved_to(starts_on: date | None, set_on: date, state: PlaybookState) -> date:
    """The Monday a start not yet begun moves to (set on `set_on`: the cycle's start, or an
    adopter's baseline week); none named, or the same: refused, naming the cycle's start."""
    if starts_on is None or starts_on == set_on:
        anchor = state.running()
        raise Refusal.of(
            "cycle_already_set",
            usage="cycle",
            cycle=anchor.number,
            slug=state.playbook.slug,
            day=anchor.starts_on.isoformat(),
        )
    return starts_on


def _move_baseline_week(
    store: Store, state: PlaybookState, baseline_week: date, starts_on: date | None, by: str, now: datetime
) -> Started:
    """An adopter's first cycle, set after a baseline week: the Monday named becomes the
    baseline week, and the cycle starts the Monday after, while the baseline week has not
    begun; once it has, it runs on (its reports measure the baseline)."""
    playbook = state.playbook
    anchor = state.running()
    today = calendar.local_date(now, playbook.timezone)
    if today >= baseline_week:
        raise Refusal.of(
            "baseline_week_running",
            usage="cycle",
            slug=playbook.slug,
            day=baseline_week.isoformat(),
            starts_on=anchor.starts_on.isoformat(),
        )
    starts_on = _moved_to(starts_on, baseline_week, state)
    check_start(starts_on, today, "cycle")
    first = starts_on + timedelta(days=7)
    record = cycle_decisions.of_cycle_moved(playbook.id, playbook.slug, anchor.number, anchor.starts_on, first, by)
    with store.unit_of_work() as uow:
        moved = uow.playbooks.move_cycle_start(
            playbook.id, anchor.number, anchor.starts_on, first, baseline_week=starts_on
        )
        if moved:
            uow.governance.apply(Change(decisions=[record]), now)
        uow.commit()
    if not moved:
        raise Refusal.of("cycle_race", usage="cycle", slug=playbook.slug)
    return Started(anchor.number, first, anchor.starts_on, baseline_week=starts_on)


def begin_cycle(
    store: Store,
    playbook_id: int,
    number: int,
    starts_on: date,
    by: str,
    now: datetime,
    baseline_week: date | None = None,
) -> Cycle:
    """Cycle `number` of the playbook starts on `starts_on` (an adopter's first after its
    `baseline_week`), with its decision row, in one unit of work: a first cycle's start,
    whose rules are the caller's (start_cycle, adoption's). Raises Conflict, and writes
    nothing, if that cycle was started at the same moment."""
    with store.unit_of_work() as uow:
        cycle = uow.playbooks.add_cycle(playbook_id, number, starts_on, by, now, baseline_week=baseline_week)
        started = cycle_decisions.of_cycle_started(playbook_id, number, starts_on, by)
        uow.governance.apply(Change(decisions=[started]), now)
        uow.commit()
    return cycle


def _end_run(
    store: Store,
    state: PlaybookState,
    status: str,
    reason: str,
    ends_after: date | None,
    by: str,
    now: datetime,
    messages: list[Message],
) -> bool:
    """The run of cycles ends (end_run), with its decision row and `messages`, in one unit
    of work; False, and nothing written, if the playbook's status changed meanwhile."""
    playbook = state.playbook
    record = cycle_decisions.of_run_ended(playbook.id, playbook.slug, status, playbook.status, reason, ends_after, by)
    with store.unit_of_work() as uow:
        ended = uow.playbooks.end_run(playbook.id, status, reason, ends_after, now)
        if ended:
            uow.governance.apply(Change(decisions=[record], messages=messages), now)
        uow.commit()
    return ended


def pause(
    store: Store, state: PlaybookState, reason: str, by: str, now: datetime, messages: list[Message] | None = None
) -> Ended:
    """Pause a running playbook (owner or curator; `by` "rule:..." for an automatic pause)."""
    playbook = state.playbook
    if not by.startswith("rule:"):
        require_owner_or_curator(store, state, by, "pause")
    if playbook.status == "paused":
        raise Refusal.of("already_paused", usage="pause", slug=playbook.slug, since=_since(state))
    refuse_unless_running(state, "pause")
    if playbook.status != "active" or state.anchor is None:
        raise Refusal.of("not_running", usage="pause", slug=playbook.slug)
    week = _last_week(state, now)
    if week is None:
        raise Refusal.of("not_begun", usage="pause", slug=playbook.slug, day=state.anchor.starts_on.isoformat())
    if not _end_run(store, state, "paused", reason, week.week_start, by, now, messages or []):
        raise Refusal.of("life_race", usage="pause", slug=playbook.slug)
    return Ended("paused", week)


def retire(store: Store, state: PlaybookState, reason: str, by: str, now: datetime) -> Ended:
    """Retire a playbook for good: like a pause, but final. Its history stays readable."""
    playbook = state.playbook
    require_owner_or_curator(store, state, by, "retire")
    refuse_unless_running(state, "retire")
    week = _last_week(state, now) if playbook.status == "active" else None
    ends_after = week.week_start if week is not None else None
    if playbook.status == "active" and state.anchor is not None and week is None:
        ends_after = state.anchor.starts_on - timedelta(days=7)  # its first cycle had not begun: none will
    if not _end_run(store, state, "retired", reason, ends_after, by, now, []):
        raise Refusal.of("life_race", usage="retire", slug=playbook.slug)
    return Ended("retired", week)


def resume(store: Store, state: PlaybookState, starts_on: date | None, by: str, now: datetime) -> tuple[int, date]:
    """A paused playbook starts a new cycle on `starts_on` (a Monday), by default the next
    Monday after its last week. Returns the cycle's number and first day."""
    playbook = state.playbook
    require_owner_or_curator(store, state, by, "resume")
    refuse_unless_running(state, "resume")
    if playbook.status != "paused" or state.anchor is None:
        raise Refusal.of("not_paused", usage="resume", slug=playbook.slug)
    anchor = state.cycle_anchor
    assert anchor is not None and anchor.ends_after is not None, "a paused playbook's run has ended"
    last = calendar.week_containing(anchor, anchor.ends_after)
    today = calendar.local_date(now, playbook.timezone)
    earliest = max(anchor.ends_after + timedelta(days=7), calendar.monday_of(today))
    starts_on = starts_on or max(earliest, calendar.next_monday(today))
    if starts_on < earliest:
        raise Refusal.of("resume_too_early", usage="resume", day=starts_on.isoformat(), earliest=earliest.isoformat())
    check_start(starts_on, today, "resume")
    number = (last.cycle if last is not None else anchor.number - 1) + 1
    try:
        with store.unit_of_work() as uow:
            uow.playbooks.resume(playbook.id, number, starts_on, by, now)
            resumed = cycle_decisions.of_resume(playbook.id, playbook.slug, number, starts_on, by)
            uow.governance.apply(Change(decisions=[resumed]), now)
            uow.commit()
    except Conflict:
        raise Refusal.of("life_race", usage="resume", slug=playbook.slug) from None
    return number, starts_on


def hand_over(store: Store, state: PlaybookState, owner_id: str, by: str, now: datetime) -> str:
    """A new owner (owner or curator): they are told by DM what they now own. Returns the old owner."""
    playbook = state.playbook
    require_owner_or_curator(store, state, by, "owner")
    if owner_id == playbook.owner_id:
        raise Refusal.of("already_owner", usage="owner", slug=playbook.slug)
    message = notices.owner_handed_over(
        slug=playbook.slug,
        title=playbook.title,
        channel=playbook.channel_id,
        by=by,
        before=playbook.owner_id,
        steps=state.steps,
        status=playbook.status,
    )
    dm = Message(
        keys.to_audience(keys.hand_over(playbook.id, now.isoformat()), owner_id), "chat.postMessage", owner_id, message
    )
    record = setup_decisions.of_hand_over(playbook.id, playbook.slug, playbook.owner_id, owner_id, by)
    with store.unit_of_work() as uow:
        handed = uow.playbooks.hand_over(playbook.id, owner_id, now)
        if handed:
            uow.governance.apply(Change(decisions=[record], messages=[dm]), now)
        uow.commit()
    if not handed:
        raise Refusal.of("life_race", usage="owner", slug=playbook.slug)
    return playbook.owner_id


def _since(state: PlaybookState) -> str:
    since = state.playbook.status_since
    return since.date().isoformat() if since else "?"


def channel_lost(store: Store, channel_id: str, error: str, now: datetime) -> list[str]:
    """Slack says the team channel is gone or closed to us (channel_not_found, is_archived,
    not_in_channel, or the bot was removed): every active playbook there is paused, its
    owner is told by DM what happened and how to fix it, and the curators are alerted with
    the messages that could not be delivered. Their waiting messages fail now, so nothing
    retries in a loop; a second report of the same loss finds nothing active and does
    nothing. Returns the slugs paused."""
    from storage.store import CURATORS_CHANNEL

    states = [s for s in store.playbooks.states(channel_id=channel_id) if s.playbook.status == "active"]
    if not states:
        return []
    with store.unit_of_work() as uow:  # before the pauses, whose messages go to the owner and curators
        lost = uow.outbox.fail_undeliverable(channel_id, error, now, now - timedelta(days=7))
        uow.commit()
    undelivered = [str((m.payload or {}).get("text") or m.key)[:150] for m in lost]
    curators = store.org.setting(CURATORS_CHANNEL)
    paused = []
    for state in states:
        playbook = state.playbook
        told = functools.partial(
            notices.channel_lost,
            slug=playbook.slug,
            title=playbook.title,
            channel=channel_id,
            error=error,
            undelivered=undelivered,
            owner=playbook.owner_id,
        )
        unit = keys.channel_lost(playbook.id, now.isoformat())
        messages = [
            Message(
                keys.to_audience(unit, "owner"),
                "chat.postMessage",
                playbook.owner_id,
                told(audience="owner"),
            )
        ]
        if curators and curators != channel_id:
            messages.append(
                Message(
                    keys.to_audience(unit, "curators"),
                    "chat.postMessage",
                    curators,
                    told(audience="curators"),
                )
            )
        try:
            pause(
                store,
                state,
                f"Slack says {error} for the team channel",
                f"rule:{decisions.DecisionRule.SLACK}",
                now,
                messages,
            )
        except Refusal:
            continue  # paused a moment ago by someone, or by another report of the same loss
        paused.append(playbook.slug)
    return paused
