"""`/rollout holiday` end to end: curators add and remove the org's days off; anyone lists
them. Who may change them and what is refused: tests/usecases/fast/test_people_and_org.py;
that nothing person-facing goes out on a holiday and a change mid-week never sends anything
twice: tests/usecases/fast/test_tick_people.py."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from storage.models.governance import Decision
from tests.conftest import ADMIN


@pytest.fixture
def curator(bot):
    bot.command("curator add <@UADMIN0001|admin>", user=ADMIN)
    return ADMIN


def _count(engine, model) -> int:
    with engine.connect() as c:
        return c.execute(select(func.count()).select_from(model)).scalar_one()


def test_curators_add_and_remove_holidays_and_anyone_lists_them(bot, curator, engine):
    before = _count(engine, Decision)
    reply = bot.command("holiday add 2026-12-24 Christmas Eve", user=curator)
    assert "2026-12-24 (Christmas Eve) is a holiday" in reply.text and "Thu 2026-12-24: Christmas Eve" in reply.text
    assert "Thu 2026-12-24: Christmas Eve" in bot.command("holiday list").text
    assert "is a holiday already (Christmas Eve)" in bot.command("holiday add 2026-12-24", user=curator).text
    assert "no longer a holiday" in bot.command("holiday remove 2026-12-24", user=curator).text
    assert "none." in bot.command("holiday list").text
    assert _count(engine, Decision) == before + 2  # added and removed, each a decision row
