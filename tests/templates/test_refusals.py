"""Every sentence of a refusal is in templates/refusals.py: code names a key, the
catalogue words it. A refusal is its key and values; each edge renders it: for Slack
with its values escaped (the bot's own mentions are not), plainly for the reporting API
and the command line, with its values as sent and none of Slack's markup."""

import ast
from pathlib import Path

from templates.refusals import TEXTS, Mention, Refusal, slack
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
