"""The App Home tab through a signed app_home_opened event: when Slack is too slow to take
it, the outbox publishes it. What the Home shows (my playbooks, this week's check-in, the
proposals to decide, the registry for curators, my check-ins of the last weeks) and
status's KPI trend are tests/usecases/fast/test_home.py's, on the fakes."""

import json

import pytest
from sqlalchemy import text

from bot.demo.standin.faults import Fault
from storage.store import Store
from tests.committed import committed
from tests.conftest import OWNER, Engine


def open_home(bot, user):
    return bot.event({"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home", "event_ts": "1.2"})


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


def propose_promotion(engine, playbook, at, key):
    """An open proposal to make the playbook's step `draft` ai-led, as the rules would open it."""
    from cadence.change import Change, NewProposal

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
