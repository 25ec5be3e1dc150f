"""`/rollout`'s replies as a person reads them (handlers/commands.py's `answer`), on the
fakes: reports recorded and shown in status, each refusal ephemeral with its usage and
nothing stored, status here and elsewhere, escaping, undo. Slack's side (membership
lookups, rate limits, a slow Slack) and a report judged again after another process
changed the playbook are tests/handlers/test_commands.py's, through signed requests."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any, cast

import pytest

from handlers import commands
from tests import fakes
from tests.fakes import CHANNEL, MEMBER, OUTSIDER, OWNER

WEDNESDAY = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # week 1 of cycle 1, from Monday 16 November


def world(**more: Any):
    state = fakes.a_playbook(cycle_started=date(2026, 11, 16), org_timezone="UTC")
    return fakes.services(state, now=WEDNESDAY, curators=(), **more)


def said(services, text: str, user: str = MEMBER, channel: str = CHANNEL) -> dict[str, Any]:
    """The reply to `/rollout text`, as Slack gets it."""
    command = {"text": text, "user_id": user, "channel_id": channel, "trigger_id": "1.2.abcd"}
    reply, _ = commands.answer(services, cast(Any, None), command)
    assert reply is not None, "a form opened"
    return reply


def text(reply: dict[str, Any]) -> str:
    return json.dumps(reply, ensure_ascii=False)


def assert_refused(reply, *phrases):
    assert reply["response_type"] == "ephemeral"
    shown = text(reply)
    assert ":warning:" in shown
    for phrase in phrases:
        assert phrase in shown, shown


def test_owner_logs_exceptions_cases_and_rubric():
    services = world()
    assert "Exception logged on step *send*" in text(
        said(services, "exception support-replies send refund > limit", OWNER)
    )
    assert "*20* cases on step *send*" in text(said(services, "cases support-replies send 20", OWNER))
    assert "*93.0%*" in text(said(services, "rubric support-replies draft 93%", OWNER))
    assert "below the floor" in text(said(services, "rubric support-replies draft 0.5", OWNER))
    kinds = [r.kind for r in fakes.store_of(services).held.reports.rows]
    assert (kinds.count("exception"), kinds.count("cases"), kinds.count("rubric")) == (1, 1, 2)
    status = text(said(services, "status support-replies", OWNER))
    assert "20 cases · 1 exception = 5% (95% CI 1–24%, cap 10%)" in status  # the interval: issue 42
    assert "rubric 50% (threshold 90%)" in status


@pytest.mark.parametrize(
    ("words", "user", "phrases"),
    [
        ("kpi support-replies 14,5", MEMBER, ["uses a comma", "e.g. 14.5"]),
        ("kpi support-replies NaN", MEMBER, ["is not a number"]),
        ("kpi support-replies infinity", MEMBER, ["is not a number"]),
        ("kpi suport-replies 14", MEMBER, ["There is no playbook “suport-replies”", "Did you mean *support-replies*"]),
        ("kpi support-replies 14", OUTSIDER, ["Only members of <#CTEAM00001>"]),
        ("attest support-replies yes", OUTSIDER, ["Only members of <#CTEAM00001>"]),
        ("attest support-replies no drafts oops", MEMBER, ["no step “drafts”", "Did you mean *draft*"]),
        ("attest support-replies yes week:2", MEMBER, ["in the future"]),
        ("cases support-replies draft -3", OWNER, ["can't be negative"]),
        ("cases support-replies draft 12", MEMBER, ["Only the owner of support-replies (<@UOWNER0001>) or a curator"]),
        ("cases support-replies snd 12", OWNER, ["no step “snd”", "Did you mean *send*"]),
        ("rubric support-replies draft 130%", OWNER, ["can't be above 100%"]),
        ("exception support-replies send", OWNER, ["a playbook, a step and a reason"]),
        ("exception support-replies send because", MEMBER, ["Only the owner"]),
        ("curator add <@UCURATOR1>", OWNER, ["Only admins"]),
        ("curators-channel <#CCURATORS|curators>", OWNER, ["Only admins"]),
        ("cycle start support-replies", MEMBER, ["Only the owner"]),
        ("cycle start support-replies", OWNER, ["is in week 1 of cycle 1"]),
        ("promote support-replies", MEMBER, ["I don't know the subcommand “promote”"]),
        ("attest support-replies yes " + "x" * 3000, MEMBER, ["characters long; I accept at most 2,000"]),
    ],
)
def test_refusals_store_nothing(words, user, phrases):
    services = world()
    store = fakes.store_of(services)
    reply = said(services, words, user)
    assert_refused(reply, *phrases)
    assert "Usage:" in text(reply)
    assert store.held.reports.rows == [] and store.held.decisions == [] and store.commits() == 0


def test_status_in_the_team_channel_needs_no_argument():
    assert "*Cycle 1, week 1*" in text(said(world(), "status"))


def test_status_elsewhere_lists_playbooks():
    shown = text(said(world(), "status", channel="COTHER0001"))
    assert "1 playbook" in shown and "*support-replies*" in shown and "cycle 1, week 1" in shown


def test_user_text_cannot_ping_anyone():
    services = world()
    reply = text(
        said(services, "exception support-replies send <!channel> &lt;!here&gt; <@UOWNER0001|owner> &amp;", OWNER)
    )
    assert "<!" not in reply and "<@UOWNER0001>" not in reply
    assert "@channel &lt;!here&gt; @owner &amp;" in reply
    assert "<!channel>" not in text(said(services, "kpi &lt;!channel&gt; 3"))


def test_undo_withdraws_the_latest_report_and_says_what_counts_now():
    services = world()
    assert "Recorded" in text(said(services, "kpi support-replies 20"))
    assert "Recorded" in text(said(services, "kpi support-replies 18.5"))
    reply = text(said(services, "undo support-replies"))
    assert "Withdrew your KPI reading (First-response time = 18.5 min)" in reply
    assert "What counts now: First-response time = 20 min (your earlier report)" in reply
    reply = text(said(services, "undo support-replies"))
    assert "First-response time = 20 min" in reply and "Nothing counts for that week now" in reply
    assert_refused(said(services, "undo support-replies"), "nothing to undo")
    readings = fakes.store_of(services).held.reports.rows
    assert [(r.values["value"], r.values["undone_by"]) for r in readings] == [(20.0, MEMBER), (18.5, MEMBER)]
    assert all(r.withdrawn and r.values["undone_at"] is not None for r in readings)
    assert "none yet" in text(said(services, "status support-replies"))  # this week's KPI
