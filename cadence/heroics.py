"""Heroics (docs/playbooks.md, "Heroics"): one person who carries a playbook's quality
work over a completed cycle, in a team of any size; in a team of 3 or fewer it reads as a
scaling constraint (the pilot size where one senior reviews every output is likeliest,
and an adopting team will need its own). The work, not the typing: the
cases reviewed (each review's reviewed count, shared evenly by the reviewers it names,
else the reporter's) and the exception items closed (resolved or accepted). Plain
functions over plain data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

HERO_SHARE = 0.8  # more than this share of a cycle's reviewed cases or closed items
SMALL_TEAM = 3  # in a team of this many members or fewer, a scaling constraint


@dataclass(frozen=True)
class Review:
    """A review that counts (the latest of its step's week): how many cases it reviewed
    (None: a bare score, every one of the week's `cases`), who reviewed them."""

    reviewed: int | None
    cases: int | None
    reviewers: tuple[str, ...]
    reported_by: str

    @property
    def cases_reviewed(self) -> int:
        return self.reviewed if self.reviewed is not None else self.cases or 0


def reviewed_by(reviews: Iterable[Review]) -> Counter[str]:
    """Cases reviewed per person: each review's cases shared evenly by its reviewers; one
    naming none counts for who reported it (as every review before names were kept)."""
    found: Counter[str] = Counter()
    for review in reviews:
        people = review.reviewers or (review.reported_by,)
        for person in people:
            found[person] += review.cases_reviewed / len(people)  # type: ignore[assignment]
    return found


@dataclass(frozen=True)
class Hero:
    """One person who carries a playbook's quality work: their share of a completed
    cycle's reviewed cases (`kind` reviews) or closed exception items (`kind` items)."""

    person: str
    share: float
    done: float
    total: float
    kind: str = "reviews"
    small: bool = False  # a team of SMALL_TEAM or fewer: a scaling constraint

    @property
    def lead(self) -> str:
        if self.small:
            return "a scaling constraint"
        if self.kind == "reviews":
            return "one reviewer carries the quality checks"
        return "one person closes the exception items"

    @property
    def tail(self) -> str:
        total = round(self.total)
        what = "reviewed case" if self.kind == "reviews" else "closed exception item"
        said = f"of {total} {what}{'s' if total != 1 else ''}"
        if self.small:
            need = "a reviewer" if self.kind == "reviews" else "someone to close the exception items"
            said += f": teams that adopt this need {need} of their own"
        return said

    def words(self, name: str | None = None) -> str:
        """ "one reviewer carries the quality checks: Ben, 86% of 140 reviewed cases"; in a
        small team "Ben reviewed 95% of 120 cases: teams that adopt this need a reviewer of
        their own"."""
        if self.small and self.kind == "reviews":
            total = round(self.total)
            return (
                f"{name or self.person} reviewed {self.share:.0%} of {total} case{'s' if total != 1 else ''}: "
                "teams that adopt this need a reviewer of their own"
            )
        return f"{self.lead}: {name or self.person}, {self.share:.0%} {self.tail}"


def _one(done_by: Mapping[str, float], kind: str, people: set[str] | None, small: bool) -> Hero | None:
    total = sum(done_by.values())
    named = {p: n for p, n in done_by.items() if people is None or p in people}
    if total <= 0 or not named:
        return None
    person, done = max(named.items(), key=lambda item: (item[1], item[0]))
    share = done / total
    return Hero(person, share, done, total, kind, small) if share > HERO_SHARE else None


def hero(
    reviewed: Mapping[str, float], closed: Mapping[str, float], team_size: int, people: set[str] | None = None
) -> Hero | None:
    """The one person who reviewed more than 80% of a completed cycle's reviewed cases,
    else who closed more than 80% of its closed exception items, in a team of any size (of
    SMALL_TEAM or fewer: a scaling constraint). `people`: who may be named (a token or a
    source counts in the total only)."""
    small = team_size <= SMALL_TEAM
    return _one(reviewed, "reviews", people, small) or _one(closed, "items", people, small)
