"""The pulse at a cycle's last week, if anyone answered (cadence/pulse.py): the cycle's
pulse beside the previous cycle's (for the summary), kept as a decision (aggregates
only, shown figures only); and when it holds promotions to ai-led through the next cycle,
that decision and the owner's message (keyed by the cycle: sent once)."""

from __future__ import annotations

from cadence import calendar, keys, pulse, trust_decisions
from cadence.change import Message
from templates import notices_close
from usecases.shared.close.week import CloseRule, WeekClose, nothing


def _close(week: WeekClose, _: None) -> None:
    playbook, ref = week.state.playbook, week.week
    this = week.pulses.get(ref.cycle)
    if week.state.settings.pulse != "on" or ref.week != calendar.WEEKS_PER_CYCLE or this is None:
        return
    previous = week.pulses.get(ref.cycle - 1)
    week.change.decisions.append(trust_decisions.of_pulse(playbook.id, ref.week_start, this.figures()))
    why = pulse.holds(this, previous)
    if why:
        week.change.decisions.append(trust_decisions.of_pulse_hold(playbook.id, ref.week_start, ref.cycle, why))
        told = notices_close.pulse_hold(slug=playbook.slug, title=playbook.title, cycle=ref.cycle, why=why)
        key = keys.to_audience(keys.pulse_hold(playbook.id, ref.cycle), "owner")
        week.change.messages.append(Message(key, "chat.postMessage", playbook.owner_id, told))
    week.pulse, week.previous_pulse, week.pulse_hold = this, previous, why


RULE = CloseRule("pulse", nothing, _close, pulse.holds)
