"""The guardrail: the week's reading against its bounds (cadence/closing.py), kept as a
decision; a BREACHED week told to the team channel and the owner. Its outcome, the
week's `Guardrail` (none without one), the steps, the week_closed event, the cycle's
result and the summary read."""

from __future__ import annotations

from cadence import calendar, closing, cycle_rules, keys
from cadence.change import Message
from cadence.closing import Guardrail
from cadence.state import PlaybookState
from templates import notices_close
from usecases.shared.close import reads
from usecases.shared.close.week import CloseRule, WeekClose


def _close(week: WeekClose, read: reads.Weeks) -> Guardrail | None:
    state = week.state
    playbook = state.playbook
    if playbook.guardrail_name is None:
        return None
    spec = closing.GuardrailSpec(
        playbook.id, playbook.guardrail_name, state.guardrail_unit, playbook.guardrail_min, playbook.guardrail_max
    )
    value = read.figures[reads.of_week(week)].guardrail
    found = closing.guardrail(spec, week.week.week_start, value, read.history.guardrail.get(playbook.id, {}))
    week.change.decisions.append(found.decision)
    if breached(found):
        week.change.messages += _alert(state, week.week, found, week.due.key)
    return found


def breached(guardrail: Guardrail | None) -> bool:
    return guardrail is not None and guardrail.state == cycle_rules.BREACHED


def _alert(state: PlaybookState, week: calendar.WeekRef, guardrail: Guardrail, close_key: str) -> list[Message]:
    """A BREACHED week, to the team channel and the owner: the value, the bound, the week."""
    playbook = state.playbook
    message = notices_close.guardrail_alert(
        slug=playbook.slug,
        week=week,
        g=guardrail,
        owner=playbook.owner_id,
        demotes=any(s.mode == "ai-led" for s in state.steps),
    )
    unit = keys.transition(close_key, "guardrail")
    return [
        Message(keys.to_audience(unit, "team"), "chat.postMessage", playbook.channel_id, message),
        Message(keys.to_audience(unit, "owner"), "chat.postMessage", playbook.owner_id, message),
    ]


RULE = CloseRule("guardrail", reads.weeks, _close, closing.guardrail, after=("cycle bar",))
