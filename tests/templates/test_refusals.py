"""Every sentence of a refusal is in templates/, with its capability (refusals_*.py): code names a key, the
catalogue words it. A refusal is its key and values; each edge renders it: for Slack
with its values escaped (the bot's own mentions are not), plainly for the reporting API
and the command line, with its values as sent and none of Slack's markup."""

import ast
import string
from pathlib import Path

from templates.refusals import TEXTS, Lines, Mention, Refusal, plain, slack
from tests.test_layers import OURS

ROOT = Path(__file__).resolve().parents[2]
CODE = [p for folder in OURS if folder != "templates" for p in (ROOT / folder).rglob("*.py")]


def _uses() -> tuple[set[str], list[str]]:
    """(keys named by Refusal.of/phrase, places that word a refusal in code)."""
    keys, worded = set(), []
    for path in CODE:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            owner = func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
            if (owner, name) == ("Refusal", "of") or (name == "phrase" and isinstance(func, ast.Name)):
                assert isinstance(node.args[0], ast.Constant), f"{path.name}:{node.lineno} names its key in a variable"
                keys.add(node.args[0].value)
            elif name == "Refusal":
                worded.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return keys, worded


def test_no_refusal_is_worded_in_code():
    assert _uses()[1] == []


def test_every_key_used_is_worded_and_every_wording_used():
    used, _ = _uses()
    assert used - set(TEXTS) == set(), "keys with no text"
    assert set(TEXTS) - used == set(), "texts nothing uses"


def test_values_are_escaped_and_the_bots_own_mentions_are_not():
    text = slack(Refusal.of("owner_or_curator_only", slug="<!channel> & co", owner=Mention("@", "U0OWNER01")))
    assert text == "Only the owner of &lt;!channel&gt; &amp; co (<@U0OWNER01>) or a curator can do that."
    refusal = Refusal.of("not_a_number", usage="kpi", word="1e9")
    assert refusal.usage == "kpi" and "“1e9” is not a number" in slack(refusal)


HOSTILE = "<!channel> & *bold*"


def test_a_refusal_is_its_key_and_values_and_renders_for_slack_escaped_and_plainly_as_sent():
    refusal = Refusal.of("learning_cycle", usage="learn", slug=HOSTILE, week=2, cycle=3, named=1, allowed="cycle 3")
    assert vars(refusal) == {
        "key": "learning_cycle",
        "values": {"slug": HOSTILE, "week": 2, "cycle": 3, "named": 1, "allowed": "cycle 3"},
        "usage": "learn",
        "suggestions": (),
    }
    assert slack(refusal) == (
        "*&lt;!channel&gt; &amp; \u2217bold\u2217* is in week 2 of cycle 3, so a learning can't go to cycle 1: "
        "leave `cycle:` out, or name cycle 3 (in week 1, the cycle that just ended takes learnings too)."
    )
    assert plain(refusal) == (
        "<!channel> & *bold* is in week 2 of cycle 3, so a learning can't go to cycle 1: "
        "leave `cycle:` out, or name cycle 3 (in week 1, the cycle that just ended takes learnings too)."
    )


def test_every_sentence_renders_in_both_forms_and_plainly_with_no_markup_nor_escape():
    for key, text in TEXTS.items():
        specs = {name: spec for _, name, spec, _ in string.Formatter().parse(text) if name}
        refusal = Refusal.of(key, **{name: 1234 if spec else HOSTILE for name, spec in specs.items()})
        assert "<!channel>" not in slack(refusal) and "*bold*" not in slack(refusal), key
        if "" in specs.values():
            assert HOSTILE in plain(refusal), key
        left = plain(refusal).replace(HOSTILE, "")
        assert not [mark for mark in ("*", "&lt;", "&gt;", "&amp;") if mark in left], key  # TEXTS' `*` are markup


def test_what_the_bot_built_has_a_form_for_each_edge():
    owner = Refusal.of("owner_or_curator_only", slug="refunds", owner=Mention("@", "U0OWNER01"))
    assert slack(owner) == "Only the owner of refunds (<@U0OWNER01>) or a curator can do that."
    assert plain(owner) == "Only the owner of refunds (@U0OWNER01) or a curator can do that."
    team = Refusal.of("members_only", channel=Mention("#", "C0TEAM0001"), slug="refunds")
    assert plain(team) == "Only members of #C0TEAM0001, the team running refunds, check in for it."
    set_already = Refusal.of("cycle_scheduled", slug="refunds", cycle=4, day="2026-11-23")
    assert plain(set_already) == (
        "refunds has no cycle running yet, so there is no week to report for: "
        "its cycle 4 starts on 2026-11-23, and you can report from then."
    )
    ask = Refusal.of("no_cycle_yet_ask_owner", slug="refunds", owner=Mention("@", "U0OWNER01"))
    assert "Its owner, <@U0OWNER01>, starts one with `/rollout cycle start refunds`." in slack(ask)
    criteria = Lines(("❌ Learnings: none in cycle 1 (cycle 1: 0)", "✅ Owner is an active Slack user"))
    not_ready = Refusal.of("publish_not_ready", slug="refunds", criteria=criteria)
    assert slack(not_ready).startswith(
        "*refunds* is not yet ready to scale:\n❌ Learnings: none in cycle 1 (cycle 1: 0)\n✅"
    )
    assert plain(not_ready).startswith(
        "refunds is not yet ready to scale:\n❌ Learnings: none in cycle 1 (cycle 1: 0)\n✅"
    )
    assert "`/rollout publish refunds override <reason>`" in plain(not_ready)
    assert "`/rollout publish refunds override &lt;reason&gt;`" in slack(not_ready)
