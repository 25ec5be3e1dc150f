"""More fakes keep to what the real ones guarantee: a bar request replaces the open one
and is decided once, depth counts the closed weeks' verdicts and the people who
reported, a webhook's name is taken once, a revoked token is no token, and the names
asked of Slack go never-named first. With the use cases that read them: the clock's
naming of people and channels, and the webhooks an operator adds."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from cadence.change import Change, NewVerdict
from slack_api.members import Person
from storage.models.access import ApiToken
from storage.models.governance import BarRequest
from storage.report_batches import new_report
from storage.webhooks import NameTaken
from tests import fakes
from tests.committed import committed
from tests.fakes import CURATOR, MEMBER, NOW, OWNER, FakeStore
from usecases import names
from usecases import webhooks as hooks

WEEK = date(2026, 3, 9)


def bar_request(state, by=OWNER):
    return BarRequest(
        playbook_id=state.playbook.id, owner_id=OWNER, asked_by=by, asked_at=NOW, reason="why", changes=[]
    )


def test_a_bar_request_replaces_the_open_one_and_is_decided_once():
    state = fakes.a_playbook()
    store = FakeStore(state)
    first = bar_request(state)
    assert committed(store).bar_requests.ask(first, NOW) is None
    second = bar_request(state, MEMBER)
    replaced = committed(store).bar_requests.ask(second, NOW)
    assert replaced.id == first.id and store.bar_requests.get(first.id).state == "replaced"
    assert store.bar_requests.open_for(state.playbook.id).id == second.id
    assert committed(store).bar_requests.decide(second.id, "approved", NOW, decided_by="UCURATOR01")
    assert not committed(store).bar_requests.decide(second.id, "declined", NOW)
    assert [r.id for r in store.bar_requests.approved()] == [second.id] and store.bar_requests.open_for(
        state.playbook.id
    ) is None


def verdict(state, week, cases, mode="ai-led", index=0):
    step = state.steps[index]
    return NewVerdict(state.playbook.id, step.id, week, mode, "PASS", cases, 0, None)


def test_depth_and_the_bars_last_weeks_are_the_closed_weeks_verdicts():
    state = fakes.a_playbook()
    pid = state.playbook.id
    store = FakeStore(state)
    weeks = [WEEK - timedelta(days=7 * n) for n in range(5)]
    for week in weeks:
        committed(store).governance.apply(
            Change(verdicts=[verdict(state, week, 10), verdict(state, week, 5, "human-led", 2)]), NOW
        )
    committed(store).reports.add_reports([new_report("kpi", pid, WEEK, OWNER, NOW, value=1.0)])
    committed(store).reports.add_reports([new_report("kpi", pid, WEEK, "token:warehouse", NOW, value=2.0)])
    depth = store.depth.weeks(WEEK, WEEK)[WEEK]
    assert (depth.cases, depth.steps, depth.wider, depth.people) == (15, 2, 1, 1)
    assert store.depth.weekly_cases([pid], weeks[-1], WEEK) == {(pid, w): 15 for w in weeks}
    last = store.bar_requests.last_weeks(pid)
    assert sorted({v.week_start for v in last}, reverse=True) == weeks[:4] and last[0].week_start == WEEK
    assert store.readouts.exception_ratios([WEEK]) == {WEEK: 0.0}


def test_a_webhooks_name_is_taken_once_and_its_tests_go_with_it():
    store = FakeStore(fakes.a_playbook())
    added = hooks.add(store, "crm", "https://example.com/hook", None, ["support-replies"], OWNER, NOW)
    assert added.secret.startswith("whsec_") and added.webhook.playbooks == ["support-replies"]
    with pytest.raises(NameTaken):
        committed(store).webhooks.add("crm", "https://example.com/2", [], None, "s", OWNER, NOW)
    with pytest.raises(hooks.WebhookRefused, match="there is no playbook 'nothing'"):
        hooks.add(store, "other", "https://example.com/hook", None, ["nothing"], OWNER, NOW)
    hooks.send_test(store, "crm", NOW)
    [listed] = hooks.listing(store)
    assert (listed.webhook.name, listed.pending) == ("crm", 1)
    with pytest.raises(hooks.WebhookRefused, match="did you mean crm"):
        hooks.remove(store, "crn")
    hooks.remove(store, "crm")
    assert hooks.listing(store) == [] and store.held.webhook_tests == []


def test_a_revoked_token_is_no_token():
    store = FakeStore()
    store.held.tokens["h"] = ApiToken(id=1, name="warehouse", token_hash="h", playbooks=None, kinds=["kpi"])
    assert store.tokens.by_hash("h").name == "warehouse" and store.tokens.by_hash("x") is None
    store.held.tokens["h"].revoked_at = NOW
    assert store.tokens.by_hash("h") is None


def test_the_clock_names_the_people_and_channels_shown_never_named_first():
    state = fakes.a_playbook()
    services = fakes.services(state)
    services.directory.channel_names[state.playbook.channel_id] = "support"
    store = fakes.store_of(services)
    committed(store).reports.add_reports([new_report("kpi", state.playbook.id, WEEK, MEMBER, NOW, value=1.0)])
    committed(store).reports.add_reports(
        [new_report("kpi", state.playbook.id, WEEK, "token:warehouse", NOW, value=2.0)]
    )
    store.people.keep_names([(OWNER, "Olga", None)], NOW - timedelta(days=30))  # named long ago
    assert store.people.to_name(NOW - timedelta(days=7), None, 10) == [CURATOR, MEMBER, OWNER]
    services.directory.known[MEMBER] = Person(MEMBER, "Europe/Berlin", display_name="Mia")
    named = names.name_people_and_channels(store, None, services.directory, NOW, NOW)
    assert (named.people, named.channels) == (3, 1)
    assert store.people.names([MEMBER, OWNER]) == {MEMBER: "Mia"}  # Slack gave the owner no name now
    assert store.people.channel_names([state.playbook.channel_id]) == {state.playbook.channel_id: "support"}
    assert store.people.to_name(NOW - timedelta(days=7), None, 10) == []
    assert store.people.channels_to_name(NOW - timedelta(days=7), 10) == []
