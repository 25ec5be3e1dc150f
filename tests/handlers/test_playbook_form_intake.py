"""A pilot worth funding, end to end: `/rollout new`'s intake answers, submitted as Slack
sends them, shown on the web page with the demo flagged (the form's checks and what is
kept: tests/usecases/fast/test_playbook_form_intake.py)."""

import re

from tests.conftest import MEMBER
from tests.handlers.test_playbook_form import NEW_VALUES, open_new, submit


def test_the_web_page_shows_the_intake_and_the_demo(bot, slack, store, engine, clock, http_server, database_url):
    from bot.app import create_app
    from bot.web import make_asgi
    from tests.bot.test_web_view import fetch
    from tests.conftest import settings_for

    answers = {**NEW_VALUES, "cases_per_week": "6", "structured": ""}
    assert submit(bot, open_new(bot, slack), answers, MEMBER).body["response_action"] == "update"
    mount, url = http_server
    settings = settings_for(database_url, slack, rollout_web_url=url)
    mount.app = make_asgi(create_app(settings, store, clock=clock), store, clock)
    link = re.search(r"(/web/login\?token=[A-Za-z0-9_-]+)", bot.command("web", user=MEMBER).text)
    cookie = fetch(url + link.group(1))[1]["Set-Cookie"].split(";")[0]
    status, _, page = fetch(url + "/web/playbooks/refund-triage", cookie)
    assert status == 200, page
    assert "Intake: 6 cases a week × 9 min, not structured" in page
    assert "funding a demo? 6 cases a week; not structured" in page
    assert "counts <code>refund_done</code>; no minutes saved given, so no hours are estimated" in page
