"""The guardrail: the week's reading against its bounds (cadence/closing.py), kept as a
decision; a BREACHED week told to the team channel and the owner. The steps' rules and
the cycle's result read it from the week."""

from __future__ import annotations

from cadence import calendar, closing, cycle_rules, keys
from cadence.change import Message
from cadence.closing import Guardrail
from cadence.state import PlaybookState
from templates import notices_close
from usecases.shared.close import reads
from usecases.shared.close.week import CloseRule, WeekClose


def _close(week: WeekClose, read: reads.Weeks) -> None:
    state = week.state
    playbook = state.playbook
    if playbook.guardrail_name is None:
        return
    spec = closing.GuardrailSpec(
        playbook.id, playbook.guardrail_name, state.guardrail_unit, playbook.guardrail_min, playbook.guardrail_max
    )
    value = read.figures[reads.of_week(week)].guardrail
    week.guardrail = closing.guardrail(spec, week.week.week_start, value, read.history.guardrail.get(playbook.id, {}))
    week.change.decisions.append(week.guardrail.decision)
    if week.guardrail.state == cycle_rules.BREACHED:
        week.change.messages += _alert(state, week.week, week.guardrail, week.due.key)


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


RULE = CloseRule("guardrail", reads.weeks, _close, closing.guardrail)
