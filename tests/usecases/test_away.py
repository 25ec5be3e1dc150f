"""`/rollout away`: the days someone is away get no check-in DM, reminder or owner DM, so
those weeks leave them out of the attestation rate; status says who is away until when.
Its refusals are tests/usecases/fast/test_people_and_org.py's."""

from __future__ import annotations

from datetime import date

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
