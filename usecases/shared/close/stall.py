"""The stall rule at a completed cycle's end (cadence/cycle_end.py): the stall, kept as a
decision and told to the owner's DM and the curators (or, while there is no curators
channel, the team), with *Refine*, *Re-scope* and *Retire* (usecases/stalls.py)."""

from __future__ import annotations

from typing import Any

from cadence import cycle_end, keys
from cadence.change import Message
from cadence.state import PlaybookState
from templates import notices_close
from usecases.shared.close import cycle_result, reads
from usecases.shared.close.week import CloseRule, WeekClose


def _close(week: WeekClose, curators: str | None) -> None:
    ended = week.outcome(cycle_result.RULE)
    if ended is None:
        return
    stalled = cycle_end.judge_stall(ended.figures, ended.result, ended.compared)
    if stalled is not None:
        figures, decision = stalled
        week.change.decisions.append(decision)
        week.change.messages += _messages(week.state, figures, curators)


def _messages(state: PlaybookState, figures: dict[str, Any], curators: str | None) -> list[Message]:
    playbook = state.playbook
    unit = keys.stall(playbook.id, figures["cycle"])
    message = notices_close.stalled(
        slug=playbook.slug,
        title=playbook.title,
        kpi_name=playbook.kpi_name,
        kpi_unit=playbook.kpi_unit,
        direction=playbook.kpi_direction,
        owner=playbook.owner_id,
        figures=figures,
        key=unit,
    )
    return [
        Message(keys.to_audience(unit, "owner"), "chat.postMessage", playbook.owner_id, message),
        Message(keys.to_audience(unit, "curators"), "chat.postMessage", curators or playbook.channel_id, message),
    ]


RULE = CloseRule(
    "stall", reads.curators, _close, cycle_end.judge_stall, needs=("cycle result",), after=("replication",)
)
