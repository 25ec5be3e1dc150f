"""`/rollout holiday`: curators add and remove the org's days off; anyone lists them. On a
holiday nothing person-facing goes out, and a change mid-week never sends anything twice.
Who may change them and what is refused: tests/usecases/fast/test_people_and_org.py."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from storage.models.governance import Decision
from tests.conftest import ADMIN, MEMBER, OWNER, Engine


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


def test_on_a_holiday_thursdays_checkin_goes_out_on_friday_and_fridays_reminder_not_at_all(
    bot, curator, playbook, slack, engine, clock
):
    bot.command("holiday add 2026-11-19", user=curator)  # Thursday of week 1
    bot.command("holiday add 2026-11-20", user=curator)  # and Friday: no working day left
    world = Engine(engine, slack, clock)
    world.run_through(clock.at, clock.at + timedelta(days=3))
    assert slack.posted(MEMBER) == [] and slack.posted(OWNER) == []  # no DM, reminder or owner DM


def test_a_holiday_removed_mid_week_sends_what_is_left_once(bot, curator, playbook, slack, engine, clock):
    bot.command("holiday add 2026-11-19", user=curator)  # Thursday: the check-in moves to Friday
    world = Engine(engine, slack, clock)
    wednesday = clock.at
    world.run_through(wednesday, wednesday + timedelta(days=1, hours=8))  # through Thursday evening
    assert slack.posted(MEMBER) == []
    bot.command("holiday remove 2026-11-19", user=curator)  # Thursday 18:00: due now, sent once
    world.run_through(wednesday + timedelta(days=1, hours=9), wednesday + timedelta(days=2, hours=2))
    texts = [m["text"] for m in slack.posted(MEMBER)]
    assert texts.count("check in for support-replies, week 1 of cycle 1") == 1
