"""The hero's section (cadence/heroics.py; usecases/cycle_heroes.py): the one person who
carried a playbook's quality work in its last completed cycle, and their share, on the web
page, the web overview's lines and in the digest's header."""

from __future__ import annotations

from typing import TypedDict

from cadence import calendar
from cadence.heroics import Hero
from cadence.state import PlaybookState
from templates import tables
from templates.tables import Column
from usecases import cycle_heroes
from usecases.sections.base import DigestOrgPart, OverviewOrgPart, OverviewPart, PagePart, Reading


class HeroOrgWeek(TypedDict):
    """The digest header's cadence.digest.OrgWeek heroes: slug, person, share, lead, tail."""

    heroes: tuple[tuple[str, str, float, str, str], ...]


class HeroShown(TypedDict):
    """A playbook's hero, on its page and on its line of the overview alike."""

    hero_id: str | None
    hero_share: float | None
    hero_lead: str | None
    hero_tail: str | None


def _shown(hero: Hero | None) -> HeroShown:
    return HeroShown(
        hero_id=hero.person if hero else None,
        hero_share=hero.share if hero else None,
        hero_lead=hero.lead if hero else None,
        hero_tail=hero.tail if hero else None,
    )


class HeroOrg(TypedDict):
    people: dict[str, str]  # the names of the people the lines name, by user id


class HeroSection(
    DigestOrgPart,
    PagePart[Hero | None, HeroShown],
    OverviewPart[Hero | None, HeroShown],
    OverviewOrgPart[Hero | None, HeroOrg],
):
    name = "hero"

    def digest_org(self, reading: Reading, active: list[PlaybookState]) -> HeroOrgWeek:
        today = {s.playbook.id: calendar.local_date(reading.now, s.playbook.timezone) for s in active}
        carried = cycle_heroes.heroes(reading.store, active, today)
        slugs = {s.playbook.id: s.playbook.slug for s in active}
        return HeroOrgWeek(
            heroes=tuple(sorted((slugs[pid], h.person, h.share, h.lead, h.tail) for pid, h in carried.items()))
        )

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Hero | None]:
        """As of the Monday of the page's week, where each playbook is."""
        today = {
            s.playbook.id: calendar.monday_of(calendar.local_date(reading.now, s.playbook.timezone)) for s in states
        }
        carried = cycle_heroes.heroes(reading.store, states, today)
        return {s.playbook.id: carried.get(s.playbook.id) for s in states}

    def page_words(self, state: PlaybookState, model: Hero | None) -> HeroShown:
        return _shown(model)

    def overview(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Hero | None]:
        """As of today where each playbook is."""
        today = {s.playbook.id: calendar.local_date(reading.now, s.playbook.timezone) for s in states}
        carried = cycle_heroes.heroes(reading.store, states, today)
        return {s.playbook.id: carried.get(s.playbook.id) for s in states}

    def overview_line(self, state: PlaybookState, model: Hero | None) -> HeroShown:
        return _shown(model)

    def overview_org(self, reading: Reading, models: dict[int, Hero | None]) -> HeroOrg:
        """The names of the people the lines name."""
        return HeroOrg(people=reading.store.people.names({hero.person for hero in models.values() if hero}))

    def overview_columns(self, org: HeroOrg) -> list[Column]:
        return tables.hero_columns(org.get("people") or {})


SECTION = HeroSection()
