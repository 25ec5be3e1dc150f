"""Setup time, measured (docs/playbooks.md, "Made in Slack"): for each
playbook, when it was asked for (`/rollout new`, an approved request, an adopt), its first
nudge and its first closed week; the web overview's medians over the last 90 days, and a
first-cycle playbook's own in `status`."""

from __future__ import annotations

from datetime import datetime, timedelta
from statistics import median
from typing import Any

from cadence.state import PlaybookState
from storage.store import Store

WINDOW = timedelta(days=90)


def _days(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds() / 86400)


def overview(store: Store, now: datetime) -> dict[str, Any] | None:
    """The medians over the playbooks asked for in the last 90 days: days from asked to
    the first nudge and to the first closed week, with how many each is the median of;
    None when no playbook was asked for in that time."""
    asked = [t for t in store.made.setup_times().values() if t.asked_at is not None and t.asked_at >= now - WINDOW]
    if not asked:
        return None
    to_nudge = [d for t in asked if (d := _days(t.asked_at, t.first_nudge_at)) is not None]
    to_close = [d for t in asked if (d := _days(t.asked_at, t.first_closed_at)) is not None]
    return dict(
        asked=len(asked),
        to_nudge=median(to_nudge) if to_nudge else None,
        nudged=len(to_nudge),
        to_close=median(to_close) if to_close else None,
        closed=len(to_close),
    )


def own(store: Store, state: PlaybookState) -> dict[str, Any] | None:
    """A playbook's own setup time while it runs its first cycle (or none yet); None after,
    or for a playbook loaded from a file (nobody asked for it in Slack)."""
    if state.anchor is not None and state.anchor.number > 1:
        return None
    times = store.made.setup_time(state.playbook)
    if times.asked_at is None:
        return None
    return dict(
        asked=times.asked_at.date().isoformat(),
        to_nudge=_days(times.asked_at, times.first_nudge_at),
        to_close=_days(times.asked_at, times.first_closed_at),
    )
