"""Requests that race each other, or the clock, through the real HTTP endpoint: the
database decides, so every answer tells the truth about what was stored."""

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from tests.conftest import ADMIN, OWNER

UNDOERS = 8
ADOPTERS = 5
CURATOR = "UCURATOR1"


def test_concurrent_undos_each_withdraw_the_next_report(bot, playbook, engine):
    """Eight reports, eight undos at once by the same member: each undo withdraws one of
    them (a loser of a race for the newest report moves on to the next), none says
    "nothing to undo" while a report still counts."""
    for value in range(UNDOERS):
        assert "Recorded" in bot.command(f"kpi support-replies {20 + value}").text
    with ThreadPoolExecutor(UNDOERS) as pool:
        replies = list(pool.map(lambda _: bot.command("undo support-replies"), range(UNDOERS)))
    assert [("Withdrew your KPI reading" in r.text) for r in replies] == [True] * UNDOERS, [r.text for r in replies]
    withdrawn = sorted(float(r.text.split("First-response time = ")[1].split(" ")[0]) for r in replies)
    assert withdrawn == [float(20 + value) for value in range(UNDOERS)]  # each report once
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM kpi_reading WHERE withdrawn_at IS NULL")).scalar() == 0
    assert "nothing to undo" in bot.command("undo support-replies").text


def test_concurrent_adopts_into_one_channel_make_one_playbook(bot, playbook, slack, engine):
    """Five curators' adopts of the same version into one channel at once: one adoption,
    four refusals that it is adopted already, held by the database's unique index."""
    slack.add_user(CURATOR)
    slack.add_channel("CADOPT0002", ["UROLLOUTBOT", OWNER])
    assert "now a curator" in bot.command(f"curator add <@{CURATOR}>", user=ADMIN).text
    assert "v1" in bot.command("publish support-replies", user=CURATOR).text
    command = "adopt support-replies <#CADOPT0002|adopters>"
    with ThreadPoolExecutor(ADOPTERS) as pool:
        replies = list(pool.map(lambda _: bot.command(command, user=CURATOR), range(ADOPTERS)))
    texts = [r.text for r in replies]
    assert sum("*support-replies-adopters* now runs in <#CADOPT0002>" in t for t in texts) == 1, texts
    refused = [t for t in texts if "now runs in" not in t]
    assert len(refused) == ADOPTERS - 1
    assert all("already runs support-replies-adopters, adopted from support-replies" in t for t in refused), refused
    assert all(r.status == 200 and r.body["response_type"] == "ephemeral" for r in replies if "now runs" not in r.text)
    with engine.connect() as connection:
        adopted = connection.execute(text("SELECT slug FROM playbook WHERE channel_id = 'CADOPT0002'")).scalars()
        assert adopted.all() == ["support-replies-adopters"]
        decisions = connection.execute(text("SELECT count(*) FROM decision WHERE kind = 'adopted'")).scalar()
        assert decisions == 1
