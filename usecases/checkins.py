"""Check-ins through forms and buttons: which playbook and week a form is for, recording
what it says, and what changes after (the check-in DM shows what was recorded, the Home
tab is built again), both through the outbox.

A button or form carries the playbook and week it was sent for (cadence.keys); that
comes back from the client, so it is checked here as any report is: the playbook runs,
the week has begun and not closed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from cadence import calendar, keys
from cadence.change import Message
from cadence.state import PlaybookState, Step
from templates import notices
from templates.refusals import Refusal
from usecases import home
from usecases.shared import messages, recording
from usecases.shared.caller import Caller


def week_of(state: PlaybookState, week_start: date) -> calendar.WeekRef | None:
    """The cycle week that starts on `week_start`; None for any other date (a button or
    form carries the week it was sent for, and a forged one names no week)."""
    anchor = state.cycle_anchor
    week = calendar.week_containing(anchor, week_start) if anchor else None
    return week if week is not None and week.week_start == week_start else None


@dataclass(frozen=True)
class FormTarget:
    """What a bare `/rollout attest` or `/rollout kpi` opens: the form for this channel's
    playbook and its current week, or (state None) a form that asks which playbook."""

    state: PlaybookState | None
    week: calendar.WeekRef | None
    choices: list[PlaybookState]


def form_target(caller: Caller, form: str) -> FormTarget:
    here = [s for s in caller.store.playbooks.states(channel_id=caller.channel_id) if s.anchor is not None]
    if len(here) == 1:
        return FormTarget(here[0], caller.current_week(here[0], form), [])
    states = caller.store.playbooks.active_states()
    if not states:
        raise Refusal.of("no_forms_yet", usage=form)
    return FormTarget(None, None, states)


def sent_week(caller: Caller, target: tuple[int, date]) -> tuple[PlaybookState, calendar.WeekRef] | None:
    """The playbook and week a button or form was sent for, if both still exist (None: the
    playbook was removed since); refused if the week no longer, or not yet, takes reports."""
    state = caller.store.playbooks.state_by_id(target[0])
    week = week_of(state, target[1]) if state else None
    if state is None or week is None:
        return None
    return state, caller.open_week(state, week, None)


def chosen_playbook(caller: Caller, playbook_id: int) -> tuple[PlaybookState, calendar.WeekRef] | None:
    """The playbook picked in a form that asked which, and its current week."""
    state = caller.store.playbooks.state_by_id(playbook_id)
    return None if state is None else (state, caller.current_week(state, None))


def kpi_from_form(
    caller: Caller,
    state: PlaybookState,
    week: calendar.WeekRef,
    value: float | None,
    percent: bool,
    rest: tuple[float, bool] | None = None,
) -> None:
    """The KPI form: a reading, by a member or the owner (`/rollout kpi` is commands.kpi);
    with `compare`, the rest's too (`rest`: value and whether typed as a percentage)."""
    caller.require_member_or_owner(state, None)
    kpi = messages.Kpi(
        state.playbook.slug, value, percent, rest=rest[0] if rest else None, rest_percent=bool(rest and rest[1])
    )
    recording.record(caller.store, state, week, None, kpi, caller.user_id, caller.now, None)


def attest_from_form(
    caller: Caller, state: PlaybookState, week: calendar.WeekRef, step_name: str | None, note: str | None
) -> Step | None:
    """The check-in forms: a member's check-in (step_name None: followed); the step
    deviated on (`/rollout attest` is commands.attest)."""
    step = None if step_name is None else caller.step(state, step_name, None)
    caller.require_member(state, None)
    recording.record_attestation(caller.store, state, week, step, note, caller.user_id, caller.now, None)
    return step


def after_form(
    caller: Caller,
    state: PlaybookState,
    week: calendar.WeekRef,
    dm: dict[str, Any],
    recorded: dict[str, Any],
) -> None:
    """After a form is recorded: the check-in DM it came from (`dm`: its channel and ts,
    if it came from one) shows what was recorded, so its buttons don't look unanswered,
    and the person's Home tab is built again."""
    messages = []
    if dm.get("channel") and dm.get("ts"):
        playbook = state.playbook
        message = notices.checkin_recorded_dm(
            slug=playbook.slug,
            title=playbook.title,
            week=week,
            kpi_name=playbook.kpi_name,
            unit=playbook.kpi_unit,
            value=keys.checkin_button(playbook.id, week.week_start),
            **recorded,
        )
        messages.append(
            Message(
                key=keys.dm_update(uuid.uuid4().hex),
                method="chat.update",
                channel=dm["channel"],
                payload={"ts": dm["ts"], **message},
            )
        )
    refresh = home.refresh(caller.store, caller.user_id, caller.now)
    if refresh is not None:
        messages.append(refresh)
    if messages:
        with caller.store.unit_of_work() as uow:
            uow.outbox.enqueue(messages, caller.now)
            uow.commit()
