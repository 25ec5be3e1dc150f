"""Named operational owners end to end (docs/playbooks.md, "Named operational owners"):
a playbook whose YAML names who owns its business rules and its model updates shows them
in status; when Slack calls one deactivated the curators are told once, and readiness's
ownership (as `/rollout publish` judges it) names the role. Signed requests and events,
the outbox to the Slack stand-in; SQLite and PostgreSQL. Who is told of whom is
tests/usecases/fast/test_people.py's."""

import copy
from datetime import date

import pytest

from cadence.definition import parse_playbook
from tests.committed import loaded
from tests.conftest import ADMIN, OWNER, SUPPORT_REPLIES, Engine
from usecases.shared.life import begin_cycle

RULES, MODELS = "UBIZRULES1", "UMODELS001"


@pytest.fixture
def named(store, clock):
    raw = copy.deepcopy(SUPPORT_REPLIES)
    raw["owners"] = {"business_rules": f"<@{RULES}>", "model_updates": MODELS}
    loaded(store, [parse_playbook(raw)], "UTC", actor="test", at=clock())
    state = store.playbooks.state("support-replies")
    begin_cycle(store, state.playbook.id, 1, date(2026, 11, 16), OWNER, clock())
    return store.playbooks.state("support-replies")


def _deactivated(bot, user):
    return bot.event({"type": "user_change", "user": {"id": user, "deleted": True, "is_bot": False}})


def test_a_deactivated_operational_owner_is_told_to_the_curators_once_and_readiness_names_it(
    bot, named, slack, engine, clock, store
):
    bot.command("curator add <@UADMIN0001|admin>", user=ADMIN)
    bot.command("curators-channel <#CCURATORS1|curators>", user=ADMIN)
    slack.add_channel("CCURATORS1", ["UADMIN0001", "UROLLOUTBOT"])
    status = bot.command("status support-replies").text
    assert f"business rules owner <@{RULES}>" in status and f"model updates owner <@{MODELS}>" in status
    assert "✅ Ownership" not in status  # readiness is judged at a cycle's close, not in status
    refused = bot.command("publish support-replies", user=ADMIN).text
    assert "✅ Ownership: the owner, the business rules owner and the model updates owner are active" in refused

    assert _deactivated(bot, RULES).status == 200
    _deactivated(bot, RULES)  # Slack may say it again: the curators hear once
    Engine(engine, slack, clock).dispatcher.drain(max_wait=0)
    [alert] = slack.posted("CCURATORS1")
    assert alert["text"] == "The business rules owner of support-replies is deactivated in Slack"
    assert f"its business rules owner <@{RULES}> is deactivated in Slack (deactivated)" in str(alert["blocks"])
    refused = bot.command("publish support-replies", user=ADMIN).text
    assert "❌ Ownership: the business rules owner is not an active Slack user" in refused
    assert store.registry.versions(playbook_id=named.playbook.id) == []
