"""Decisions become webhook events where they are made, in the same unit of work: a
week's close (week_closed with the KPI, the guardrail and every step's verdict), a mode
changed by a person, each webhook's events and playbooks; a close that keeps nothing
(a dry run) tells no one. Delivered by the lane to a real receiver that verifies them."""

from datetime import UTC, date, datetime

import pytest

from outbound.webhooks import WebhookLane
from storage.store import Store
from tests.committed import committed
from tests.conftest import MEMBER, OWNER, Engine
from tests.reported import add_case_count, add_guardrail_reading, add_kpi_reading, add_rubric_score
from tests.webhook_receiver import Receiver
from usecases.tick import Cadence
from usecases.webhooks import new_secret

WEEK_1 = date(2026, 11, 16)
CLOSE_1 = datetime(2026, 11, 23, 11, 0, tzinfo=UTC)  # Monday after week 1, past Berlin's grace


@pytest.fixture
def receiver():
    server = Receiver(new_secret()).start()
    yield server
    server.stop()


def hook(store, receiver, clock, name, wanted=None, playbooks=None):
    from cadence.webhooks import EVENTS

    return committed(store).webhooks.add(
        name, receiver.url, list(wanted or EVENTS), playbooks, receiver.secret, "t", clock()
    )


def report_week_1(store, state, clock):
    at = clock()
    pid = state.playbook.id
    add_kpi_reading(store, pid, WEEK_1, 14, MEMBER, at)
    add_guardrail_reading(store, pid, WEEK_1, 4.8, MEMBER, at)
    draft, send, refunds = state.steps
    add_case_count(store, pid, draft.id, WEEK_1, 20, OWNER, at)
    add_rubric_score(store, pid, draft.id, WEEK_1, 0.95, OWNER, at)
    add_case_count(store, pid, send.id, WEEK_1, 20, OWNER, at)
    add_case_count(store, pid, refunds.id, WEEK_1, 12, OWNER, at)
    add_rubric_score(store, pid, refunds.id, WEEK_1, 0.91, OWNER, at)


def deliver(store, clock):
    return WebhookLane(store.webhooks, clock, sleep=lambda s: None).drain()


def test_a_weeks_close_tells_its_kpi_guardrail_and_verdicts_to_the_webhooks_that_want_it(
    store, engine, slack, clock, playbook, receiver
):
    hook(store, receiver, clock, "all")
    hook(store, receiver, clock, "modes-only", wanted=["mode_changed"])
    hook(store, receiver, clock, "elsewhere", playbooks=["not-this-one"])
    report_week_1(store, playbook, clock)
    Engine(engine, slack, clock).run(CLOSE_1)
    assert [(d.type, d.webhook_id) for d in store.webhooks.deliveries()] == [("week_closed", 1)]
    assert deliver(store, clock) == 0
    assert receiver.wait_for(1) and receiver.unverified == 0
    [event] = receiver.events
    assert (event["type"], event["playbook"]) == ("week_closed", "support-replies")
    assert event["at"].startswith("2026-11-23T11:00")
    data = event["data"]
    assert (data["week"], data["cycle"], data["week_of_cycle"]) == ("2026-11-16", 1, 1)
    assert data["kpi"] == {
        "name": "First-response time",
        "unit": "min",
        "value": 14.0,
        "baseline": 42.0,
        "target": 15.0,
        "direction": "down",
    }
    assert data["guardrail"]["state"] == "HOLDS" and data["guardrail"]["value"] == 4.8
    steps = {s["step"]: s for s in data["steps"]}
    assert list(steps) == ["draft", "send", "refunds"]
    assert steps["draft"]["outcome"] == "PASS" and steps["draft"]["cases"] == 20 and steps["draft"]["rubric"] == 0.95
    assert steps["send"]["mode"] == "ai-led" and steps["send"]["rule"]
    # a second tick closes nothing again: no second event
    Engine(engine, slack, clock).run(CLOSE_1)
    assert len(store.webhooks.deliveries()) == 1


def test_a_dry_run_close_tells_no_one(store, engine, slack, clock, playbook, receiver):
    from slack_sdk import WebClient

    from slack_api.members import TeamDirectory
    from tests.conftest import BOT_TOKEN

    hook(store, receiver, clock, "all")
    report_week_1(store, playbook, clock)
    client = WebClient(token=BOT_TOKEN, base_url=slack.url)
    dry = Cadence(Store(engine, dry_run=True), client, TeamDirectory(ttl_seconds=0), "UTC", clock)
    report = dry.tick(CLOSE_1)
    assert any(w.kind == "close" for w in report.work)
    assert store.webhooks.deliveries() == []


def test_a_mode_set_by_the_owner_is_told_with_its_reason(store, bot, slack, clock, playbook, receiver):
    slack.add_user(OWNER, tz="Europe/Berlin")
    hook(store, receiver, clock, "modes", wanted=["mode_changed"])
    assert "is now human-led" in bot.command("mode support-replies send human-led model drifting", user=OWNER).text
    assert "only the owner" in bot.command("mode support-replies send ai-led why not", user=MEMBER).text.lower()
    deliver(store, clock)
    assert receiver.wait_for(1)
    [event] = receiver.events
    assert event["type"] == "mode_changed"
    data = event["data"]
    assert (data["step"], data["from_mode"], data["to_mode"], data["decided_by"]) == (
        "send",
        "ai-led",
        "human-led",
        OWNER,
    )
    assert data["figures"]["reason"] == "model drifting"
    assert "send" in data["summary"]


def test_a_scale_proposal_its_publication_and_an_adoption_are_told(bot, ready, slack, store, clock, receiver):
    from tests.usecases.test_governance import CURATOR, CURATORS, assess_kept, buttons, click, wednesday
    from tests.usecases.test_replication import SALES, SALES_OWNER, run_weeks

    hook(store, receiver, clock, "registry", wanted=["proposal", "published", "adopted", "replication"])
    run_weeks(bot, ready, range(1, 9))
    proposal = next(m for m in slack.posted(CURATORS) if m["text"] == "support-replies is ready to scale")
    ready.clock.set(wednesday(9))
    assess_kept(store, "support-replies")  # its pilot assessed: phase 1 (cadence/phases.py)
    click(bot, "scale_publish", buttons(proposal)[0]["value"], CURATOR, CURATORS, proposal["ts"])
    slack.add_channel(SALES, [SALES_OWNER])
    slack.add_user(SALES_OWNER)
    adopted = bot.command(f"adopt support-replies <#{SALES}|sales> owner <@{SALES_OWNER}>", user=CURATOR)
    assert "now runs in" in adopted.text
    deliver(store, clock)
    assert receiver.unverified == 0
    told = [(e["type"], e["playbook"], e["data"]["decision"]) for e in receiver.events]
    origin = [(t, d) for t, p, d in told if p == "support-replies"]  # one lane: in the order decided
    # draft has no calibration set, so no promotion of it is proposed (issue 80): the scale proposal first
    assert origin == [("proposal", "scale-proposal"), ("published", "publish")]
    assert [(t, d) for t, p, d in told if p == "support-replies-sales"] == [("adopted", "adopted")]
    published = next(e["data"] for e in receiver.events if e["type"] == "published")
    assert published["figures"]["version"] == 1 and published["decided_by"] == CURATOR
    adoption = next(e["data"] for e in receiver.events if e["type"] == "adopted")
    assert adoption["figures"]["origin"] == "support-replies"


@pytest.fixture
def ready(bot, engine, slack, clock, store):
    from tests.usecases.test_replication import ready as made

    return made.__wrapped__(bot, engine, slack, clock, store)
