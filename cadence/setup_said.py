"""Setup as the seed means it (issue 112): at an adopter's first check-in answered, its
champion (else its owner) says how long the setup took, all in (reading, training, the
kit's requires), and whether a meeting was needed to understand it; a version's answering
teams summed up beside the measured form time (cadence/setup_effort.py), and a version
whose median said setup is over an hour, or that needed a meeting for half its teams,
marked "over the hour: the kit needs work". Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from statistics import median

AN_HOUR = 60  # minutes
MOST_MINUTES = 40 * 60  # a working week: more is no setup time anyone can say


class BadMinutes(ValueError):
    """The minutes typed are not a whole number from 1 to MOST_MINUTES."""


def minutes_of(text: object) -> int:
    """The minutes as typed in the form: a whole number from 1 to MOST_MINUTES."""
    typed = text.strip() if isinstance(text, str) else ""
    if not (typed.isascii() and typed.isdigit() and len(typed) <= 5) or not 1 <= int(typed) <= MOST_MINUTES:
        raise BadMinutes(typed)
    return int(typed)


@dataclass(frozen=True)
class Said:
    """A version's answering teams: the median minutes they said, how many needed a meeting."""

    median: float
    meetings: int
    teams: int

    @property
    def over_the_hour(self) -> bool:
        """The kit needs work: a median said over an hour, or a meeting for half the teams."""
        return self.median > AN_HOUR or 2 * self.meetings >= self.teams

    def figures(self) -> dict[str, float | int | bool]:
        return dict(
            median=round(self.median, 1), meetings=self.meetings, teams=self.teams, over_the_hour=self.over_the_hour
        )


def summed_up(answers: Iterable[tuple[int, bool]]) -> Said | None:
    """The teams' answers (minutes said, a meeting needed); None: no team answered yet."""
    each = list(answers)
    if not each:
        return None
    return Said(median(m for m, _ in each), sum(1 for _, meeting in each if meeting), len(each))
