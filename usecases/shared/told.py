"""Changes are told: a revision applied to a playbook (`/rollout edit`, a stall's *Refine*
or *Re-scope*, `rollout playbook load`) is posted to its team channel: what changed,
from which week, who and why. The message goes through the outbox in the revision's own
unit of work; its key is completed with the revision's decision row id as the Change
writes the row (`told_of_first`), so each revision is told once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from cadence import calendar, mode_decisions, mode_move, revisions
from cadence.change import Change, Message
from cadence.mode_move import Move
from cadence.state import PlaybookState
from storage.playbook_definitions import LoadOutcome
from storage.store import UnitOfWork
from templates import notices

FILE_ACTOR = "file:"  # the actor of a `rollout playbook load`: "file:<its name>"


def record_loaded(
    uow: UnitOfWork,
    outcome: LoadOutcome,
    now: datetime,
    told: list[Message] | None = None,
    ups: Sequence[Move] = (),
) -> None:
    """A load's or an upgrade's decisions, in `uow`, in the order they were always written:
    the steps' declared modes first, then the playbook's creation or change, with `told`
    keyed by the change's row (told once). `ups`: the moves up the definition declares that
    the caller cleared (cadence.mode_move: a playbook before its first cycle), written with
    their declared modes' rows; the rest of `outcome.ups` stay unwritten."""
    by = outcome.decision
    declared = [
        *outcome.declared,
        *(
            mode_decisions.of_declared_mode(
                (by.playbook_id if by else None) or 0,
                m.step_id or 0,
                m.step,
                m.from_mode,
                m.to_mode,
                by.actor if by else "",
            )
            for m in ups
            if m.from_mode != m.to_mode
        ),
    ]
    if declared or ups:
        uow.governance.apply(Change(decisions=declared, mode_changes=[mode_move.change(m) for m in ups]), now)
    if outcome.decision is not None:
        uow.governance.apply(Change(decisions=[outcome.decision], told_of_first=told or []), now)


def revision(
    state: PlaybookState, before: dict[str, Any], after: dict[str, Any], by: str, why: str | None, now: datetime
) -> Message | None:
    """The team channel's message for the revision of `state`'s playbook from `before` to
    `after` (canonical definitions), made by `by` (a person's id, or FILE_ACTOR and the
    file's name) for `why` (None: no reason); None when nothing changed. It goes to the
    team channel the revision names when it moved it, else to the playbook's."""
    changes = revisions.told_words(before, after)
    if not changes:
        return None
    playbook = state.playbook
    zone = str(after.get("timezone") or playbook.timezone)
    week_of, week = revisions.applies_from(state.cycle_anchor, calendar.local_date(now, zone))
    old, new = str(before.get("channel") or ""), str(after.get("channel") or "")
    channel = new if new and new != old else playbook.channel_id
    payload = notices.revision_told(
        slug=playbook.slug,
        title=str(after.get("title") or playbook.title),
        changes=changes,
        week_of=week_of,
        week=week,
        by=by,
        at_server=by.startswith(FILE_ACTOR),
        why=why or None,
        before=before,
        after=after,
    )
    return Message(f"revised:{playbook.id}", "chat.postMessage", channel, payload)
