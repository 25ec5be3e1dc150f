"""The App Home tab and status without a playbook: what a person sees of their own rollout."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from bot.demo.standin.faults import Fault
from storage.store import Store
from tests.committed import committed
from tests.conftest import ADMIN, CHANNEL, MEMBER, OWNER, Engine

UTC = UTC


def open_home(bot, user):
    return bot.event({"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home", "event_ts": "1.2"})


def test_home_shows_my_playbooks_with_this_weeks_checkin(bot, playbook, slack, store, clock):
    committed(store).reports.add_checkin(
        playbook.playbook.id,
        playbook.anchor.starts_on,
        MEMBER,
        "deviated",
        playbook.step("send").id,
        "edge case",
        clock(),
    )
    assert open_home(bot, MEMBER).status == 200
    view = slack.views[MEMBER]
    text = json.dumps(view, ensure_ascii=False)
    assert view["type"] == "home"
    assert "*Support reply drafting* (support-replies) · cycle 1, week 1" in text
    assert "This week: you reported a deviation on send." in text
    assert [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]] == [
        "checkin_attest",
        "checkin_deviation",
        "checkin_kpi",
    ]
    assert "The registry" not in text  # not a curator


@pytest.mark.slack_budget
def test_a_home_slack_is_too_slow_to_take_is_published_by_the_outbox(bot, playbook, slack, engine, clock):
    """Past the request's budget for Slack the event is still answered (Slack would retry
    it, and fail again), and the Home someone opened reaches them all the same. Slack
    publishes it and answers too late for the request (or, on a loaded machine, the budget
    is spent before the call and the outbox's call is the slow one): either way the outbox
    publishes it again, which views.publish allows."""
    slack.fail_next("views.publish", Fault(accept_then_delay=1.5))  # more than the request's 1 s in all
    assert open_home(bot, OWNER).status == 200
    with engine.connect() as c:
        assert c.execute(text("select count(*) from outbox where key like 'home:%'")).scalar() == 1
    Engine(engine, slack, clock).dispatcher.drain(max_wait=0)
    assert "Support reply drafting" in json.dumps(slack.views[OWNER], ensure_ascii=False)
    with engine.connect() as c:
        assert c.execute(text("select status from outbox where key like 'home:%'")).scalar() == "sent"


def test_home_of_someone_with_no_playbook(bot, playbook, slack):
    open_home(bot, "UNOBODY001")
    assert "You're not on a playbook yet" in json.dumps(slack.views["UNOBODY001"])


def test_owner_sees_proposals_to_decide_and_curators_see_the_registry(bot, playbook, slack, store, engine, clock):
    propose_promotion(engine, playbook, clock(), "proposal:test")
    open_home(bot, OWNER)
    text = json.dumps(slack.views[OWNER], ensure_ascii=False)
    assert "Waiting for your decision" in text and "make *draft* ai-led (now collaborative)" in text
    slack.add_user("UCURATOR1")
    assert "now a curator" in bot.command("curator add <@UCURATOR1>", user=ADMIN).text
    open_home(bot, "UCURATOR1")
    curator_view = json.dumps(slack.views["UCURATOR1"], ensure_ascii=False)
    assert "The registry" in curator_view and "make *draft* ai-led" in curator_view


def test_status_shows_the_kpi_trend(bot, playbook, clock):
    for week, value in ((1, "30"), (2, "25"), (3, "20")):
        clock.set(datetime(2026, 11, 18, 10, 0, tzinfo=UTC) + timedelta(days=7 * (week - 1)))
        bot.command(f"kpi support-replies {value}")
    assert "Last 8 weeks: `·····█▅▁`" in bot.command("status support-replies", channel=CHANNEL).text


def test_home_shows_my_own_checkins_of_the_last_8_weeks(bot, playbook, slack, store, clock):
    start = playbook.anchor.starts_on
    send = playbook.step("send").id
    for week, answer in [(0, "followed"), (1, "deviated"), (3, "followed")]:
        committed(store).reports.add_checkin(
            playbook.playbook.id,
            start + timedelta(days=7 * week),
            MEMBER,
            answer,
            send if answer == "deviated" else None,
            None,
            clock(),
        )
    committed(store).reports.add_checkin(
        playbook.playbook.id, start + timedelta(days=7 * 2), OWNER, "followed", None, None, clock()
    )
    clock.set(datetime(2026, 12, 9, 10, 0, tzinfo=UTC))  # week 4 of cycle 1
    open_home(bot, MEMBER)
    text = json.dumps(slack.views[MEMBER], ensure_ascii=False)
    assert (
        "Your check-ins, last 4 weeks: 16 Nov :white_check_mark: · 23 Nov :warning: send · 30 Nov – · "
        "07 Dec :white_check_mark:"
    ) in text  # the owner's answer of 30 Nov is the owner's, not mine; weeks before the first cycle are not shown


def test_the_kpi_trend_keeps_closed_weeks_and_reads_open_ones(bot, playbook, clock):
    """A closed week's KPI is final and kept per process; the weeks still open (this one,
    and last week in its grace) are read on every status, even while nothing else about
    the playbook changed (no close ran here to raise its revision)."""
    from cadence.figures import sparkline

    def trend():
        return bot.command("status support-replies", channel=CHANNEL).text

    def shows(*values):
        return f"Last 8 weeks: `{sparkline([None] * (8 - len(values)) + list(values))}`"

    clock.set(datetime(2026, 11, 18, 10, 0, tzinfo=UTC))  # week 1
    bot.command("kpi support-replies 30")
    assert shows(30.0) in trend()
    clock.set(datetime(2026, 11, 25, 10, 0, tzinfo=UTC))  # week 2: week 1 closed and kept
    assert shows(30.0, None) in trend()
    bot.command("kpi support-replies 25")
    assert shows(30.0, 25.0) in trend()
    clock.set(datetime(2026, 11, 30, 10, 0, tzinfo=UTC))  # Monday 11:00 Berlin: week 2 in its grace
    assert shows(30.0, 25.0, None) in trend()
    assert "Recorded" in bot.command("kpi support-replies 21 week:2").text
    assert shows(30.0, 21.0, None) in trend()
    clock.set(datetime(2026, 11, 30, 11, 30, tzinfo=UTC))  # 12:30: week 2 has closed
    assert shows(30.0, 21.0, None) in trend()


def propose_promotion(engine, playbook, at, key):
    """An open proposal to make the playbook's step `draft` ai-led, as the rules would open it."""
    from storage.governance_rows import Change, NewProposal

    proposal = NewProposal(
        key,
        "promotion",
        playbook.playbook.id,
        playbook.anchor.starts_on,
        playbook.step("draft").id,
        "collaborative",
        "ai-led",
        {"counter": "PASS 2 weeks in a row"},
    )
    committed(Store(engine)).governance.apply(Change(new_proposals=[proposal]), at)
