"""What people type is shown as their words, never as the bot's own formatting, and
characters nobody can see are refused on every path (issue 24, item 4): every character
of Unicode categories Cc (but the line breaks a field allows), Cf, Co and Cn, and the
filler characters, named as `U+3164 HANGUL FILLER`, with nothing stored: a signed slash
command, each form, a learning, the reporting API's reports, a playbook file (item 8)."""

import copy
import json

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import func
from sqlmodel import Session, select

from bot.cli import cli
from bot.demo.standin.slack_requests import view_identity
from storage.models.governance import Decision
from storage.models.playbooks import Playbook
from storage.models.reports import CheckIn, ExceptionReport, KpiReading, Learning
from tests.bot.test_api import NOW, Client
from tests.conftest import ADMIN, CHANNEL, MEMBER, OWNER, SUPPORT_REPLIES, Engine, past_the_database
from usecases import tokens

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


# One of each kind the check refuses, as the refusal names it.
INVISIBLE = {
    "U+3164 HANGUL FILLER": "\u3164",
    "U+115F HANGUL CHOSEONG FILLER": "\u115f",
    "U+FFA0 HALFWIDTH HANGUL FILLER": "\uffa0",
    "U+2800 BRAILLE PATTERN BLANK": "\u2800",
    "U+202E RIGHT-TO-LEFT OVERRIDE": "\u202e",
    "U+2066 LEFT-TO-RIGHT ISOLATE": "\u2066",
    "U+061C ARABIC LETTER MARK": "\u061c",
    "U+200B ZERO WIDTH SPACE": "\u200b",
    "U+200D ZERO WIDTH JOINER": "\u200d",
    "U+FEFF ZERO WIDTH NO-BREAK SPACE": "\ufeff",
    "U+2062 INVISIBLE TIMES": "\u2062",
    "U+00AD SOFT HYPHEN": "\u00ad",
    "U+E0041 TAG LATIN CAPITAL LETTER A": "\U000e0041",
    "U+E000 (private use)": "\ue000",
    "U+0378 (unassigned)": "\u0378",
    "U+0000 (control)": "\x00",
    "U+0007 (control)": "\x07",
    "U+0009 (control)": "\t",
}
SOME = ["U+3164 HANGUL FILLER", "U+2062 INVISIBLE TIMES", "U+E000 (private use)", "U+0009 (control)"]
STORED = (Decision, ExceptionReport, CheckIn, KpiReading, Learning)


def counts(engine):
    with Session(engine) as s:
        return tuple(s.exec(select(func.count()).select_from(t)).one() for t in STORED)


def refused_in_slack(reply, name):
    assert reply.body["response_type"] == "ephemeral" and ":warning:" in reply.text, reply.text
    assert f"Your text contains {name}, which I can't store" in reply.text, reply.text


@pytest.mark.one_database  # refused before anything is stored: the same on both databases (the texts that are stored run on both)
@pytest.mark.parametrize("name", list(INVISIBLE))
def test_invisible_characters_are_refused_in_signed_slash_commands(bot, playbook, engine, name):
    char = INVISIBLE[name]
    before = counts(engine)
    for command, user in (
        (f"mode support-replies draft human-led approved{char}by the VP", OWNER),
        (f"exception support-replies send refund{char}exe.txt", OWNER),
        (f"attest support-replies yes fine{char}", MEMBER),
        (f"attest support-replies no draft the model{char} was down", MEMBER),
        (f"learn support-replies Quote{char} the policy", MEMBER),
        (f"kpi support-replies 18.5{char}", MEMBER),
        (f"status support-replies{char}", MEMBER),
    ):
        refused_in_slack(bot.command(command, user=user), name)
    assert counts(engine) == before


def test_a_command_may_hold_line_breaks_in_its_text(bot, playbook, engine):
    reply = bot.command("learn support-replies Quote the policy\r\nand link it", user=MEMBER)
    assert "Added to" in reply.text, reply.text
    with Session(engine) as s:
        assert s.exec(select(Learning.text)).one() == "Quote the policy\r\nand link it"


