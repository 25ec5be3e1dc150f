"""`/rollout away`: the days someone is away get no check-in DM, reminder or owner DM, so
those weeks leave them out of the attestation rate; status says who is away until when."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from storage.models.org import Person
from tests.conftest import MEMBER, OWNER, Engine


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


@pytest.mark.one_database  # refused before any write; absences that are stored run on both
@pytest.mark.parametrize(
    "text, says",
    [
        ("away 2026-11-17", "2026-11-17 is in the past"),
        ("away 2026-12-10 2026-12-01", "2026-12-01 is before 2026-12-10"),
        ("away 2027-12-01", "more than a year ahead"),
        ("away soon", "is not a date"),
        ("away", "Say the last day you are away"),
    ],
)
def test_refusals_store_nothing_and_show_the_usage(bot, engine, text, says):
    reply = bot.command(text)
    assert says in reply.text and "/rollout away off" in reply.text
    assert _away(engine) == {}


def test_no_checkin_dm_or_reminder_while_away_and_status_says_so(bot, playbook, slack, engine, clock):
    bot.command("away 2026-11-20")  # Wednesday; away through Friday
    # Wednesday to Friday 16:00 UTC: Thursday's DMs and Friday's reminders are due
    Engine(engine, slack, clock).run_through(clock.at, clock.at.replace(day=20, hour=16))
    assert slack.posted(MEMBER) == []  # away: neither the DM nor the reminder
    assert len(slack.posted(OWNER)) >= 1  # the owner, not away, got the check-in DM
    status = bot.command("status support-replies", user=OWNER).text
    assert "Away:" in status and "until 2026-11-20" in status


def test_an_away_owner_gets_no_friday_dm(bot, playbook, slack, engine, clock):
    bot.command("away 2026-11-20", user=OWNER)
    Engine(engine, slack, clock).run_through(clock.at, clock.at.replace(day=20, hour=16))
    assert slack.posted(OWNER) == []
    assert len(slack.posted(MEMBER)) >= 1
