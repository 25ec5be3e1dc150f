"""Requests that race each other, or the clock, through the real HTTP endpoint: the
database decides, so every answer tells the truth about what was stored."""

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

UNDOERS = 8


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