SEPARATORS = {"U+2028 LINE SEPARATOR": "\u2028", "U+2029 PARAGRAPH SEPARATOR": "\u2029"}
AS_BREAKS = {"\u2028": "\n", "\u2029": "\n\n"}  # what each is stored as where a text takes lines


@pytest.mark.parametrize("name", list(SEPARATORS))
def test_unicodes_line_separators_are_line_breaks_in_a_commands_text(bot, playbook, engine, name):
    """Issue 54, item 18: U+2028 and U+2029 are the line breaks they stand for in a
    command's text (a learning, a reason), and stored as such."""
    char = SEPARATORS[name]
    reply = bot.command(f"learn support-replies Quote the policy{char}and link it", user=MEMBER)
    assert "Added to" in reply.text, reply.text
    reply = bot.command(f"exception support-replies send refund{char}over the limit", user=OWNER)
    assert ":warning:" not in reply.text, reply.text
    with Session(engine) as s:
        assert s.exec(select(Learning.text)).one() == f"Quote the policy{AS_BREAKS[char]}and link it"
        assert s.exec(select(ExceptionReport.reason)).one() == f"refund{AS_BREAKS[char]}over the limit"


def submit(bot, view, user, values):
    state = {"values": {block: {"value": element} for block, element in values.items()}}
    return bot.interaction(
        {"type": "view_submission", "user": {"id": user}, "view": {**view, "state": state, **view_identity()}}
    )


def text_input(value):
    return {"type": "plain_text_input", "value": value}


@pytest.fixture
def form(bot, playbook, slack):
    """The attest form a bare `/rollout attest` opens, as Slack holds it; the other
    check-in forms carry the same metadata under their own callback id."""
    bot.command("attest", user=MEMBER)
    view = slack.opened_views[-1]
    assert view["callback_id"] == "checkin_attest"
    return view


def learning_form(playbook):
    from cadence import keys

    return {
        "type": "modal",
        "callback_id": "learning_add",
        "private_metadata": keys.checkin_button(playbook.playbook.id, playbook.anchor.starts_on),
    }


FORM_FIELDS = {  # a form's field with the character in it, and its other fields
    "attest note": ("checkin_attest", "note", lambda c: {"note": text_input(f"all fine{c}txt.exe")}),
    "deviation reason": (
        "checkin_deviation",
        "reason",
        lambda c: {
            "step": {"type": "static_select", "selected_option": {"value": "draft"}},
            "reason": text_input(f"the model{c} was down"),
        },
    ),
    "kpi value": ("checkin_kpi", "value", lambda c: {"value": text_input(f"18.5{c}")}),
    "learning": ("learning_add", "text", lambda c: {"text": text_input(f"Quote{c} the policy")}),
}


@pytest.mark.one_database  # refused before anything is stored: the same on both databases (the texts that are stored run on both)
@pytest.mark.parametrize("field", list(FORM_FIELDS))
@pytest.mark.parametrize("name", SOME)
def test_invisible_characters_are_refused_in_forms(bot, form, playbook, engine, field, name):
    callback, block, values = FORM_FIELDS[field]
    view = learning_form(playbook) if callback == "learning_add" else {**form, "callback_id": callback}
    before = counts(engine)
    reply = submit(bot, view, OWNER if callback == "learning_add" else MEMBER, values(INVISIBLE[name]))
    assert reply.body["response_action"] == "errors", reply.body
    assert f"Your text contains {name}, which I can't store" in reply.body["errors"][block], reply.body
    assert counts(engine) == before


def test_line_breaks_pass_in_a_forms_text_fields_and_nowhere_else(bot, form, playbook, engine):
    reply = submit(bot, form, MEMBER, {"note": text_input("all fine\nreally")})
    assert reply.status == 200 and not reply.body, reply.body
    reply = submit(bot, learning_form(playbook), OWNER, {"text": text_input("Quote the policy\r\nand link it")})
    assert reply.status == 200 and not reply.body, reply.body
    kpi = {**form, "callback_id": "checkin_kpi"}
    reply = submit(bot, kpi, MEMBER, {"value": text_input("18.5\n")})
    assert "Your text contains U+000A (control)" in reply.body["errors"]["value"], reply.body
    assert counts(engine)[2:] == (1, 0, 1)  # the note and the learning; no KPI reading


