"""The hero's section (cadence/heroics.py; usecases/cycle_heroes.py): the one person who
carried a playbook's quality work in its last completed cycle, and their share, on the web
page, the web overview's lines and in the digest's header."""

from __future__ import annotations

from typing import Any

from cadence import calendar
from cadence.heroics import Hero
from cadence.state import PlaybookState
from templates import tables
from templates.tables import Column
from usecases import cycle_heroes
from usecases.sections.base import Reading, Section


class HeroSection(Section):
    name = "hero"

    def digest_org(self, reading: Reading, active: list[PlaybookState]) -> dict[str, Any]:
        today = {s.playbook.id: calendar.local_date(reading.now, s.playbook.timezone) for s in active}
        carried = cycle_heroes.heroes(reading.store, active, today)
        slugs = {s.playbook.id: s.playbook.slug for s in active}
        return dict(heroes=tuple(sorted((slugs[pid], h.person, h.share, h.lead, h.tail) for pid, h in carried.items())))

    def page(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Any]:
        """As of the Monday of the page's week, where each playbook is."""
        today = {
            s.playbook.id: calendar.monday_of(calendar.local_date(reading.now, s.playbook.timezone)) for s in states
        }
        carried = cycle_heroes.heroes(reading.store, states, today)
        return {s.playbook.id: carried.get(s.playbook.id) for s in states}

    def page_words(self, state: PlaybookState, model: Hero | None) -> dict[str, Any]:
        hero = model
        shown = dict(hero_id=hero.person if hero else None, hero_share=hero.share if hero else None)
        return shown | dict(hero_lead=hero.lead if hero else None, hero_tail=hero.tail if hero else None)

    def overview(self, reading: Reading, states: list[PlaybookState]) -> dict[int, Any]:
        """As of today where each playbook is."""
        today = {s.playbook.id: calendar.local_date(reading.now, s.playbook.timezone) for s in states}
        carried = cycle_heroes.heroes(reading.store, states, today)
        return {s.playbook.id: carried.get(s.playbook.id) for s in states}

    def overview_line(self, state: PlaybookState, model: Hero | None) -> dict[str, Any]:
        return self.page_words(state, model)

    def overview_org(self, reading: Reading, models: dict[int, Any]) -> dict[str, Any]:
        """The names of the people the lines name."""
        return dict(people=reading.store.people.names({hero.person for hero in models.values() if hero}))

    def overview_columns(self, shown: dict[str, Any]) -> list[Column]:
        return tables.hero_columns(shown.get("people") or {})


SECTION = HeroSection()
