"""What the sorter's replay judges in (cadence/bar_sort.py), read for one playbook: its
last 8 closed weeks, each step's verdict with the numbers it was judged on, labelled as
the card says them ("week 3 of cycle 2"), whether a trust hold or a usage hold stands, and its last closed
cycles' weekly KPI and guardrail readings with the kept weeks' guardrail (cadence/bar_kpi.py),
and what readiness is judged on now (cadence/bar_readiness.py). A fixed number of
statements, however long the history: the weeks, the cycles, one range of KPI and guardrail
readings, the pulse, and readiness's reads, one per kind."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from cadence import bar, bar_kpi, bar_sort, bar_verdicts
from cadence.bar import BarChange
from cadence.bar_fallback import Escalations
from cadence.bar_history import REPLAY_WEEKS, History, Week
from cadence.bar_kpi import WEEKS, Cycle, GuardrailWeek
from cadence.bar_readiness import Readiness
from cadence.state import PlaybookState
from storage.playbook_definitions import as_read_now
from storage.store import Store
from usecases.shared import readiness, usage_weeks
from usecases.shared.governance import thresholds, week_label
from usecases.shared.promotion_gates import current_cycle, trust_hold

REPLAY_CYCLES = 4  # the last closed cycles the replay judges again (the stall rule reads 3)


def history(store: Store, state: PlaybookState, now: datetime) -> History:
    names = {step.id: step.name for step in state.steps}
    kept = store.bar_requests.last_weeks(state.playbook.id, REPLAY_WEEKS)
    weeks = tuple(
        Week(names[v.step_id], week_label(state, v.week_start), v.mode, v.cases, v.exceptions, v.rubric, v.reviewed)
        for v in reversed(kept)
        if v.step_id in names
    )
    cycles, guardrail = _cycles(store, state, sorted({v.week_start for v in kept}))
    hold = bool(trust_hold(store, state, current_cycle(state, now)))
    return History(
        weeks,
        hold,
        usage_weeks.hold_now(store, state, now),
        cycles,
        guardrail,
        _escalations(store, state, now),
        _readiness(store, state, now),
    )


def _readiness(store: Store, state: PlaybookState, now: datetime) -> Readiness:
    """What readiness is judged on now, as `/rollout publish` reads it (usecases/shared/
    publish_criteria.py `criteria_now`): the playbook's last closed cycles the scale rule asks for,
    their figures read in one batch per kind (usecases/shared/readiness.py `inputs_many`)."""
    pid = state.playbook.id
    results = store.governance.scale_history([pid])[pid][0][-thresholds(state).scale_after_cycles :]
    starts = store.governance.cycle_starts_of([pid])
    cycles = [(r.cycle, starts[(pid, r.cycle)]) for r in results if (pid, r.cycle) in starts]
    return Readiness(readiness.inputs_many(store, [(state, cycles)], at=now)[pid])


def _escalations(store: Store, state: PlaybookState, now: datetime) -> Escalations | None:
    """Each ai-led step's open escalated items, where the playbook has handoff terms."""
    ai_led = [step for step in state.steps if step.mode == "ai-led"]
    if state.spec.handoff is None or not ai_led:
        return None
    found = store.escalations.escalated([state.playbook.id])
    return Escalations(now, tuple((s.name, s.mode, tuple(e for e in found if e.step_id == s.id)) for s in ai_led))


def _cycles(
    store: Store, state: PlaybookState, kept: list[date]
) -> tuple[tuple[Cycle, ...], tuple[GuardrailWeek, ...]]:
    """The last closed cycles, oldest first, and the kept weeks' guardrail readings."""
    pid = state.playbook.id
    closed = list(reversed(store.bar_requests.last_cycles(pid, REPLAY_CYCLES)))
    starts = [start + timedelta(days=7 * i) for _, start, _ in closed for i in range(WEEKS)] + kept
    if not starts:
        return (), ()
    kpis, guardrails = store.reports.week_series(pid, min(starts), max(starts))
    cycles = tuple(
        Cycle(
            number,
            tuple(kpis.get(start + timedelta(days=7 * i)) for i in range(WEEKS)),
            tuple(guardrails.get(start + timedelta(days=7 * i)) for i in range(WEEKS)),
            cut,
        )
        for number, start, cut in closed
    )
    weeks = tuple(GuardrailWeek(week_label(state, w), guardrails[w]) for w in kept if w in guardrails)
    return cycles, weeks


def found_now(store: Store, state: PlaybookState, changes: list[BarChange], now: datetime) -> list[str]:
    """What the replay finds easier under a request's changes, read again now (the weeks
    closed since it was asked among them): the weeks' verdicts, the cycles and the
    guardrail, when a proposal is made, and readiness."""
    before = as_read_now(state.playbook.definition)
    after = bar.with_changes(before, changes)
    read = history(store, state, now)
    kept = bar_verdicts.replay(before, after, read) + bar_kpi.replay(before, after, read.cycles, read.guardrail)
    return kept + bar_sort.proposals(before, after, read) + bar_sort.readiness(before, after, read)