@pytest.fixture
def api(bot, playbook, store, clock):
    clock.set(NOW)
    created = tokens.create(store, "helpdesk", ["support-replies"], ["kpi", "exception", "event"], False, "test", NOW)
    return Client(bot.base_url, created.token)


API_FIELDS = {  # a report with the character in one field
    "reason": lambda c: {"kind": "exception", "step": "send", "reason": f"refund{c}exe.txt"},
    "key": lambda c: {"kind": "kpi", "value": 14.5, "key": f"export{c}2026-11-18"},
    "step": lambda c: {"kind": "exception", "step": f"send{c}", "reason": "refund"},
    "event": lambda c: {"kind": "event", "event": f"refund{c}"},
    "playbook": lambda c: {"kind": "kpi", "value": 14.5, "playbook": f"support-replies{c}"},
}


@pytest.mark.one_database  # refused before anything is stored: the same on both databases (the texts that are stored run on both)
@pytest.mark.parametrize("field", list(API_FIELDS))
@pytest.mark.parametrize("name", SOME)
def test_invisible_characters_are_refused_in_api_reports(api, engine, field, name):
    report = {"playbook": "support-replies", **API_FIELDS[field](INVISIBLE[name])}
    before = counts(engine)
    for body in (report, {"reports": [{"playbook": "support-replies", "kind": "kpi", "value": 14}, report]}):
        status, answer, _ = api.post(body)
        assert status == 422, answer
        problem = answer["errors"][0]
        assert problem["field"] == field and problem["index"] == (0 if body is report else 1), answer
        assert f"contains {name}, which can't be stored" in problem["message"], answer
    assert counts(engine) == before


@pytest.mark.parametrize("name", list(SEPARATORS))
def test_unicodes_line_separators_are_line_breaks_in_a_forms_text_fields_and_refused_elsewhere(
    bot, form, playbook, engine, name
):
    char = SEPARATORS[name]
    kpi = {**form, "callback_id": "checkin_kpi"}
    reply = submit(bot, kpi, MEMBER, {"value": text_input(f"18.5{char}")})
    assert f"Your text contains {name}, which I can't store" in reply.body["errors"]["value"], reply.body
    reply = submit(bot, form, MEMBER, {"note": text_input(f"all fine{char}really")})
    assert reply.status == 200 and not reply.body, reply.body
    with Session(engine) as s:
        assert s.exec(select(CheckIn.note)).one() == f"all fine{AS_BREAKS[char]}really"
        assert s.exec(select(func.count()).select_from(KpiReading)).one() == 0


@pytest.mark.parametrize("name", list(SEPARATORS))
def test_unicodes_line_separators_are_line_breaks_in_an_api_reason_and_refused_elsewhere(api, engine, name):
    char = SEPARATORS[name]
    for field in ("key", "step", "event", "playbook"):
        status, answer, _ = api.post({"playbook": "support-replies", **API_FIELDS[field](char)})
        assert status == 422 and answer["errors"][0]["field"] == field, answer
        assert f"contains {name}, which can't be stored" in answer["errors"][0]["message"], answer
    status, answer, _ = api.post({"playbook": "support-replies", **API_FIELDS["reason"](char)})
    assert status == 201, answer
    with Session(engine) as s:
        assert s.exec(select(ExceptionReport.reason)).one() == f"refund{AS_BREAKS[char]}exe.txt"


def test_an_api_reason_may_hold_line_breaks_and_a_key_may_not(api, engine):
    exception = {"playbook": "support-replies", "kind": "exception", "step": "send", "reason": "refund\r\nover"}
    status, answer, _ = api.post({**exception, "key": "a\nb"})
    assert status == 422 and answer["errors"][0]["field"] == "key", answer
    assert "contains U+000A (control)" in answer["errors"][0]["message"]
    status, answer, _ = api.post(exception)
    assert status == 201, answer
    with Session(engine) as s:
        assert s.exec(select(ExceptionReport.reason)).one() == "refund\r\nover"


# ---- a refusal quotes people: escaped for Slack, as sent for the API and the command line ----

HOSTILE = "<!channel> & *bold*"
AS_SLACK_SENDS_IT = "&lt;!channel&gt; &amp; *bold*"  # what a person typed, in a slash command's text


