"""Setup in under an hour (PRODUCT, "From a pilot to a programme"; seed 000: another team
runs it "with under one hour of setup"): an adopter's active setup time, from the adopt to
its first check-in answered, is its people's time in the bot's forms (each from views.open
to its last submission), not calendar days; and a version's teams summed up ("median
setup 35 min over 4 teams; under an hour: 3 of 4").

A form counts its time open, at most FORM_CAP: a form left open over lunch is not an hour
of setup. A form never submitted (abandoned, or closed with Cancel, which Slack does not
tell the bot) counts FORM_CAP too: it cost its person something, and the measure must not
flatter a setup whose forms people gave up on. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from statistics import median

FORM_CAP = timedelta(minutes=20)
AN_HOUR = 60.0  # minutes

FormSpan = tuple[datetime, datetime | None]  # opened, last submitted (None: never)


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
