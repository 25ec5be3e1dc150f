"""An adopter's baseline week (issue 81, "Replication on real numbers"; docs/judgement.md,
"The baseline week"), end to end on SQLite and PostgreSQL: adopted with a start, the team
reports its KPI through signed `/rollout kpi` commands in the week before its first cycle,
the check-in calls it the baseline week, and the week's close makes its mean the
adopter's baseline, measured: the cycle against it replicates, where the same team's
declared baseline would never (tests/usecases/fast/test_replication.py)."""

from datetime import timedelta

from sqlmodel import Session, select

from storage.models.governance import Decision
from tests.bot.test_web_view import fetch, web_session
from tests.usecases import test_replication
from tests.usecases.test_governance import CURATOR, CURATORS, buttons, click, close_of, wednesday
from tests.usecases.test_replication import SALES, SALES_OWNER, decisions, run_weeks, thursday

ready = test_replication.ready  # its fixture, as it sets it up


def test_the_baseline_weeks_mean_is_the_adopters_baseline_measured_and_it_can_replicate(
    bot, ready, slack, store, engine, http_server, database_url
):
    run_weeks(bot, ready, range(1, 9))  # the origin: 42 → 14 in cycle 2, −67%
    proposal = next(m for m in slack.posted(CURATORS) if m["text"] == "support-replies is ready to scale")
    ready.clock.set(wednesday(9) - timedelta(days=2))  # Monday of week 9
    click(bot, "scale_publish", buttons(proposal)[0]["value"], CURATOR, CURATORS, proposal["ts"])
    slack.add_channel(SALES, [SALES_OWNER])
    slack.add_user(SALES_OWNER)
    # its own baseline 40, declared; the baseline week is week 9 (from 11 January), cycle 1 the Monday after
    adopt = f"adopt support-replies <#{SALES}|sales> owner <@{SALES_OWNER}> baseline:40 start:2027-01-11"
    adopted = bot.command(adopt, user=CURATOR).text
    assert "The baseline week starts on 2027-01-11" in adopted and "the first cycle starts on 2027-01-18" in adopted
    assert "(declared until the baseline week measures it)" in adopted

    ready.clock.set(wednesday(9))
    first = bot.command("kpi support-replies-sales 44", user=SALES_OWNER).text
    assert "Recorded" in first and "for *support-replies-sales*, the baseline week (from 2027-01-11)" in first
    assert "Recorded" in bot.command("kpi support-replies-sales 46", user=SALES_OWNER).text
    assert "*The baseline week* (2027-01-11 to 2027-01-17)" in bot.command("status support-replies-sales").text
    url, cookie = web_session(bot, http_server, database_url, slack, store, ready.clock, SALES_OWNER)
    status, _, page = fetch(url + "/web/playbooks/support-replies-sales", cookie)
    assert status == 200 and "First-response time" in page
    ready.run(thursday(9) + timedelta(hours=1))  # 15:00 UTC, its zone: the check-in DM names the week as it is
    [checkin] = [m for m in slack.posted(SALES_OWNER) if m["text"].startswith("check in for support-replies-sales")]
    assert checkin["text"] == "check in for support-replies-sales, the baseline week"
    ready.run(thursday(9) + timedelta(days=1, hours=1))  # Friday's reminder asks the KPI alone: it is in
    assert not [m for m in slack.posted(SALES_OWNER) if "numbers missing" in m["text"]]

    ready.run(close_of(9) + timedelta(hours=1))  # the baseline week closes: no step is judged
    sales = store.playbooks.state("support-replies-sales")
    assert (sales.playbook.kpi_baseline, sales.playbook.baseline_measured) == (45, 45)
    assert sales.playbook.definition["kpi"]["baseline"] == 45
    [measured] = decisions(engine, "baseline")
    assert measured.playbook_id == sales.playbook.id and measured.figures == {
        "declared": 40,
        "measured": 45,
        "reports": 2,
    }
    with Session(engine) as s:
        judged = s.exec(select(Decision).where(Decision.playbook_id == sales.playbook.id, Decision.kind == "verdict"))
        assert judged.all() == []
    told = [m["text"] for m in slack.posted(SALES) if "baseline week" in m["text"]]
    assert (
        told[-1] == "support-replies-sales: the baseline week measured First-response time at 45 min: the baseline now"
    )
    assert "is the baseline now (measured; 40 was declared)" in bot.command("history support-replies-sales").text
    assert "Recorded" not in bot.command("kpi support-replies-sales 44 week:2027-01-12", user=SALES_OWNER).text

    for week in range(10, 14):  # 13 every week: (13 − 45) / 45 = −71% against the origin's −67%
        ready.clock.set(wednesday(week))
        assert "week " in bot.command("kpi support-replies-sales 13", user=SALES_OWNER).text
        ready.run(close_of(week) + timedelta(hours=1))
    [verdict] = decisions(engine, "replication")
    assert verdict.figures["verdict"] == "replicated" and verdict.figures["why"] is None
