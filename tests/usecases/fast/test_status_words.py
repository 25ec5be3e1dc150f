"""`/rollout status` of one playbook as it words it (usecases/status.py, worded by
handlers/present_status.py): modes, the cycle and week, the KPI, cases and check-ins; who
deviated and why for the owner, only the counts and their own for a member; a check-in's
reply, and each member's latest check-in counting. A status asked through Slack is
tests/handlers/test_commands.py's."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from handlers import present_status, replies
from tests import fakes
from tests.fakes import MEMBER, OWNER
from usecases import commands, status
from usecases.shared import messages

SLUG = "support-replies"
WEDNESDAY = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # week 1 of cycle 1, from Monday 16 November


def world():
    return fakes.services(fakes.a_playbook(cycle_started=date(2026, 11, 16)), now=WEDNESDAY)


def shown(services, user=MEMBER) -> str:
    """The status `user` reads, as Slack gets it."""
    found = status.status(fakes.caller(services, user), messages.Status(SLUG))
    return json.dumps(present_status.status(found), ensure_ascii=False)


def test_status_shows_modes_cycle_week_kpi_cases_and_checkins():
    services = world()
    member, owner = fakes.caller(services, MEMBER), fakes.caller(services, OWNER)
    commands.kpi(member, messages.Kpi(SLUG, 30))
    commands.kpi(owner, messages.Kpi(SLUG, 28))
    commands.attest(member, messages.Attest(SLUG, True, None, None, None))
    commands.cases(owner, messages.Cases(SLUG, "send", 40))
    text = shown(services)
    for phrase in [
        "Support reply drafting",
        "*Cycle 1, week 1* (2026-11-16 to 2026-11-22)",
        "Pick the workflow",
        "*28 min*, 52% of the way from baseline 42 min to target 15 min",
        "(latest of 2 reports)",
        "*draft* · collaborative",
        "*send* · ai-led",
        "*refunds* · human-led · pinned",
        "40 cases",
        "no case count yet",
        "1 (1 followed the mode map, 0 deviated). *Yours:* followed the mode map.",
    ]:
        assert phrase in text, phrase
    assert "1 (1 followed the mode map, 0 deviated): <@UMEMBER001>" in shown(services, OWNER)


def test_status_shows_the_owner_who_deviated_and_why_and_a_member_only_counts():
    services = world()
    member, owner = fakes.caller(services, MEMBER), fakes.caller(services, OWNER)
    commands.attest(member, messages.Attest(SLUG, False, "send", "the model was down all morning", None))
    commands.exception(owner, messages.LogException(SLUG, "draft", "customer asked for a human"))
    owner_view = shown(services, OWNER)
    assert "*send*: deviation by <@UMEMBER001>: “the model was down all morning”" in owner_view
    assert "*draft*: exception by <@UOWNER0001>: “customer asked for a human”" in owner_view
    member_view = shown(services)
    assert "customer asked for a human" not in member_view and "exception by" not in member_view
    assert "1 (0 followed the mode map, 1 deviated)" in member_view
    assert "*Yours:* deviated on send: “the model was down all morning”" in member_view
    commands.undo(owner, messages.Undo(SLUG))  # a withdrawn exception leaves the list
    assert "customer asked for a human" not in shown(services, OWNER)


def attest(caller, cmd) -> str:
    """The check-in recorded, and the reply as Slack gets it."""
    return json.dumps(replies.attest(caller, cmd, commands.attest(caller, cmd)), ensure_ascii=False)


def test_attestations_latest_wins_and_deviations_count_as_exceptions():
    services = world()
    member = fakes.caller(services, MEMBER)
    assert "you ran *support-replies* by its mode map" in attest(
        member, messages.Attest(SLUG, True, None, "all good", None)
    )
    reply = attest(member, messages.Attest(SLUG, False, "draft", "Draft model was down", None))
    assert "deviation on step *draft* (collaborative)" in reply and "Draft model was down" in reply
    commands.cases(fakes.caller(services, OWNER), messages.Cases(SLUG, "draft", 10))
    text = shown(services)
    assert "1 (0 followed the mode map, 1 deviated)" in text
    assert "1 exception (1 from check-ins) = 10% (95% CI 2–40%, cap 10%)" in text  # the interval: issue 42
