"""A kept verdict keeps its rule (issue 54, item 17): why a week was INCONCLUSIVE is said
by `/rollout status` and the web view's steps × weeks grid (each cell's title and the
grid's CSV) after the close that judged it; a verdict kept before the rule was says
"reason not recorded". Signed requests, the clock's close; SQLite and PostgreSQL."""

import csv
import io

from sqlalchemy import text
from sqlmodel import Session, select

from storage.models.governance import StepVerdict
from tests.bot.test_web_view import fetch, web_session
from tests.conftest import OWNER
from tests.usecases.test_governance import close_of, wednesday, world  # noqa: F401  (the fixture)

WHY = "6 cases, fewer than the 10 needed"
CELL = "draft, week 2026-11-16 (cycle 1, week 1): INCONCLUSIVE: 6 cases, 0 exceptions, rubric 95%; why: "


def test_status_and_the_web_view_say_why_a_kept_week_was_inconclusive(
    bot,
    world,  # noqa: F811
    engine,
    store,
    slack,
    http_server,
    database_url,
):
    world.clock.set(wednesday(1))
    bot.command("cases support-replies draft 6", user=OWNER)  # fewer than min_cases
    bot.command("rubric support-replies draft 95%", user=OWNER)
    bot.command("cases support-replies send 20", user=OWNER)
    bot.command("cases support-replies refunds 12", user=OWNER)
    bot.command("rubric support-replies refunds 0.91", user=OWNER)
    world.run(close_of(1))
    with Session(engine) as s:
        kept = {(v.outcome, v.rule) for v in s.exec(select(StepVerdict))}
    assert kept == {
        ("INCONCLUSIVE", "2-too-few-cases"),
        ("PASS", "4-within-cap-ai-led-no-rubric"),
        ("PASS", "4-within-cap-rubric-met"),
    }

    world.clock.set(wednesday(2))
    status = bot.command("status support-replies", user=OWNER).text
    assert f":white_circle: INCONCLUSIVE in the week of 2026-11-16: {WHY}" in status
    url, cookie = web_session(bot, http_server, database_url, slack, store, world.clock, OWNER)
    _, _, page = fetch(url + "/web/playbooks/support-replies", cookie)
    assert f'title="{CELL}{WHY}' in page and f'<span class="sr">{CELL}{WHY}</span>' in page
    _, _, table = fetch(url + "/web/playbooks/support-replies/steps.csv", cookie)
    rows = {r["step"]: r for r in csv.DictReader(io.StringIO(table)) if r["week"] == "2026-11-16"}
    assert (rows["draft"]["why inconclusive"], rows["send"]["why inconclusive"]) == (WHY, "")

    with engine.begin() as connection:  # as a verdict kept before its rule was
        connection.execute(text("UPDATE step_verdict SET rule = NULL"))
    status = bot.command("status support-replies", user=OWNER).text
    assert ":white_circle: INCONCLUSIVE in the week of 2026-11-16: reason not recorded" in status
    _, _, page = fetch(url + "/web/playbooks/support-replies", cookie)
    assert f'title="{CELL}reason not recorded' in page
