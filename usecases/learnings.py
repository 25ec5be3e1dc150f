"""Learnings: what a team learned in a cycle (`/rollout learn`, the form of the week-4
DM), and withdrawing one's own (`/rollout undo`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from cadence import calendar, keys, replication
from cadence.limits import MAX_TEXT_CHARS
from cadence.state import PlaybookState
from storage.models.reports import Learning
from storage.store import Store
from templates import notices
from templates.refusals import Refusal
from usecases.shared import messages, recording
from usecases.shared.caller import Caller


@dataclass(frozen=True)
class Learned:
    state: PlaybookState
    cycle: int
    learning: Learning
    count: int  # the cycle's learnings now


def learn(caller: Caller, cmd: messages.Learn) -> Learned:
    """`/rollout learn`: anyone on the team, the owner or a curator adds a learning to the
    running cycle (or, in week 1, to the one that just ended)."""
    return _learn(caller, caller.playbook(cmd.playbook, "learn"), cmd.text, cmd.cycle, "learn")


def _learn(caller: Caller, state: PlaybookState, text: str, cycle: int | None, usage: str | None) -> Learned:
    week = caller.current_week(state, usage)
    if not (caller.is_owner_or_curator(state) or caller.is_member(state)):
        caller.require_member_or_owner(state, usage)  # refuses, naming the channel
    number = replication.learning_cycle(week.cycle, week.week, cycle)
    if number is None and usage is None:  # the week-4 DM's form, opened too late
        raise Refusal.of("learning_form_late", named=cycle, slug=state.playbook.slug, cycle=week.cycle)
    if number is None:
        allowed = [week.cycle] + ([week.cycle - 1] if week.week == 1 and week.cycle > 1 else [])
        raise Refusal.of(
            "learning_cycle",
            usage=usage,
            named=cycle,
            slug=state.playbook.slug,
            cycle=week.cycle,
            week=week.week,
            allowed=" or ".join(f"`cycle:{c}`" for c in allowed),
        )
    if not text.strip():
        raise Refusal.of("learn_arguments", usage=usage)
    if len(text) > MAX_TEXT_CHARS:
        raise Refusal.of("free_text_too_long", usage=usage, what="a learning", length=len(text), limit=MAX_TEXT_CHARS)
    with caller.store.unit_of_work() as uow:
        learning = uow.learnings.add(state.playbook.id, number, text.strip(), caller.user_id, caller.now)
        uow.commit()
    count = caller.store.learnings.counts(state.playbook.id).get(number, 0)
    return Learned(state, number, learning, count)


def withdraw_newest(caller: Caller, state: PlaybookState, owner_or_curator: bool) -> Learning | None:
    """`undo`: the caller's newest learning withdrawn, if it is newer than their newest
    report that undo could withdraw and its cycle still takes learnings (the running one,
    or in week 1 the one before); None otherwise, or when another undo won it a moment ago.
    Their reports are read only if they have a learning to weigh against them."""
    learning = caller.store.learnings.newest(state.playbook.id, caller.user_id)
    if learning is None:
        return None
    report_at = recording.newest_report_at(caller.store, state, caller.user_id, caller.now, owner_or_curator)
    if report_at is not None and learning.added_at < report_at:
        return None
    # Only while its cycle still takes learnings, as a report only while its week is open.
    week = calendar.week_containing(state.cycle_anchor, caller.today(state)) if state.cycle_anchor else None
    if week is None or replication.learning_cycle(week.cycle, week.week, learning.cycle) is None:
        return None
    with caller.store.unit_of_work() as uow:
        withdrawn = uow.learnings.withdraw(learning.id, caller.user_id, caller.now)
        uow.commit()
    return learning if withdrawn else None


# ---- the week-4 DM: what did the cycle teach? ---------------------------------------

REASONS_SHOWN = 3  # the most frequent deviation and exception reasons, per step


def prompts(store: Store, dues: list[tuple[PlaybookState, calendar.WeekRef]]) -> dict[int, dict[str, Any]]:
    """The owner's week-4 DM for each playbook, with its cycle's facts gathered: the KPI
    from its first to its latest week against baseline and target, each step's verdicts
    and mode changes so far, the most frequent deviation and exception reasons by step.
    Keyed by playbook id. Four reads however many playbooks."""
    cycle_weeks = {
        state.playbook.id: [week.cycle_start + timedelta(days=7 * i) for i in range(calendar.WEEKS_PER_CYCLE)]
        for state, week in dues
    }
    keys_ = [(pid, w) for pid, weeks in cycle_weeks.items() for w in weeks]
    kpis = store.reports.week_kpis(keys_)
    history = store.governance.histories([state for state, _ in dues], calendar.WEEKS_PER_CYCLE)
    reasons: dict[tuple[int, int | None], Counter[tuple[str, str]]] = {}
    for pid, step_id, kind, text in store.readouts.reasons(keys_):
        reasons.setdefault((pid, step_id), Counter())[(kind, " ".join(text.split()))] += 1
    messages = {}
    for state, week in dues:
        playbook = state.playbook
        weeks = cycle_weeks[playbook.id]
        values = [(n + 1, kpis[(playbook.id, w)]) for n, w in enumerate(weeks) if (playbook.id, w) in kpis]
        steps = []
        for step in state.steps:
            step_state = history.states[step.id]
            in_cycle = [v for v in step_state.verdicts if weeks[0] <= v.week_start <= weeks[-1]]
            counted = reasons.get((playbook.id, step.id), Counter())
            steps.append(
                dict(
                    name=step.name,
                    mode=step.mode,
                    verdicts=[v.outcome for v in in_cycle],
                    changes=[d.isoformat() for d in step_state.changes if weeks[0] <= d <= weeks[-1]],
                    reasons=[
                        dict(kind=kind, text=text, count=count)
                        for (kind, text), count in counted.most_common(REASONS_SHOWN)
                    ],
                )
            )
        messages[playbook.id] = notices.learning_prompt(
            slug=playbook.slug,
            title=playbook.title,
            cycle=week.cycle,
            kpi_name=playbook.kpi_name,
            unit=playbook.kpi_unit,
            baseline=playbook.kpi_baseline,
            target=playbook.kpi_target,
            first=values[0] if values else None,
            latest=values[-1] if len(values) > 1 else None,
            steps=steps,
            button=keys.checkin_button(playbook.id, week.week_start),
        )
    return messages


def learn_from_form(caller: Caller, playbook_id: int, week_start: date, text: str) -> Learned | None:
    """The *Add a learning* form of the week-4 DM: a learning for the cycle the DM was
    about (in week 1 of the next cycle too). None if the playbook is gone."""
    state = caller.store.playbooks.state_by_id(playbook_id)
    if state is None or state.anchor is None:
        return None
    week = calendar.week_containing(state.running(), week_start)
    return _learn(caller, state, text, week.cycle if week else None, None)


def form_for(caller: Caller, playbook_id: int, week_start: date) -> dict[str, Any] | None:
    """What the *Add a learning* form shows: the playbook and the cycle. None if the
    playbook is gone."""
    state = caller.store.playbooks.state_by_id(playbook_id)
    if state is None or state.anchor is None:
        return None
    week = calendar.week_containing(state.running(), week_start)
    return dict(title=state.playbook.title, cycle=week.cycle if week else "?", limit=MAX_TEXT_CHARS)
