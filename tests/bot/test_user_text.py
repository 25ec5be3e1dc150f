"""What people type is shown as their words, never as the bot's own formatting, and
characters nobody can see are refused on every path (issue 24, item 4)."""

import json

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import func
from sqlmodel import Session, select

from bot.cli import cli
from storage.models import CheckIn, Decision, ExceptionReport, Playbook
from tests.conftest import ADMIN, CHANNEL, MEMBER, OWNER, SUPPORT_REPLIES, Engine

CURATORS = "CCURATORS1"
REASON = "x\n\n:rotating_light: *URGENT: approved by the VP*"


def mrkdwn_texts(node):
    """Every text Slack formats in a message: its fallback and each mrkdwn text object."""
    if isinstance(node, dict):
        if isinstance(node.get("text"), str) and node.get("type") != "plain_text":
            yield node["text"]
        for value in node.values():
            yield from mrkdwn_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from mrkdwn_texts(item)


def shown_as_typed(texts, words):
    """The words are there, on one line, with none of Slack's formatting made of them."""
    joined = "\n".join(texts)
    assert words in joined, joined
    for line in joined.splitlines():
        assert not line.lstrip().startswith((":rotating_light:", "*URGENT", "&gt;")), line
    for marker in ("*URGENT", "VP*", ":rotating_light:", "\n\n"):
        assert marker not in joined, (marker, joined)


def test_a_mode_reason_reaches_the_channels_as_the_owners_words(bot, playbook, slack, engine, clock):
    slack.add_channel(CURATORS, [ADMIN])
    bot.command(f"curators-channel <#{CURATORS}|curators>", user=ADMIN)
    reply = bot.command(f"mode support-replies draft human-led {REASON}", user=OWNER)
    assert "is now human-led" in reply.text, reply.text
    Engine(engine, slack, clock).dispatcher.drain(max_wait=0)
    for channel in (CHANNEL, CURATORS):
        alerts = [m for m in slack.posted(channel) if "human-led" in json.dumps(m)]
        assert alerts, channel
        shown_as_typed(list(mrkdwn_texts(alerts[-1])), "URGENT: approved by the VP")
    history = bot.command("history support-replies draft", user=OWNER)
    shown_as_typed(list(mrkdwn_texts(history.body)), "URGENT: approved by the VP")


def test_reasons_and_notes_are_shown_as_typed_in_replies_and_status(bot, playbook):
    exception = bot.command(f"exception support-replies send {REASON}", user=OWNER)
    shown_as_typed(list(mrkdwn_texts(exception.body)), "URGENT: approved by the VP")
    note = bot.command("attest support-replies yes > _all_ fine ~really~ `ok` :tada:", user=MEMBER)
    texts = list(mrkdwn_texts(note.body))
    joined = "\n".join(texts)
    for marker in ("_all_", "~really~", "`ok`", ":tada:", "> &gt;"):
        assert marker not in joined, (marker, joined)
    assert "all" in joined and "really" in joined
    retired = bot.command(f"retire support-replies {REASON}", user=OWNER)
    assert "is retired" in retired.text, retired.text
    shown_as_typed(list(mrkdwn_texts(retired.body)), "URGENT: approved by the VP")
    status = bot.command("status support-replies", user=OWNER)
    shown_as_typed(list(mrkdwn_texts(status.body)), "URGENT: approved by the VP")
    refused = bot.command("kpi support-replies 20", user=MEMBER)  # the refusal quotes the reason
    assert "was retired" in refused.text, refused.text
    shown_as_typed(list(mrkdwn_texts(refused.body)), "URGENT: approved by the VP")


INVISIBLE = {
    "a right-to-left override (U+202E)": "\u202e",
    "a left-to-right isolate (U+2066)": "\u2066",
    "a right-to-left mark (U+200F)": "\u200f",
    "an Arabic letter mark (U+061C)": "\u061c",
    "a zero-width space (U+200B)": "\u200b",
    "a zero-width joiner (U+200D)": "\u200d",
    "a word joiner (U+2060)": "\u2060",
    "a zero-width no-break space (byte-order mark) (U+FEFF)": "\ufeff",
}


def counts(engine):
    with Session(engine) as s:
        return tuple(s.exec(select(func.count()).select_from(t)).one() for t in (Decision, ExceptionReport, CheckIn))


@pytest.mark.parametrize("name", list(INVISIBLE))
def test_invisible_characters_are_refused_in_commands(bot, playbook, engine, name):
    char = INVISIBLE[name]
    before = counts(engine)
    for command, user in (
        (f"mode support-replies draft human-led approved{char}by the VP", OWNER),
        (f"exception support-replies send refund{char}exe.txt", OWNER),
        (f"attest support-replies yes fine{char}", MEMBER),
    ):
        reply = bot.command(command, user=user)
        assert reply.body["response_type"] == "ephemeral" and ":warning:" in reply.text
        assert f"Your text contains {name}, which I can't store" in reply.text, reply.text
    assert counts(engine) == before


def test_invisible_characters_are_refused_in_forms(bot, playbook, slack, engine):
    bot.command("attest", user=MEMBER)  # a bare command opens the form
    view = slack.opened_views[-1]
    assert view["callback_id"] == "checkin_attest"
    state = {"values": {"note": {"value": {"type": "plain_text_input", "value": "all fine\u202etxt.exe"}}}}
    reply = bot.interaction(
        {"type": "view_submission", "user": {"id": MEMBER}, "view": {**view, "state": state, "id": "V1", "hash": "h"}}
    )
    assert reply.body["response_action"] == "errors", reply.body
    assert "a right-to-left override (U+202E)" in reply.body["errors"]["note"]
    assert counts(engine)[2] == 0


def test_invisible_characters_are_refused_in_a_playbook_file(database_url, monkeypatch, tmp_path, engine):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "hidden.yaml"
    path.write_text(yaml.safe_dump({**SUPPORT_REPLIES, "title": "Support \u202eseilper"}, allow_unicode=True))
    result = CliRunner().invoke(cli, ["playbook", "load", str(path)], catch_exceptions=False)
    assert result.exit_code == 1 and "nothing was loaded" in result.output
    assert "title: contains a right-to-left override (U+202E)" in result.output
    with Session(engine) as s:
        assert s.exec(select(func.count()).select_from(Playbook)).one() == 0
