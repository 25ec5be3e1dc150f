"""The message bus: the one table from a command's type (usecases/shared/messages.py) to
the use case that carries it out. An edge parses or validates what it was sent into a
command, hands it to `handle`, and renders what comes back; it does not choose the use
case. tests/usecases/test_bus.py fails until every command has a use case here.

Two commands have none: `Help` reads nothing but the grammar's usage lines, and
`OpenForm` opens a Slack form: both are answered at the edge (handlers/commands.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from usecases import commands, learnings, status
from usecases.shared import messages
from usecases.shared.caller import Caller

ANSWERED_AT_THE_EDGE: tuple[type, ...] = (messages.Help, messages.OpenForm)

HANDLERS: dict[type, Callable[[Caller, Any], Any]] = {
    messages.Status: status.status,
    messages.History: status.history,
    messages.Kpi: commands.kpi,
    messages.GuardrailReport: commands.guardrail,
    messages.Attest: commands.attest,
    messages.LogException: commands.exception,
    messages.Cases: commands.cases,
    messages.Rubric: commands.rubric,
    messages.Undo: commands.undo,
    messages.CycleStart: commands.cycle_start,
    messages.Pause: commands.pause,
    messages.Resume: commands.resume,
    messages.HandOver: commands.hand_over,
    messages.SetMode: commands.set_mode,
    messages.Publish: commands.publish,
    messages.WebLink: commands.web_link,
    messages.Registry: commands.registry_entries,
    messages.Adopt: commands.adopt,
    messages.Learn: learnings.learn,
    messages.Away: commands.away,
    messages.HolidayChange: commands.holiday,
    messages.CuratorChange: commands.curator,
    messages.CuratorsChannel: commands.curators_channel,
}


def handle(caller: Caller, command: messages.Command) -> Any:
    """Carry out `command` for `caller`: what its use case returns, for the edge to render.
    A refusal raises templates.refusals.Refusal before anything is written."""
    return HANDLERS[type(command)](caller, command)
