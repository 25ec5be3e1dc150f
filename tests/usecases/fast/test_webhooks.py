"""Webhook subscriptions on the fakes (usecases/webhooks.py, `rollout webhook
add|list|remove|test`): what add refuses in one sentence and stores nothing of, which
events and playbooks a webhook is told of, a name taken, removal and a test event. The
command line as an operator runs it, and delivery, are tests/bot/test_webhooks_cli.py's."""

from __future__ import annotations

import pytest

from cadence import webhooks as events
from tests import fakes
from tests.fakes import NOW, FakeStore
from usecases import webhooks

BY = "cli:ops"
URL = "https://example.com/hook"


def store():
    return FakeStore(fakes.a_playbook(), fakes.a_playbook("support-triage"))


def add(held, name="crm", url=URL, wanted=None, playbooks=()):
    return webhooks.add(held, name, url, wanted, list(playbooks), BY, NOW)


@pytest.mark.parametrize(
    ("name", "url", "wanted", "playbooks", "said"),
    [
        ("CRM", URL, None, (), "'CRM': name a webhook with lowercase letters, digits and '-'"),
        ("-crm", URL, None, (), "name a webhook with lowercase letters"),
        ("c" * 41, URL, None, (), "at most 40 characters"),
        ("crm", "http://example.com/hook", None, (), "only https:// URLs"),
        ("crm", "ftp://example.com/hook", None, (), "starts with https://"),
        ("crm", "https://user:pw@example.com/hook", None, (), "credentials"),
        ("crm", "https://example.com:port/hook", None, (), "is not a URL"),
        ("crm", URL, ["week_closed", "nonsense"], (), "nonsense: the events are week_closed, mode_changed"),
        ("crm", URL, [], (), "--events names no event: leave it out for all of them"),
        ("crm", URL, None, ("support-replie",), "there is no playbook 'support-replie' (did you mean support-replies"),
        ("crm", URL, None, ("zzz",), "there is no playbook 'zzz'"),
    ],
)
def test_add_refuses_in_one_sentence_and_stores_nothing(name, url, wanted, playbooks, said):
    held = store()
    with pytest.raises(webhooks.WebhookRefused) as raised:
        add(held, name, url, wanted, playbooks)
    assert said in str(raised.value)
    assert held.held.webhooks == {} and held.commits() == 0


def test_a_webhook_is_told_every_event_on_every_playbook_unless_it_says_which():
    every = add(store()).webhook
    assert (every.events, every.playbooks, every.url, every.created_by) == (list(events.EVENTS), None, URL, BY)


def test_the_events_and_playbooks_asked_for_are_kept_in_order_once():
    held = store()
    added = add(
        held, wanted=["stalled", "week_closed"], playbooks=("support-triage", "support-replies", "support-triage")
    )
    assert added.webhook.events == ["week_closed", "stalled"]  # the events' own order
    assert added.webhook.playbooks == ["support-replies", "support-triage"]
    assert held.commits() == 1


def test_http_to_this_machine_is_for_testing():
    assert add(store(), url="http://127.0.0.1:8080/hook").webhook.url == "http://127.0.0.1:8080/hook"


def test_each_webhook_has_its_own_secret_in_standard_webhooks_form():
    held = store()
    first, second = add(held).secret, add(held, "erp").secret
    assert first.startswith("whsec_") and len(first) == len("whsec_") + 44 and first != second


def test_a_name_is_taken_until_the_webhook_is_removed():
    held = store()
    add(held)
    with pytest.raises(webhooks.WebhookRefused) as raised:
        add(held, url="https://example.com/other")
    assert "a webhook named 'crm' exists: remove it first, or choose another name" in str(raised.value)
    assert held.held.webhooks["crm"].url == URL
    webhooks.remove(held, "crm")
    assert add(held, url="https://example.com/other").webhook.url == "https://example.com/other"


@pytest.mark.parametrize(
    ("name", "said"),
    [("crn", "there is no webhook 'crn' (did you mean crm?)"), ("zzz", "(`rollout webhook list` shows them)")],
)
def test_removing_or_testing_no_such_webhook_names_the_close_ones(name, said):
    held = store()
    add(held)
    for call in (lambda: webhooks.remove(held, name), lambda: webhooks.send_test(held, name, NOW)):
        with pytest.raises(webhooks.WebhookRefused) as raised:
            call()
        assert said in str(raised.value)
    assert list(held.held.webhooks) == ["crm"] and held.held.webhook_tests == []


def test_a_test_event_waits_with_the_webhooks_deliveries_and_goes_with_it():
    held = store()
    hook = add(held).webhook
    event_id = webhooks.send_test(held, "crm", NOW)
    assert held.held.webhook_tests == [(event_id, hook.id, NOW)]
    [listed] = webhooks.listing(held)
    assert listed.webhook.name == "crm"
    webhooks.remove(held, "crm")
    assert held.held.webhooks == {} and held.held.webhook_tests == [] and webhooks.listing(held) == []
