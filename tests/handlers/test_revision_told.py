"""Issue 69, item 6: changes are told. A revision applied with `/rollout edit` is posted
to the team channel (through the outbox, as Slack's Web API stand-in records it) once for
a submission Slack sends twice, signed the same or anew (the rest of what is told:
tests/usecases/fast/test_revision_told.py)."""

import json
from urllib.parse import urlencode

from sqlmodel import Session, select

from bot.demo.standin.slack_requests import view_identity
from bot.demo.standin.workspace import APP_ID, TEAM_ID
from storage.models.bookkeeping import OutboxMessage
from storage.models.governance import Decision
from tests.conftest import CHANNEL, OWNER
from tests.handlers.test_forms import deliver
from tests.handlers.test_playbook_form import open_edit, shown, state_of


def told(slack) -> list[str]:
    """The revisions the team channel was told of, as its messages' JSON."""
    return [json.dumps(m, ensure_ascii=False) for m in slack.posted(CHANNEL) if "was revised" in json.dumps(m)]


def submission(view, values, user=OWNER):
    """A view_submission as Slack sends it: the same view id and hash each time it is sent."""
    return {
        "type": "view_submission",
        "user": {"id": user},
        "view": {**view, "state": {"values": state_of(view, values)}},
    }


def test_an_edit_is_told_once_with_what_when_who_and_why(bot, slack, engine, clock, playbook):
    view = {**open_edit(bot, slack), **view_identity()}
    steps = shown(view)["steps"] + "\nverify: human-led"
    values = {**shown(view), "cap": "5%", "steps": steps, "why": "refunds <b>hold</b> us to less"}
    body = submission(view, values)
    # Slack's replay is the same request, signature and timestamp included (signing each
    # send anew would make it a second submission whenever a second ticks between them)
    raw = urlencode({"payload": json.dumps({"team": {"id": TEAM_ID}, "api_app_id": APP_ID, "token": "x", **body})})
    headers = bot.signed_headers(raw)
    assert bot.post("/slack/events", raw, headers).body["response_action"] == "update"
    again = bot.post("/slack/events", raw, headers)
    assert again.status == 200 and not again.body
    # and the same form sent again, signed anew: a replay within the second, else nothing
    # changed; either way nothing more is stored or told (below)
    third = bot.interaction(body)
    assert not third.body or "nothing changed" in third.text
    deliver(engine, slack, clock)

    [post] = told(slack)
    assert "exception cap 10% → 5%" in post and "step verify added, human-led" in post
    assert "refunds &lt;b&gt;hold&lt;/b&gt; us to less" in post  # why, escaped
    assert "from the week of *2026-11-16* (cycle 1, week 1)" in post  # the open week
    assert f"by <@{OWNER}>" in post  # who, by name
    with Session(engine) as s:
        revision = s.exec(select(Decision).where(Decision.kind == "playbook-changed")).one()
        keys_sent = [m.key for m in s.exec(select(OutboxMessage)).all() if m.key.startswith("revised:")]
    assert keys_sent == [f"revised:{playbook.playbook.id}:{revision.id}"]  # keyed by the revision's row


def test_the_same_form_sent_again_a_second_later_says_nothing_changed(bot, slack, engine, clock, playbook):
    """Issue 78's stale check comes first, but the form that made the change, sent again in
    a later second (a new signature), is not someone else's change: nothing changed."""
    import time

    view = {**open_edit(bot, slack), **view_identity()}
    values = {**shown(view), "cap": "5%", "why": "refunds hold us to less"}
    body = submission(view, values)
    raw = urlencode({"payload": json.dumps({"team": {"id": TEAM_ID}, "api_app_id": APP_ID, "token": "x", **body})})
    now = int(time.time())
    assert bot.post("/slack/events", raw, bot.signed_headers(raw, now)).body["response_action"] == "update"
    again = bot.post("/slack/events", raw, bot.signed_headers(raw, now + 2))  # a later second: signed anew
    assert again.status == 200 and (not again.body or "nothing changed" in again.text), again.text
    deliver(engine, slack, clock)
    assert len(told(slack)) == 1
