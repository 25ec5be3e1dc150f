"""The pulse, before the steps are judged (docs/usage.md, "The pulse"; cadence/pulse.py):
each playbook's (pulse on) pulses of its closing cycle and the two before it, as they
may be shown, read in one read through the pulse's gate (storage/pulse.py) after the
close sealed the cycle's answers; and whether they hold the playbook's promotions to
ai-led (the steps' rule drops them; the owner was told once, pulse.py). Its outcome,
`Held`, the steps, readiness's news and the pulse's rule read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cadence import calendar, pulse
from cadence.pulse import Pulse
from usecases.shared.close.week import CloseRule, Round, WeekClose, week_of


@dataclass(frozen=True)
class Held:
    pulses: dict[int, Pulse]  # by cycle: this one's and the two before, answered
    promotions: dict[str, Any]  # why the pulse holds promotions to ai-led (empty: it does not)


def _read(round: Round) -> dict[tuple[int, int], Pulse]:
    wanted = {
        (state.playbook.id, week_of(due).cycle - back): state.settings.pulse_min_answers
        for state, due in round.batch
        if state.settings.pulse == "on"
        for back in range(3)
        if week_of(due).cycle - back >= 1
    }
    return round.store.pulses.shown(wanted)


def _close(week: WeekClose, pulses: dict[tuple[int, int], Pulse]) -> Held | None:
    if week.state.settings.pulse != "on":
        return None
    pid, cycle = week.state.playbook.id, week.week.cycle
    found = {c: pulses.get((pid, c)) for c in range(max(cycle - 2, 1), cycle + 1)}
    answered = {c: p for c, p in found.items() if p is not None and p.answers}  # nobody answered: none
    return Held(answered, pulse.held(answered, cycle, week.week.week == calendar.WEEKS_PER_CYCLE))


RULE = CloseRule("pulse hold", _read, _close, pulse.held, after=("source failures",))
