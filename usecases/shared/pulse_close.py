"""The pulse at a week's close (docs/usage.md, "The pulse"; cadence/pulse.py): at a cycle's
last week, its pulse as it may be shown, beside the previous cycle's, kept as a decision
(aggregates only, shown figures only); and whether the pulse holds the playbook's
promotions to ai-led, the owner told once, judged on shown figures only. Judged on what
the round read through the pulse's gate (close_reads.RoundReads.pulses), after the close
sealed the cycle's answers (usecases/clock/jobs/closes.py)."""

from __future__ import annotations

from typing import Any

from cadence import calendar, keys, trust_decisions
from cadence.pulse import Pulse, holds
from storage.governance_rows import Change
from storage.outbox import Message
from storage.store import PlaybookState
from templates import notices_close
from usecases.shared.close_reads import RoundReads


def _pulse(reads: RoundReads, state: PlaybookState, cycle: int) -> Pulse | None:
    """The cycle's pulse as the gate gave it; None: no such cycle, or nobody answered."""
    pulse = reads.pulses.get((state.playbook.id, cycle)) if cycle >= 1 else None
    return pulse if pulse is not None and pulse.answers else None


def held(state: PlaybookState, week: calendar.WeekRef, reads: RoundReads) -> dict[str, Any]:
    """Why this close proposes no step to ai-led ({}: it may): the previous cycle's pulse
    holds through this cycle, and at the cycle's last week this cycle's pulse too."""
    if state.settings.pulse != "on":
        return {}
    cycle = week.cycle
    why = _holds(_pulse(reads, state, cycle - 1), _pulse(reads, state, cycle - 2))
    if not why and week.week == calendar.WEEKS_PER_CYCLE:
        why = _holds(_pulse(reads, state, cycle), _pulse(reads, state, cycle - 1))
    return why


def _holds(pulse: Pulse | None, previous: Pulse | None) -> dict[str, Any]:
    return holds(pulse, previous) if pulse is not None else {}


def shown(state: PlaybookState, week: calendar.WeekRef, reads: RoundReads) -> dict[str, Any] | None:
    """The cycle's pulse as scale proposals and readiness show it, beside their criteria
    (aggregates only, or "too few answers"); None: no pulse, or nobody answered."""
    pulse = _pulse(reads, state, week.cycle)
    if state.settings.pulse != "on" or pulse is None:
        return None
    return pulse.figures()


def at_cycle_end(
    state: PlaybookState, week: calendar.WeekRef, reads: RoundReads, change: Change
) -> tuple[Pulse | None, Pulse | None, dict[str, Any]]:
    """At the cycle's last week, if anyone answered: the cycle's pulse and the previous
    cycle's (for the summary), its decision, and, when it holds promotions to ai-led
    through the next cycle, that decision and the owner's message (keyed by the cycle:
    sent once). (None, None, {}) otherwise."""
    playbook, cycle = state.playbook, week.cycle
    pulse = _pulse(reads, state, cycle)
    if state.settings.pulse != "on" or week.week != calendar.WEEKS_PER_CYCLE or pulse is None:
        return None, None, {}
    previous = _pulse(reads, state, cycle - 1)
    change.decisions.append(trust_decisions.of_pulse(playbook.id, week.week_start, pulse.figures()))
    why = holds(pulse, previous)
    if why:
        change.decisions.append(trust_decisions.of_pulse_hold(playbook.id, week.week_start, cycle, why))
        told = notices_close.pulse_hold(slug=playbook.slug, title=playbook.title, cycle=cycle, why=why)
        key = keys.to_audience(keys.pulse_hold(playbook.id, cycle), "owner")
        change.messages.append(Message(key, "chat.postMessage", playbook.owner_id, told))
    return pulse, previous, why
