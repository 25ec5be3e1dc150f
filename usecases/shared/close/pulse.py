"""The pulse at a cycle's last week, if anyone answered (cadence/pulse.py): the cycle's
pulse beside the previous cycle's (for the summary), kept as a decision (aggregates
only, shown figures only); and when it holds promotions to ai-led through the next cycle,
that decision and the owner's message (keyed by the cycle: sent once). Its outcome,
`Shown`, is the summary's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cadence import calendar, keys, pulse, trust_decisions
from cadence.change import Message
from cadence.pulse import Pulse
from templates import notices_close
from usecases.shared.close import pulse_hold
from usecases.shared.close.week import CloseRule, WeekClose, nothing


@dataclass(frozen=True)
class Shown:
    pulse: Pulse  # the cycle's
    previous: Pulse | None  # the previous cycle's
    hold: dict[str, Any]  # why it holds promotions (empty: it does not)


def _close(week: WeekClose, _: None) -> Shown | None:
    playbook, ref = week.state.playbook, week.week
    held = week.outcome(pulse_hold.RULE)
    pulses = held.pulses if held is not None else {}
    this = pulses.get(ref.cycle)
    if week.state.settings.pulse != "on" or ref.week != calendar.WEEKS_PER_CYCLE or this is None:
        return None
    previous = pulses.get(ref.cycle - 1)
    week.change.decisions.append(trust_decisions.of_pulse(playbook.id, ref.week_start, this.figures()))
    why = pulse.holds(this, previous)
    if why:
        week.change.decisions.append(trust_decisions.of_pulse_hold(playbook.id, ref.week_start, ref.cycle, why))
        told = notices_close.pulse_hold(slug=playbook.slug, title=playbook.title, cycle=ref.cycle, why=why)
        key = keys.to_audience(keys.pulse_hold(playbook.id, ref.cycle), "owner")
        week.change.messages.append(Message(key, "chat.postMessage", playbook.owner_id, told))
    return Shown(this, previous, why)


RULE = CloseRule("pulse", nothing, _close, pulse.holds, needs=("pulse hold",), after=("stall",))