def test_one_refusal_quotes_a_reason_for_slack_escaped_and_for_the_api_and_command_line_as_typed(
    api, bot, database_url, monkeypatch, tmp_path
):
    assert "is retired" in bot.command(f"retire support-replies {AS_SLACK_SENDS_IT}", user=OWNER).text
    sentence = (
        "support-replies was retired on 2026-11-18: “{}”. Its history, status and registry versions stay readable."
    )
    # Slack: the `retired` refusal, its value escaped and its asterisks look-alikes (nothing pings, nothing is bold)
    slack_text = bot.command("kpi support-replies 20", user=MEMBER).text
    assert sentence.format("&lt;!channel&gt; &amp; \u2217bold\u2217") in slack_text, slack_text
    assert "<!channel>" not in slack_text and "*bold*" not in slack_text
    # the reporting API: the same refusal, plainly, the reason as typed
    status, answer, _ = api.post({"playbook": "support-replies", "kind": "kpi", "value": 14.5})
    assert status == 422, answer
    assert answer["errors"] == [{"index": 0, "field": "week", "message": sentence.format(HOSTILE)}]
    # the command line: the same, plainly
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["cycle", "start", "support-replies"], catch_exceptions=False)
    assert result.exit_code == 1 and past_the_database(result.output) == f"Error: {sentence.format(HOSTILE)}\n", (
        result.output
    )


def test_a_name_that_matches_nothing_is_quoted_as_slack_needs_it_and_to_the_api_as_sent(api, bot):
    """The names of a slash command are read as typed at Slack's edge (the grammar), the
    API's as sent: a refusal quotes each as its person wrote it."""
    slack_text = bot.command("cases support-replies &lt;!here&gt;&amp;*x* 3", user=MEMBER).text
    assert "Playbook support-replies has no step “&lt;!here&gt;&amp;\u2217x\u2217”." in slack_text, slack_text
    status, answer, _ = api.post(
        {"playbook": "support-replies", "kind": "exception", "step": "<!here>&amp;*x*", "reason": "r"}
    )
    assert status == 422, answer
    assert answer["errors"][0]["message"].startswith("Playbook support-replies has no step “<!here>&amp;*x*”."), answer


def _set(document, path, value):
    *parents, last = path
    for part in parents:
        document = document[part]
    document[last] = value


# Every text a playbook file holds, by its path: the character is put inside it.
PLAYBOOK_TEXTS = [
    ("playbook",),
    ("title",),
    ("function",),
    ("channel",),
    ("owner",),
    ("timezone",),
    ("kpi", "name"),
    ("kpi", "unit"),
    ("kpi", "direction"),
    ("guardrail", "name"),
    ("guardrail", "unit"),
    ("steps", 0, "name"),
    ("steps", 1, "mode"),
    ("inputs", 0),
    ("outputs", 0),
    ("replication", "runbook"),
    ("replication", "training", 0),
    ("replication", "checks", 0),
    ("replication", "requires", 0),
    ("replication", "may_change", 0),
    ("value_events", 0, "name"),
    ("value_events", 0, "step"),
    ("value_events", 0, "counts"),
    ("rules", "nudge_at"),
]


def _rich_playbook():
    raw = copy.deepcopy(SUPPORT_REPLIES)
    raw["guardrail"]["unit"] = "points"
    raw.update(
        inputs=["ticket text"],
        outputs=["reply sent"],
        replication={
            "runbook": "https://wiki.example.com/support-replies",
            "training": ["Shadow the origin team for one week"],
            "checks": ["Draft 10 sample tickets"],
            "requires": ["Helpdesk macros enabled"],
            "may_change": ["baseline", "target"],
        },
        value_events=[{"name": "refund_escalated", "step": "send", "counts": "exception"}],
        rules={"nudge_at": "Mon 09:00"},
    )
    return raw


def _where(path):
    """Where a problem is said to be: a step by its name, unless the name is what is wrong."""
    if path == ("steps", 1, "mode"):
        return "steps[send].mode"
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def _load(database_url, monkeypatch, tmp_path, documents):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "hidden.yaml"
    path.write_text(yaml.safe_dump_all(documents, allow_unicode=True), encoding="utf-8")
    return CliRunner().invoke(cli, ["playbook", "load", str(path)], catch_exceptions=False)


