"""Playbooks as storage would hold them, made without a database: `a_playbook` builds the
model objects (Playbook, Step, Cycle: plain Python objects until a session adds them)
from a definition as `rollout playbook load` would (cadence/definition.py, then
storage/playbooks.py's playbook_columns and add_steps), and wraps them in a PlaybookState."""

from __future__ import annotations

import copy
import itertools
from datetime import UTC, date, datetime
from typing import Any

from cadence.definition import parse_playbook
from storage.models.playbooks import Cycle, Playbook, Step
from storage.playbooks import PlaybookState, playbook_columns
from tests.conftest import CHANNEL as CHANNEL  # re-exported by tests/fakes
from tests.conftest import OWNER, SUPPORT_REPLIES  # the suite's own example playbook

LOADED_AT = datetime(2026, 1, 1, tzinfo=UTC)

_ids = itertools.count(1)


def definition(**changes: Any) -> dict[str, Any]:
    """SUPPORT_REPLIES with `changes` (a key given None is left out)."""
    made = copy.deepcopy(SUPPORT_REPLIES)
    for key, value in changes.items():
        if value is None:
            made.pop(key, None)
        else:
            made[key] = value
    return made


def a_playbook(
    slug: str = "support-replies",
    *,
    steps: list[dict[str, Any]] | None = None,
    kpi: dict[str, Any] | None = None,
    guardrail: dict[str, Any] | bool | None = True,
    cycle_started: date | None = date(2026, 3, 2),
    status: str | None = None,
    closed_through: date | None = None,
    org_timezone: str = "Europe/Berlin",
    **more: Any,
) -> PlaybookState:
    """A playbook loaded from SUPPORT_REPLIES changed by the arguments (`guardrail=None`:
    none; `more`: other keys of the definition, as `value_events=[...]`), with its first
    cycle started on `cycle_started` (None: not yet) and active if it is."""
    raw = definition(playbook=slug, **more)
    if steps is not None:
        raw["steps"] = steps
    if kpi is not None:
        raw["kpi"] = kpi
    if guardrail is None:
        raw.pop("guardrail")
    elif guardrail is not True:
        raw["guardrail"] = guardrail
    spec = parse_playbook(raw)
    playbook_id = next(_ids)
    playbook = Playbook(
        **playbook_columns(spec, org_timezone),
        id=playbook_id,
        definition=spec.canonical(),
        created_at=LOADED_AT,
        updated_at=LOADED_AT,
    )
    playbook.status = status or ("active" if cycle_started is not None else "draft")
    playbook.closed_through = closed_through
    made_steps = [
        Step(id=next(_ids), playbook_id=playbook_id, name=s.name, position=i, mode=s.mode, pinned=s.pinned)
        for i, s in enumerate(spec.steps)
    ]
    anchor = None
    if cycle_started is not None:
        anchor = Cycle(id=next(_ids), playbook_id=playbook_id, number=1, starts_on=cycle_started, started_by=OWNER)
        anchor.created_at = LOADED_AT
    return PlaybookState(playbook, made_steps, anchor, None, channel_changes=0, owner_deactivated=False)
