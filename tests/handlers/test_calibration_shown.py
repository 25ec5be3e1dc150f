"""Status and the web view show each step's latest calibration run and whether it is
current (docs/playbooks.md, "Calibration"): signed requests, the page as served."""

import html

from tests.bot.test_web_view import fetch, web_session
from tests.conftest import OWNER
from tests.handlers import test_calibrate
from tests.handlers.test_kit_form import open_kit, shown, submit

calibrated = test_calibrate.calibrated  # the fixture: a set of 40 on step draft


def status_of(bot):
    return bot.command("status support-replies", user=OWNER).text


def page_of(url, cookie):
    status, _, page = fetch(url + "/web/playbooks/support-replies", cookie)
    assert status == 200
    return html.unescape(page)


def test_status_and_the_page_show_the_latest_run_and_whether_it_is_current(
    bot, calibrated, slack, store, clock, http_server, database_url
):
    assert "Calibration set: no run of its 40 cases yet" in status_of(bot)
    url, cookie = web_session(bot, http_server, database_url, slack, store, clock, OWNER)
    assert "<strong>draft</strong>: no run of its 40 cases yet" in page_of(url, cookie)

    bot.command("calibrate support-replies draft 37/40", user=OWNER)
    today = clock().date().isoformat()
    current = f"37/40 = 92.5%, current (run {today})"
    assert f"Calibration set: {current}" in status_of(bot)
    assert f"<strong>draft</strong>: {current}" in page_of(url, cookie)
    assert status_of(bot).count("Calibration set:") == 1  # send and refunds declare none

    view = open_kit(bot, slack)  # a new model for draft: stale by itself, no box to tick
    reply = submit(bot, view, {**shown(view), "step_models": "draft | gpt-5.1 2026-12"}, OWNER)
    assert reply.body["response_action"] == "update", reply.body
    stale = f"37/40 = 92.5%, stale: the step changed since it was run (run {today})"
    assert f"Calibration set: {stale}" in status_of(bot)
    assert f"<strong>draft</strong>: {stale}" in page_of(url, cookie)


def test_a_playbook_without_a_set_says_so_for_its_ai_led_step(
    bot, playbook, slack, store, clock, http_server, database_url
):
    """Issue 80: send, ai-led before a promotion needed a set, keeps its mode and says it has none."""
    said = status_of(bot)
    assert "Calibration set:" not in said and said.count("no calibration set") == 1
    url, cookie = web_session(bot, http_server, database_url, slack, store, clock, OWNER)
    assert "<strong>send</strong>: no calibration set" in page_of(url, cookie)
