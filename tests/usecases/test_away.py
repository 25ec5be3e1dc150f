"""`/rollout away` end to end: the reply and the days kept. Its refusals are
tests/usecases/fast/test_people_and_org.py's; that the days away get no check-in DM,
reminder or owner DM, and status's word of it, tests/usecases/fast/test_tick_people.py's."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from storage.models.org import Person
from tests.conftest import MEMBER


def _away(engine) -> dict[str, tuple[date | None, date | None]]:
    with engine.connect() as c:
        return {u: (f, t) for u, f, t in c.execute(select(Person.user_id, Person.away_from, Person.away_until))}


def test_away_until_a_day_then_back(bot, engine):
    reply = bot.command("away 2026-12-04")
    assert "You are away from 2026-11-18 to 2026-12-04" in reply.text
    assert _away(engine) == {MEMBER: (date(2026, 11, 18), date(2026, 12, 4))}
    reply = bot.command("away 2026-11-30 2026-12-11")
    assert "from 2026-11-30 to 2026-12-11" in reply.text
    assert "Welcome back" in bot.command("away off").text
    assert _away(engine) == {MEMBER: (None, None)}
    assert "not marked away" in bot.command("away off").text
