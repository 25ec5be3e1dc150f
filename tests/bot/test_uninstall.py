"""The app uninstalled or its token revoked: the bot stops sending, says so once and at
/healthz, and goes on when Slack accepts a token again, with stale nudges and DMs skipped
as after any downtime and nothing sent twice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import CHANNEL, MEMBER, OWNER, Engine


@pytest.mark.parametrize(
    "event",
    [
        {"type": "app_uninstalled"},
        {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UROLLOUTBOT"]}},
    ],
    ids=["uninstalled", "revoked"],
)
def test_the_event_holds_delivery_and_healthz_says_why(bot, store, event, caplog):
    assert bot.get("/healthz").status == 200
    assert bot.event(event).status == 200
    health = bot.get("/healthz")
    assert health.status == 503
    assert health.body["slack"].startswith(f"token refused ({event['type']})")
    assert store.health.slack_access_lost()[0] == event["type"]
    bot.event(event)  # Slack may say it twice: the log says it once
    assert sum("delivery is held" in r.getMessage() for r in caplog.records) == 1


def test_a_users_token_revoked_changes_nothing(bot, store):
    bot.event({"type": "tokens_revoked", "tokens": {"oauth": ["UMEMBER001"], "bot": []}})
    assert store.health.slack_access_lost() is None and bot.get("/healthz").status == 200


def test_while_held_the_clock_closes_weeks_but_plans_no_dm_and_after_it_sends_only_what_is_fresh(
    playbook, slack, engine, clock, store
):
    world = Engine(engine, slack, clock)
    world.dispatcher.access = store.health
    slack.revoke("token_revoked")
    start = clock.at  # Wednesday of week 1
    # From Wednesday to the next Tuesday: Thursday's DMs, Friday's reminders and Monday's
    # nudge fall while held; the week still closes on Monday.
    world.run_through(start, start + timedelta(days=6))
    assert store.health.slack_access_lost() is not None
    assert slack.posted(MEMBER) == [] and slack.posted(CHANNEL) == []
    assert store.playbooks.state("support-replies").playbook.closed_through is not None  # the close happened
    slack.restore()
    world.dispatcher.monotonic = lambda: 1e9  # the probe is due
    world.run(start + timedelta(days=6, hours=1))
    assert store.health.slack_access_lost() is None
    # The week-1 close alert (made while held) is delivered; last Thursday's DMs and
    # Monday's nudge are stale by now and skipped, as after any downtime.
    channel = [m["text"] for m in slack.posted(CHANNEL)]
    assert channel and all("nudge" not in t.lower() for t in channel)
    assert slack.posted(MEMBER) == [] and slack.posted(OWNER) == []
    before = len(slack.calls_to("chat.postMessage"))
    world.run(start + timedelta(days=6, hours=2))
    assert len(slack.calls_to("chat.postMessage")) == before  # nothing twice