def _playbooks(engine):
    with Session(engine) as s:
        return s.exec(select(func.count()).select_from(Playbook)).one()


@pytest.mark.one_database  # refused before anything is stored: the same on both databases (the texts that are stored run on both)
@pytest.mark.parametrize("name", [*SOME, "U+200D ZERO WIDTH JOINER", "U+E0041 TAG LATIN CAPITAL LETTER A", *SEPARATORS])
def test_invisible_characters_are_refused_in_every_text_of_a_playbook_file(
    database_url, monkeypatch, tmp_path, engine, name
):
    char = {**INVISIBLE, **SEPARATORS}[name]
    documents = []
    for path in PLAYBOOK_TEXTS:
        raw = _rich_playbook()
        _set(raw, path, f"{_get(raw, path)[:1]}{char}{_get(raw, path)[1:]}")  # inside: not trimmed
        documents.append(raw)
    result = _load(database_url, monkeypatch, tmp_path, documents)
    assert result.exit_code == 1 and "was loaded" in result.output, result.output
    for path in PLAYBOOK_TEXTS:  # each document's own, on its line (`FILE:LINE: key: what`)
        said = f": {_where(path)}: contains {name}, which can't be stored"
        assert said in result.output, (said, result.output)
    assert char not in result.output  # each is named, never shown
    assert _playbooks(engine) == 0


def _get(document, path):
    for part in path:
        document = document[part]
    return document


def test_an_invisible_character_in_a_playbook_files_field_name_is_named(database_url, monkeypatch, tmp_path, engine):
    raw = _rich_playbook()
    raw["titl\u200be"] = raw.pop("title")
    result = _load(database_url, monkeypatch, tmp_path, [raw])
    assert result.exit_code == 1 and "U+200B ZERO WIDTH SPACE" in result.output, result.output
    assert "\u200b" not in result.output
    assert _playbooks(engine) == 0


def test_no_text_of_a_playbook_file_holds_a_line_break(database_url, monkeypatch, tmp_path, engine):
    raw = _rich_playbook()
    raw["title"] = "Support reply\ndrafting"
    raw["inputs"] = ["ticket\r\ntext"]
    raw["kpi"]["name"] = "First-response time\n"  # what a YAML block scalar leaves at the end is trimmed
    raw["function"] = "Support\x1f"  # Python's strip() takes U+001F; what is stored keeps it
    result = _load(database_url, monkeypatch, tmp_path, [raw])
    assert result.exit_code == 1, result.output
    assert "title: contains U+000A (control)" in result.output
    assert "inputs[0]: contains U+000D (control)" in result.output
    assert "function: contains U+001F (control)" in result.output
    assert "kpi.name" not in result.output
    assert _playbooks(engine) == 0


def test_history_links_only_the_ids_the_bot_wrote_into_a_summary(bot, playbook, slack):
    """Issue 66, item 13: a reason typed with `<@U…>`, a channel's id or a word such as
    CUSTOMER2024 stays text in `/rollout history`; the ids the bot wrote (a hand-over's
    owners) are still mentions."""
    slack.add_user("UNEWOWNER1")
    typed_reason = f"per <@UEVIL00001> and {CHANNEL} for CUSTOMER2024"
    assert "is now human-led" in bot.command(f"mode support-replies draft human-led {typed_reason}", user=OWNER).text
    assert "now owns" in bot.command("owner support-replies <@UNEWOWNER1|nora>", user=OWNER).text
    history = bot.command("history support-replies", user="UNEWOWNER1")
    joined = "\n".join(mrkdwn_texts(history.body))
    assert f"per @UEVIL00001 and {CHANNEL} for CUSTOMER2024" in joined, joined  # the mention as the grammar keeps it
    for link in ("<@UEVIL00001>", f"<#{CHANNEL}>", "<#CUSTOMER2024>"):
        assert link not in joined, (link, joined)
    assert "support-replies: owner <@UOWNER0001> → <@UNEWOWNER1>" in joined, joined
