"""Setup in under an hour (PRODUCT, "From a pilot to a programme"; seed 000: another team
runs it "with under one hour of setup"): an adopter's active setup time, from the adopt to
its first check-in answered, is the time anyone spent in the bot's forms for that playbook
(each from views.open to its last submission), not calendar days; and a version's teams
summed up ("median setup 35 min over 4 teams; under an hour: 3 of 4").

A form is for the playbook its view names (`playbook_of`); a form that names none (a
request to adopt, a curator's reason, a notice) is no team's setup.

A form counts its time open, at most FORM_CAP: a form left open over lunch is not an hour
of setup. A form never submitted (abandoned, or closed with Cancel, which Slack does not
tell the bot) counts FORM_CAP too: it cost its person something, and the measure must not
flatter a setup whose forms people gave up on. Pure."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from cadence import keys

FORM_CAP = timedelta(minutes=20)
AN_HOUR = 60.0  # minutes

FormSpan = tuple[datetime, datetime | None]  # opened, last submitted (None: never)


# The forms about one playbook that keep it as a JSON object's field in their
# private_metadata, by callback id: the check-in forms, the learning and pulse forms, the
# playbook's edit form and its kit form {"playbook": id, …}, the week form {"p": id, …}.
# The assessment keeps the id alone; a stall's forms "stall:<id>:<cycle>".
_NAMED_IN = {
    "checkin_attest": "playbook",
    "checkin_deviation": "playbook",
    "checkin_kpi": "playbook",
    "learning_add": "playbook",
    "pulse_form": "playbook",
    "playbook_edit": "playbook",
    "playbook_kit": "playbook",
    "week_form": "p",
}


def playbook_of(view: Mapping[str, Any]) -> int | None:
    """The playbook a form of the bot's is for, as its view says: its callback id and
    private_metadata, or, for a check-in form that asked which playbook ({"choose": true}),
    the one picked in it (its submission's state). None: the view names no playbook."""
    callback = str(view.get("callback_id") or "")
    metadata = view.get("private_metadata") or ""
    if callback == "assess_form":
        return keys.read_id(metadata)
    if callback.startswith("stall_"):
        stall = keys.read_stall(metadata)
        return stall[0] if stall else None
    field = _NAMED_IN.get(callback)
    kept = _kept(metadata) if field else None
    if not isinstance(kept, dict):
        return None
    if kept.get("choose") is True:
        return _picked(view)
    return keys.read_id(kept.get(field))


def _kept(metadata: Any) -> Any:
    """A form's private_metadata read as JSON; None where it is not a string or not JSON."""
    try:
        return json.loads(metadata) if isinstance(metadata, str) else None
    except (ValueError, RecursionError):
        return None


def _picked(view: Mapping[str, Any]) -> int | None:
    """The playbook picked in a check-in form that asked which (its submission's state)."""
    picked = ((view.get("state") or {}).get("values") or {}).get("playbook") or {}
    return keys.read_id(((picked.get("value") or {}).get("selected_option") or {}).get("value"))


def form_minutes(opened: datetime, submitted: datetime | None) -> float:
    """One form's active minutes: its time open, capped; never submitted, the cap."""
    if submitted is None:
        return FORM_CAP.total_seconds() / 60
    return min(max(submitted - opened, timedelta(0)), FORM_CAP).total_seconds() / 60


def active_minutes(forms: Iterable[FormSpan], since: datetime, until: datetime) -> float:
    """The active minutes of the forms opened from `since` (the adopt) to `until` (the
    first check-in answered)."""
    return sum(form_minutes(opened, submitted) for opened, submitted in forms if since <= opened <= until)


@dataclass(frozen=True)
class Setup:
    """A version's teams' setup: the median minutes, over how many teams, how many under an hour."""

    median: float
    teams: int
    under_an_hour: int

    def figures(self) -> dict[str, float | int]:
        return dict(median=round(self.median, 1), teams=self.teams, under_an_hour=self.under_an_hour)


def summed_up(minutes: Iterable[float]) -> Setup | None:
    """The teams' setups (each team's active minutes); None: no team has answered a check-in yet."""
    each = list(minutes)
    if not each:
        return None
    return Setup(median(each), len(each), sum(1 for m in each if m < AN_HOUR))
